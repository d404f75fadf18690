#!/bin/bash
# make bench: build everything, measure the host's memcpy, boot the guest
# once and run vtgpu-bench in it, then write out/bench/bench.json, a
# markdown table (bench.md) and a plot of the ratios (bench.png).
# Arguments name the benchmarks to run (P1 ... P5; default: all).
set -euo pipefail
. "$(dirname "$0")/lib.sh"

build_all

OUT=$VTGPU_OUT/bench-results
mkdir -p "$OUT"

step "host memcpy"
"$VTGPU_OUT/bench/host-memcpy" >"$OUT/host.jsonl"
step_done

BENCH=${*:-all} SUBTEST_TIMEOUT=${SUBTEST_TIMEOUT:-1800} \
	"$VTGPU_TOP/ci/run-guest.sh" | tee "$OUT/judge.txt" || true
RUN=$(judged_run "$OUT/judge.txt")
[ -n "$RUN" ] || die "the guest run was not judged: see $OUT/judge.txt"
[ -s "$RUN/results/bench.jsonl" ] || die "no results from the guest: see $RUN"

python3 "$VTGPU_TOP/ci/bench-report.py" "$OUT" "$OUT/host.jsonl" \
	"$RUN/results/bench.jsonl"
