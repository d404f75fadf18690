#!/bin/bash
# make soak: the KASAN + kmemleak soak. Builds the kernel with the "kasan"
# config fragment on top of vtgpu and lockdep, QEMU and the tests, boots ONE
# guest that runs every igt binary SOAK_N times, then the eviction soak
# (vtgpu_evict@soak) over SOAK_BYTES and the ioctl fuzzer (vtgpu_fuzz, if
# built) for FUZZ_CALLS calls, and scans for leaks with kmemleak at the end
# (check@kmemleak). The QEMU fuzz run (ci/fuzz-qemu.sh, if present) for
# QEMU_FUZZ_RUNS executions goes on beside the guest, on the host. Writes
# out/soak-results/: summary.txt and summary.json (ci/soak-report.py), the
# judge's output, results.json, the kernel log and the kmemleak report.
# Ends with "N passed, N failed, N skipped"; exits non-zero on any failure.
#
# Environment (all optional):
#   SOAK_N           passes of the igt suites (default 3)
#   SOAK_BYTES       bytes the eviction soak moves at least (default 10G;
#                    suffixes K, M, G)
#   FUZZ_CALLS       calls of the ioctl fuzzer (default 1000000)
#   SOAK_SEED        its seed (default: the time)
#   QEMU_FUZZ_RUNS   executions of the QEMU fuzz run (default 1000000)
#   FUZZ_WORKERS     its parallel workers (default: the host's CPUs; niced,
#                    they use what the guest leaves; see ci/fuzz-qemu.sh)
#   SOAK_TESTS       the igt binaries to repeat (default: every vtgpu_*)
#   GUEST_TIMEOUT, SUBTEST_TIMEOUT, GUEST_MEM: as for ci/run-guest.sh
#                    (defaults here: scaled from the figures above, see
#                    below, and 3G)
set -uo pipefail
. "$(dirname "$0")/lib.sh"

SOAK_N=${SOAK_N:-3}
SOAK_BYTES=${SOAK_BYTES:-10G}
FUZZ_CALLS=${FUZZ_CALLS:-1000000}
SOAK_SEED=${SOAK_SEED:-$(date +%s)}
QEMU_FUZZ_RUNS=${QEMU_FUZZ_RUNS:-1000000}
export FUZZ_WORKERS=${FUZZ_WORKERS:-$(nproc)}
export KCONFIG_FRAGMENTS="vtgpu lockdep kasan"
export GUEST_MEM=${GUEST_MEM:-3G}

bytes() {
	local n=${1%[KkMmGg]}
	case $1 in
	*[Gg]) echo $((n << 30)) ;;
	*[Mm]) echo $((n << 20)) ;;
	*[Kk]) echo $((n << 10)) ;;
	*) echo "$1" ;;
	esac
}
soak_bytes=$(bytes "$SOAK_BYTES")
[[ $soak_bytes =~ ^[0-9]+$ ]] && [ "$soak_bytes" -gt 0 ] ||
	die "SOAK_BYTES=$SOAK_BYTES is not a size"
for v in SOAK_N FUZZ_CALLS QEMU_FUZZ_RUNS; do
	[[ ${!v} =~ ^[0-9]+$ ]] || die "$v must be a number, got '${!v}'"
done

# The timeouts only catch hangs, so they follow the figures with a wide
# margin over what the KASAN guest measured beside the QEMU fuzz run: a
# suite pass in 20 to 35 min, 90 to 255 ioctl calls/s, 33 to 40 MiB/s of
# eviction soak.
fuzz_secs=$((FUZZ_CALLS / 60))
evict_secs=$((soak_bytes / (10 << 20)))
export SUBTEST_TIMEOUT=${SUBTEST_TIMEOUT:-$((3600 + fuzz_secs + evict_secs))}
export GUEST_TIMEOUT=${GUEST_TIMEOUT:-$((1800 + SOAK_N * 3600 + fuzz_secs +
	evict_secs))}

build_all

OUT=$VTGPU_OUT/soak-results
rm -rf "$OUT"
mkdir -p "$OUT"
t0=$(date +%s)

TESTS=${SOAK_TESTS:-$(cd "$VTGPU_OUT/igt" && ls vtgpu_* | tr '\n' ' ')}
EXTRA_TESTS="vtgpu_evict@soak:--soak-bytes=$soak_bytes"
if [ -x "$VTGPU_OUT/igt/vtgpu_fuzz" ]; then
	EXTRA_TESTS+=" vtgpu_fuzz:--calls=$FUZZ_CALLS,--seed=$SOAK_SEED"
else
	log "vtgpu_fuzz is not built (no igt-tests/vtgpu_fuzz.c): the ioctl fuzzer is skipped"
fi

# The QEMU fuzz run needs no guest: it runs on the host meanwhile, niced,
# so that the guest's timeouts do not pay for it.
fuzz_pid=
if [ -x "$VTGPU_TOP/ci/fuzz-qemu.sh" ]; then
	log "QEMU fuzz: $QEMU_FUZZ_RUNS executions, beside the guest"
	FUZZ_RUNS=$QEMU_FUZZ_RUNS nice -n 10 "$VTGPU_TOP/ci/fuzz-qemu.sh" \
		>"$OUT/qemu-fuzz.log" 2>&1 &
	fuzz_pid=$!
	trap '[ -z "$fuzz_pid" ] || kill "$fuzz_pid" 2>/dev/null' EXIT
else
	log "ci/fuzz-qemu.sh is not there: the QEMU fuzz run is skipped"
fi

# First, that this kernel's detectors fire: a guest in which ci/splat
# reads past a buffer and one in which it leaks one must each fail.
step "gate: KASAN and kmemleak reports fail a run"
"$VTGPU_TOP/ci/test-gate.sh" kasan leak >"$OUT/gate.txt" 2>&1
tail -n 1 "$OUT/gate.txt"
step_done

log "soak: $SOAK_N passes of: $TESTS; then: $EXTRA_TESTS"
TESTS=$TESTS REPEAT=$SOAK_N EXTRA_TESTS=$EXTRA_TESTS \
	"$VTGPU_TOP/ci/run-guest.sh" >"$OUT/judge.txt" 2>&1
guest_rc=$?
# No judged run: the report finds no results and fails the soak.
RUN=$(judged_run "$OUT/judge.txt")
[ -n "$RUN" ] || RUN=$OUT/no-judged-run
cat "$OUT/judge.txt"
for f in results.json results.txt results/dmesg.txt results/kmemleak.txt \
	console.log; do
	[ -e "$RUN/$f" ] && cp "$RUN/$f" "$OUT/"
done
log "guest: exit $guest_rc in $(($(date +%s) - t0)) s, run $RUN"

if [ -n "$fuzz_pid" ]; then
	step "QEMU fuzz: wait for its $QEMU_FUZZ_RUNS executions"
	wait "$fuzz_pid"
	echo $? >"$OUT/qemu-fuzz.rc"
	fuzz_pid=
	tail -n 5 "$OUT/qemu-fuzz.log"
	step_done
fi

echo
echo "soak figures (kernel: $KCONFIG_FRAGMENTS; $(($(date +%s) - t0)) s):"
python3 "$VTGPU_TOP/ci/soak-report.py" --repeat "$SOAK_N" \
	--soak-bytes "$soak_bytes" --fuzz-calls "$FUZZ_CALLS" --seed "$SOAK_SEED" \
	"$RUN" "$OUT"
