#!/bin/bash
# make bench: build everything, measure the host's memcpy, then boot each
# of two kernels once and run vtgpu-bench and the eviction soak (P6) in
# it: first the kernel users run (the "bench" config fragment: no lock
# debugging), then the lockdep kernel of the tests, whose ratios are the
# table's second column. Writes out/bench-results/bench.json, a markdown
# table (bench.md) and a plot of the ratios (bench.png).
# Arguments name the benchmarks to run (P1 ... P6; default: all).
# P6_BYTES: the amounts the eviction soak moves, one soak each (default
# "256M 1G 4G").
set -euo pipefail
. "$(dirname "$0")/lib.sh"

P6_BYTES=${P6_BYTES:-256M 1G 4G}
KERNELS=("vtgpu bench" "vtgpu lockdep igt")
OUT=$VTGPU_OUT/bench-results
mkdir -p "$OUT"

# Both kernels before the first boot: a boot only reads the builds.
for k in "${KERNELS[@]}"; do
	KCONFIG_FRAGMENTS=$k build_all
done

step "host memcpy"
"$VTGPU_OUT/bench/host-memcpy" >"$OUT/host.jsonl"
step_done

benches=${*:-all}
tests=
case " $benches " in *" all "* | *" P6 "*)
	tests=$(for b in $P6_BYTES; do echo "vtgpu_evict@soak:VTGPU_SOAK_BYTES=$b"; done) ;;
esac
benches=$(echo "$benches" | sed 's/\bP6\b//g; s/^ *$/none/')

runs=()
for k in "${KERNELS[@]}"; do
	name=${k#vtgpu }
	name=${name%% *}
	KCONFIG_FRAGMENTS=$k BENCH=$benches TESTS=$tests \
		SUBTEST_TIMEOUT=${SUBTEST_TIMEOUT:-3600} GUEST_TIMEOUT=${GUEST_TIMEOUT:-7200} \
		"$VTGPU_TOP/ci/run-guest.sh" | tee "$OUT/judge-$name.txt" || true
	run=$(judged_run "$OUT/judge-$name.txt")
	[ -n "$run" ] || die "the $name guest run was not judged: see $OUT/judge-$name.txt"
	[ -s "$run/results.json" ] || die "no results from the $name guest: see $run"
	runs+=("$name=$run")
done

python3 "$VTGPU_TOP/ci/bench-report.py" "$OUT" "$OUT/host.jsonl" "${runs[@]}"
