#!/bin/bash
# Fuzz the vtgpu device with QEMU's generic fuzzer: qemu-fuzz-x86_64
# --fuzz-target=generic-fuzz-vtgpu (ci/build-qemu.sh fuzz builds it; the
# config is qemu-device/tests/qtest/fuzz/generic_fuzz_configs.h) drives
# BAR0, PCI config space and, through DMA patterns, every guest-memory read
# of the device: ring, GART table and COPY sources.
#
# Environment:
#   FUZZ_RUNS     executions in all (default 1000000)
#   FUZZ_SEED     libFuzzer -seed of worker 0; worker i has FUZZ_SEED + i
#                 (default 1)
#   FUZZ_WORKERS  libFuzzer processes, each FUZZ_RUNS / FUZZ_WORKERS runs
#                 (default 1)
#   FUZZ_TIMEOUT  seconds one input may take before it is a hang (default
#                 60: an operation of the fuzzer lets the engine run ten
#                 times at most, each a burst of at most 4 MiB, a fraction
#                 of a second)
#   FUZZ_MAX_LEN  longest input (default 4096)
#   FUZZ_CORPUS   corpus directory (default in the cache; it grows from run
#                 to run); the seeds of ci/fuzz-seeds.py are read with it
#
# Crash, timeout, leak and OOM inputs go to out/fuzz/ (cleared first), with
# each worker's log. The last line is "fuzz: N executions, N crashes", the
# executions added up from libFuzzer's final stats; the exit status is
# non-zero on any crash, hang, leak or sanitizer report, or when the
# executions fall short of FUZZ_RUNS.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

FUZZ_RUNS=${FUZZ_RUNS:-1000000}
FUZZ_SEED=${FUZZ_SEED:-1}
FUZZ_WORKERS=${FUZZ_WORKERS:-1}
FUZZ_TIMEOUT=${FUZZ_TIMEOUT:-60}
FUZZ_MAX_LEN=${FUZZ_MAX_LEN:-4096}
TARGET=generic-fuzz-vtgpu
FUZZ_CORPUS=${FUZZ_CORPUS:-$VTGPU_CACHE/fuzz-corpus/$TARGET}
ART=$VTGPU_OUT/fuzz

need_numbers 0 FUZZ_RUNS FUZZ_SEED FUZZ_TIMEOUT FUZZ_MAX_LEN
need_numbers 1 FUZZ_WORKERS

"$VTGPU_TOP/ci/build-qemu.sh" fuzz
FUZZER=$(qemu_fuzz_build_dir)/qemu-fuzz-x86_64
[ -x "$FUZZER" ] || die "no $FUZZER"

rm -rf "$ART" && mkdir -p "$ART" "$FUZZ_CORPUS"
# The seeds (ci/fuzz-seeds.py), read with the corpus; new inputs go to the
# corpus only.
SEEDS=$VTGPU_OUT/fuzz-seeds
rm -rf "$SEEDS"
python3 "$VTGPU_TOP/ci/fuzz-seeds.py" "$SEEDS"

# halt_on_error: a UBSan report is a crash with an artifact, as ASan's are.
# Each input runs in a process forked from the fuzzer, and fork() copies
# the fuzzer's page tables: ASan's quarantine of freed memory (256 MiB by
# default) would swell the fuzzer and slow every fork down as it fills.
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:quarantine_size_mb=16:symbolize=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-halt_on_error=1:print_stacktrace=1}

log "fuzz: $TARGET, $FUZZ_RUNS runs in $FUZZ_WORKERS worker(s), seed $FUZZ_SEED"
log "fuzz: corpus $FUZZ_CORPUS ($(find "$FUZZ_CORPUS" -type f | wc -l) inputs)"
echo "fuzz: seed $FUZZ_SEED"

pids=()
t0=$(date +%s.%N)
for ((i = 0; i < FUZZ_WORKERS; i++)); do
	runs=$((FUZZ_RUNS / FUZZ_WORKERS + (i < FUZZ_RUNS % FUZZ_WORKERS ? 1 : 0)))
	# Each worker in a session of its own: a hang found by libFuzzer's
	# timeout leaves its forked QEMU running, which is killed with it.
	(cd "$ART" && exec setsid "$FUZZER" --fuzz-target=$TARGET \
		-runs="$runs" -seed=$((FUZZ_SEED + i)) \
		-timeout="$FUZZ_TIMEOUT" -max_len="$FUZZ_MAX_LEN" \
		-print_final_stats=1 -artifact_prefix="$ART/" \
		"$FUZZ_CORPUS" "$SEEDS" >"$ART/worker-$i.log" 2>&1) &
	pids+=($!)
done

cleanup() {
	local p
	for p in "${pids[@]}"; do
		kill -KILL -- "-$p" 2>/dev/null || true
	done
}
trap cleanup EXIT INT TERM

rcs=()
for p in "${pids[@]}"; do
	rc=0
	wait "$p" || rc=$?
	rcs+=("$rc")
	kill -KILL -- "-$p" 2>/dev/null || true
done
t1=$(date +%s.%N)

execs=0 reports=0 bad=0
for ((i = 0; i < FUZZ_WORKERS; i++)); do
	f=$ART/worker-$i.log
	# The last final stats are the worker's own; a forked input that
	# crashed printed its own before them.
	n=$(sed -n 's/^stat::number_of_executed_units: *//p' "$f" | tail -n1)
	done_line=$(grep -E '^#[0-9]+[[:space:]]+DONE' "$f" | tail -n1 || true)
	r=$(grep -cE 'ERROR: (AddressSanitizer|LeakSanitizer|libFuzzer)|runtime error:' "$f" || true)
	log "worker $i: exit ${rcs[$i]}, ${n:-no} executions, $r report(s): ${done_line:-no DONE line}"
	[ -n "$n" ] || { n=0; bad=1; }
	[ "${rcs[$i]}" = 0 ] || bad=1
	execs=$((execs + n))
	reports=$((reports + r))
done

artifacts=$(find "$ART" -maxdepth 1 -type f \
	\( -name 'crash-*' -o -name 'timeout-*' -o -name 'leak-*' -o -name 'oom-*' \) |
	wc -l)
crashes=$((artifacts > reports ? artifacts : reports))
secs=$(echo "$t1 - $t0" | bc)
rate=$(echo "scale=1; $execs / $secs" | bc)
echo "fuzz: wall time ${secs%.*} s, $rate executions/s"
if [ "$artifacts" -gt 0 ]; then
	echo "fuzz: artifacts in $ART:"
	find "$ART" -maxdepth 1 -type f \( -name 'crash-*' -o -name 'timeout-*' \
		-o -name 'leak-*' -o -name 'oom-*' \) -printf '  %f\n' | sort
fi
[ "$execs" -ge "$FUZZ_RUNS" ] || bad=1
echo "fuzz: $execs executions, $crashes crashes"
[ "$crashes" -eq 0 ] && [ "$bad" -eq 0 ]
