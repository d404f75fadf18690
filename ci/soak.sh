#!/bin/bash
# make soak: the KASAN + kmemleak soak. Builds the kernel with the "kasan"
# config fragment on top of vtgpu and lockdep, QEMU and the tests, and runs
# these parts:
#   gate       ci/test-gate.sh kasan leak: provoked KASAN and kmemleak
#              reports must fail their guests
#   evict      one guest: the eviction soak (vtgpu_evict@soak) over
#              SOAK_BYTES, then a kmemleak scan (check@kmemleak)
#   fuzz-N     guests of the ioctl fuzzer (vtgpu_fuzz): FUZZ_CALLS calls
#              in parts of FUZZ_PART, each its own guest with a seed of its
#              own, then a kmemleak scan
#   suites     one guest: every igt binary SOAK_N times, then a kmemleak
#              scan
#   qemu-fuzz  ci/fuzz-qemu.sh for QEMU_FUZZ_RUNS executions in chunks of
#              QEMU_FUZZ_CHUNK, on the host beside the guests, niced
# Writes out/soak-results/: a directory per part, summary.txt and
# summary.json (ci/soak-report.py). Ends with "N passed, N failed, N
# skipped"; exits non-zero on any failure.
#
# The whole soak takes longer than some machines run one job (on 2 CPUs
# over four hours), so a part that passed is recorded in
# $VTGPU_CACHE/soak/, under the git trees of everything it tests and its
# figures. A later soak of the same committed sources takes the recorded
# parts (with the date they passed) and runs the rest. Nothing is recorded
# or taken from a tree with uncommitted changes; SOAK_FRESH=1 runs every
# part.
#
# Environment (all optional):
#   SOAK_N           passes of the igt suites (default 3)
#   SOAK_BYTES       bytes the eviction soak moves at least (default 10G;
#                    suffixes K, M, G)
#   FUZZ_CALLS       calls of the ioctl fuzzer (default 1000000)
#   FUZZ_PART        calls of one of its guests (default 250000)
#   SOAK_SEED        the seed of its first guest; the Nth has SOAK_SEED +
#                    N - 1 (default: the time)
#   QEMU_FUZZ_RUNS   executions of the QEMU fuzz run (default 1000000)
#   QEMU_FUZZ_CHUNK  executions of one of its recorded chunks (default
#                    100000)
#   FUZZ_WORKERS     its parallel workers (default: the host's CPUs; niced,
#                    they use what the guest leaves; see ci/fuzz-qemu.sh)
#   SOAK_TESTS       the igt binaries to repeat (default: every vtgpu_*)
#   SOAK_FRESH=1     take no recorded part
#   GUEST_TIMEOUT, SUBTEST_TIMEOUT, GUEST_MEM: as for ci/run-guest.sh
#                    (defaults here: scaled from the figures above, see
#                    below, and 3G)
set -uo pipefail
. "$(dirname "$0")/lib.sh"

SOAK_N=${SOAK_N:-3}
SOAK_BYTES=${SOAK_BYTES:-10G}
FUZZ_CALLS=${FUZZ_CALLS:-1000000}
FUZZ_PART=${FUZZ_PART:-250000}
SOAK_SEED=${SOAK_SEED:-$(date +%s)}
QEMU_FUZZ_RUNS=${QEMU_FUZZ_RUNS:-1000000}
QEMU_FUZZ_CHUNK=${QEMU_FUZZ_CHUNK:-100000}
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
need_numbers 0 SOAK_N FUZZ_CALLS QEMU_FUZZ_RUNS SOAK_SEED
need_numbers 1 QEMU_FUZZ_CHUNK FUZZ_PART
# Checked here too, so that a bad one stops the soak before its builds
# and gate rather than at its first guest.
for v in GUEST_TIMEOUT SUBTEST_TIMEOUT; do
	[ -z "${!v:-}" ] || need_numbers 1 "$v"
done

# The timeouts only catch hangs, so they follow the figures with a wide
# margin over what the KASAN guest measured beside the QEMU fuzz run: a
# suite pass in 20 to 35 min, 90 to 255 ioctl calls/s, 33 to 40 MiB/s of
# eviction soak.
fuzz_secs=$((FUZZ_PART / 60))
evict_secs=$((soak_bytes / (10 << 20)))
export SUBTEST_TIMEOUT=${SUBTEST_TIMEOUT:-$((3600 + fuzz_secs + evict_secs))}
suites_timeout=${GUEST_TIMEOUT:-$((1800 + SOAK_N * 3600))}
evict_timeout=${GUEST_TIMEOUT:-$((1800 + evict_secs))}
fuzz_timeout=${GUEST_TIMEOUT:-$((1800 + fuzz_secs))}

build_all

OUT=$VTGPU_OUT/soak-results
rm -rf "$OUT"
mkdir -p "$OUT"
t0=$(date +%s)

# The records of this tree: the sources the soak tests, as committed, and
# the kernel and QEMU builds (their directories name versions and configs).
SOURCES=(drivers include qemu-device igt-tests libvtgpu tools ci Kconfig
	Makefile)
RECORDS=
if [ "${SOAK_FRESH:-0}" = 1 ]; then
	log "SOAK_FRESH=1: every part runs, none is recorded"
elif ! git -C "$VTGPU_TOP" rev-parse -q --verify HEAD >/dev/null 2>&1; then
	log "not a git checkout: every part runs, none is recorded"
elif [ -n "$(git -C "$VTGPU_TOP" status --porcelain -- "${SOURCES[@]}")" ]; then
	log "uncommitted changes: every part runs, none is recorded"
else
	key=$({
		git -C "$VTGPU_TOP" ls-tree HEAD -- "${SOURCES[@]}"
		basename "$(kernel_build_dir)"
		basename "$(qemu_build_dir)"
		basename "$(qemu_fuzz_build_dir)"
	} | sha256sum | cut -c1-16)
	RECORDS=$VTGPU_CACHE/soak/$key
	log "records of these sources: $RECORDS"
fi

# part NAME RECORD CMD ARGS...: run CMD DIR ARGS, DIR being $OUT/NAME,
# unless RECORD (NAME and the figures it ran with) passed before for these
# sources, in which case DIR gets the recorded one. A part that passes is
# recorded.
part() {
	local name=$1 rec=${RECORDS:+$RECORDS/$2} dir=$OUT/$1 cmd=$3 rc
	shift 3
	if [ -n "$rec" ] && [ -e "$rec/passed" ]; then
		cp -a "$rec" "$dir"
		log "$name: passed $(cat "$rec/passed"), recorded in $rec: not run again"
		return 0
	fi
	mkdir -p "$dir"
	"$cmd" "$dir" "$@"
	rc=$?
	if [ $rc -eq 0 ] && [ -n "$rec" ]; then
		rm -rf "$rec.new" && mkdir -p "${rec%/*}" &&
			cp -a "$dir" "$rec.new" &&
			date -u '+on %F at %T UTC' >"$rec.new/passed" &&
			mv "$rec.new" "$rec"
	fi
	return $rc
}

# gate DIR: that this kernel's detectors fire: a guest in which ci/splat
# reads past a buffer and one in which it leaks one must each fail.
gate() {
	step "gate: KASAN and kmemleak reports fail a run"
	"$VTGPU_TOP/ci/test-gate.sh" kasan leak >"$1/gate.txt" 2>&1
	local rc=$?
	tail -n 1 "$1/gate.txt"
	step_done
	return $rc
}

# guest DIR TESTS REPEAT TIMEOUT: one judged guest run of TESTS, REPEAT
# times, its results copied to DIR.
guest() {
	local rc run f
	TESTS=$2 REPEAT=$3 GUEST_TIMEOUT=$4 "$VTGPU_TOP/ci/run-guest.sh" \
		>"$1/judge.txt" 2>&1
	rc=$?
	cat "$1/judge.txt"
	run=$(judged_run "$1/judge.txt")
	for f in results.json results.txt results/dmesg.txt \
		results/kmemleak.txt console.log; do
		[ -n "$run" ] && [ -e "$run/$f" ] && cp "$run/$f" "$1/"
	done
	log "guest: exit $rc, run ${run:-not judged}"
	return $rc
}

# ioctl_fuzz DIR CALLS SEED: a guest of the ioctl fuzzer; DIR/seed keeps
# its seed.
ioctl_fuzz() {
	echo "$3" >"$1/seed"
	guest "$1" "vtgpu_fuzz:VTGPU_FUZZ_CALLS=$2,VTGPU_FUZZ_SEED=$3" 1 "$fuzz_timeout"
}

# qemu_fuzz DIR RUNS SEED: one chunk of the QEMU fuzz run.
qemu_fuzz() {
	local rc

	FUZZ_RUNS=$2 FUZZ_SEED=$3 nice -n 10 "$VTGPU_TOP/ci/fuzz-qemu.sh" \
		>"$1/qemu-fuzz.log" 2>&1
	rc=$?
	echo $rc >"$1/qemu-fuzz.rc"
	tail -n 1 "$1/qemu-fuzz.log"
	return $rc
}

# The chunks of the QEMU fuzz run, one after the other, until one fails.
# Chunk i seeds its workers from i * 1000: no two chunks repeat a seed.
qemu_fuzz_chunks() {
	local n=$(((QEMU_FUZZ_RUNS + QEMU_FUZZ_CHUNK - 1) / QEMU_FUZZ_CHUNK)) i runs
	for ((i = 1; i <= n; i++)); do
		runs=$((i < n ? QEMU_FUZZ_CHUNK : QEMU_FUZZ_RUNS - (n - 1) * QEMU_FUZZ_CHUNK))
		part "qemu-fuzz-$i" "qemu-fuzz-$i-of-$QEMU_FUZZ_CHUNK-$runs" \
			qemu_fuzz "$runs" $((i * 1000)) || return 1
	done
}

# The QEMU fuzz run needs no guest: it runs on the host meanwhile, niced,
# so that the guest's timeouts do not pay for it.
fuzz_pid=
if [ -x "$VTGPU_TOP/ci/fuzz-qemu.sh" ]; then
	log "QEMU fuzz: $QEMU_FUZZ_RUNS executions in chunks of $QEMU_FUZZ_CHUNK, beside the guests"
	qemu_fuzz_chunks >"$OUT/qemu-fuzz.txt" 2>&1 &
	fuzz_pid=$!
	# Its chunk's fuzz-qemu.sh stops its workers when it is killed.
	trap '[ -z "$fuzz_pid" ] || { pkill -P "$fuzz_pid"; kill "$fuzz_pid"; } 2>/dev/null' EXIT
else
	log "ci/fuzz-qemu.sh is not there: the QEMU fuzz run is skipped"
	QEMU_FUZZ_RUNS=0
fi

part gate gate gate

part evict "evict-$soak_bytes-$GUEST_MEM" guest \
	"vtgpu_evict@soak:VTGPU_SOAK_BYTES=$soak_bytes" 1 "$evict_timeout"

# The ioctl fuzzer's parts: the last one makes what is left.
n=$(((FUZZ_CALLS + FUZZ_PART - 1) / FUZZ_PART))
log "ioctl fuzz: $FUZZ_CALLS calls in $n guests of $FUZZ_PART"
for ((i = 1; i <= n; i++)); do
	calls=$((i < n ? FUZZ_PART : FUZZ_CALLS - (n - 1) * FUZZ_PART))
	part "fuzz-$i" "fuzz-$i-of-$FUZZ_PART-$calls-$GUEST_MEM" ioctl_fuzz \
		"$calls" $((SOAK_SEED + i - 1))
done

TESTS=${SOAK_TESTS:-$(cd "$VTGPU_OUT/igt/tests/vtgpu" && ls | tr '\n' ' ')}
log "suites: $SOAK_N passes of: $TESTS"
part suites "suites-$SOAK_N-$GUEST_MEM-$(echo "$TESTS" | sha256sum | cut -c1-8)" \
	guest "$TESTS" "$SOAK_N" "$suites_timeout"

if [ -n "$fuzz_pid" ]; then
	step "QEMU fuzz: wait for its $QEMU_FUZZ_RUNS executions"
	wait "$fuzz_pid"
	fuzz_pid=
	cat "$OUT/qemu-fuzz.txt"
	step_done
fi

echo
echo "soak figures (kernel: $KCONFIG_FRAGMENTS; $(($(date +%s) - t0)) s):"
python3 "$VTGPU_TOP/ci/soak-report.py" --repeat "$SOAK_N" \
	--soak-bytes "$soak_bytes" --fuzz-calls "$FUZZ_CALLS" \
	--qemu-fuzz-runs "$QEMU_FUZZ_RUNS" "$OUT"
