#!/bin/bash
# The full test suite (what .ci/run runs): builds everything, then
#   selftest   the unit tests of the ci scripts (ci/tests)
#   style      checkpatch --strict on the driver and uapi, QEMU's
#              checkpatch on the device, igt's uapi header up to date
#   driver     the driver built out of tree with W=1 and sparse: no warnings
#   qtest      the device's qtest
#   patches    the upstream series (make patches) applied to pristine
#              Linux, QEMU and igt trees, checked and built patch by patch
#              (ci/check-patches.sh)
#   gate       a provoked WARN, lockdep report, hang and boot hang fail a run
#   guest      the igt suite (vtgpu's tests and igt's generic ones) under
#              igt_runner in a lockdep guest
#   migration  a running guest with jobs in flight migrated to a second
#              QEMU, every byte of its BOs checked (ci/migration/run.sh)
#   lts        Linux 6.12 LTS with the backport series of ci/backports/6.12:
#              vtgpu_basic, vtgpu_mmap, vtgpu_evict and vtgpu_prime in a
#              lockdep guest (its own build, without the igt fragment)
# and ends with the sum: "N passed, N failed, N skipped". Arguments name
# the stages to run (default: all).
set -uo pipefail
. "$(dirname "$0")/lib.sh"

build_all

KBUILD=$(kernel_build_dir)
QBUILD=$(qemu_build_dir)
TALLY=$(mktemp)

# stage NAME CMD...: run CMD, show its output, add up its last line's counts.
stage() {
	local name=$1 out rc line
	shift
	step "check: $name"
	out=$("$@" 2>&1)
	rc=$?
	printf '%s\n' "$out" | sed "s/^/[$name] /"
	line=$(printf '%s\n' "$out" | grep -E '^[0-9]+ passed, [0-9]+ failed' | tail -n1)
	if [ -z "$line" ]; then
		line="0 passed, 1 failed"
		echo "[$name] no result line (exit $rc): counted as one failure"
	elif [ $rc -ne 0 ] && [[ $line == *" 0 failed"* ]]; then
		line="${line%% passed*} passed, 1 failed"
		echo "[$name] exit $rc with no failure counted: counted as one"
	fi
	echo "$name: $line" >>"$TALLY"
	step_done
}

selftest() {
	local out rc n
	out=$(python3 -m unittest discover -v -s "$VTGPU_TOP/ci/tests" -p 'test_*.py' 2>&1)
	rc=$?
	echo "$out"
	n=$(sed -n 's/^Ran \([0-9]*\) test.*/\1/p' <<<"$out")
	if [ $rc -eq 0 ]; then echo "$n passed, 0 failed"; else echo "0 passed, ${n:-1} failed"; fi
	return $rc
}

style() {
	local f p=0 fl=0
	for f in "$VTGPU_TOP"/drivers/gpu/drm/vtgpu/*.[ch] "$VTGPU_TOP"/include/uapi/drm/vtgpu_drm.h; do
		if perl "$(linux_tree_dir)/scripts/checkpatch.pl" --strict --no-tree --terse -q -f "$f"; then
			p=$((p + 1))
		else
			fl=$((fl + 1))
		fi
	done
	for f in $(cd "$VTGPU_TOP/qemu-device" && find . -name '*.[ch]' -printf '%P\n' | sort); do
		# From inside qemu-device/, so checkpatch knows tests/ from hw/.
		if (cd "$VTGPU_TOP/qemu-device" &&
			perl "$QEMU_SRC/scripts/checkpatch.pl" --no-tree -q -f "$f"); then
			p=$((p + 1))
		else
			echo "QEMU checkpatch: $f"
			fl=$((fl + 1))
		fi
	done
	# igt's copy of the uapi header is the kernel's, headers_install'ed.
	if "$VTGPU_TOP/ci/igt-uapi.sh" --check; then
		p=$((p + 1))
	else
		fl=$((fl + 1))
	fi
	echo "$p passed, $fl failed"
	[ $fl -eq 0 ]
}

# Out of tree (make -C KDIR M=...), with W=1 and sparse: no warnings at all.
driver() {
	local dir=$VTGPU_OUT/driver-oot log
	rm -rf "$dir" && mkdir -p "$dir"
	cp "$VTGPU_TOP"/drivers/gpu/drm/vtgpu/* "$dir/"
	log=$(make -C "$KBUILD" M="$dir" CONFIG_DRM_VTGPU=m W=1 C=2 CHECK="$SPARSE" \
		KCFLAGS="-I$VTGPU_TOP/include/uapi" modules 2>&1)
	local rc=$?
	echo "$log" | grep -vE '^make|^  (CC|CHECK|LD|MODPOST|CC \[M\]|LD \[M\])|^  [A-Z]+ ' || true
	# Sparse ran (CHECK lines), and make did not find it too old.
	if [ $rc -eq 0 ] && echo "$log" | grep -q '^  CHECK ' &&
		! echo "$log" | grep -qiE 'warning:|error:|not up to date'; then
		echo "1 passed, 0 failed"
	else
		echo "0 passed, 1 failed"
	fi
}

# Cut the series from this tree, then apply and build them (against the
# build of Debian's 7.3, made here when the guest kernel is another).
patches() {
	if ! DEBIAN_KERNEL=7.3 KERNEL_SRC= "$VTGPU_TOP/ci/build-kernel.sh" >&2; then
		echo "0 passed, 1 failed"
		return 1
	fi
	if ! "$VTGPU_TOP/ci/make-patches.sh"; then
		echo "0 passed, 1 failed"
		return 1
	fi
	"$VTGPU_TOP/ci/check-patches.sh"
}

qtest() {
	local out rc
	out=$(QTEST_QEMU_BINARY="$QBUILD/qemu-system-x86_64" \
		"$QBUILD/tests/qtest/vtgpu-test" --tap -k 2>&1)
	rc=$?
	echo "$out"
	echo "$(grep -c '^ok ' <<<"$out") passed, $(grep -c '^not ok ' <<<"$out") failed"
	return $rc
}

# The tests the 6.12 leg runs.
LTS_TESTS="vtgpu_basic vtgpu_mmap vtgpu_evict vtgpu_prime"
LTS_FRAGMENTS="vtgpu lockdep"
lts() {
	DEBIAN_KERNEL=6.12 KERNEL_SRC= KCONFIG_FRAGMENTS=$LTS_FRAGMENTS TESTS=$LTS_TESTS \
		"$VTGPU_TOP/ci/run-guest.sh"
}

# The 6.12 kernel builds in the background, niced, from the first guest
# stage on: a TCG guest keeps one core busy, the build takes the other
# (a cold 6.12 build is some 40 CPU-minutes). The lts stage waits for it.
LTS_BUILD_LOG=$(mktemp)
trap 'rm -f "$TALLY" "$LTS_BUILD_LOG"' EXIT
lts_build_pid=
lts_build_start() {
	[ -z "$lts_build_pid" ] || return 0
	log "building Linux 6.12 for the lts stage in the background"
	DEBIAN_KERNEL=6.12 KERNEL_SRC= KCONFIG_FRAGMENTS=$LTS_FRAGMENTS \
		nice -n 10 "$VTGPU_TOP/ci/build-kernel.sh" >"$LTS_BUILD_LOG" 2>&1 &
	lts_build_pid=$!
}

# ci/check.sh [STAGE...] runs only the stages named.
# wanted STAGE ARG...: whether STAGE runs, given the script's arguments.
wanted() {
	local s=$1
	shift
	[ $# -eq 0 ] || [[ " $* " == *" $s "* ]]
}
for STAGE in selftest style driver qtest patches gate guest migration lts; do
	wanted "$STAGE" "$@" || continue
	case $STAGE in
	gate | guest | migration) wanted lts "$@" && lts_build_start ;;
	esac
	case $STAGE in
	gate) stage gate "$VTGPU_TOP/ci/test-gate.sh" ;;
	guest) stage guest "$VTGPU_TOP/ci/run-guest.sh" ;;
	migration) stage migration "$VTGPU_TOP/ci/migration/run.sh" ;;
	lts)
		lts_build_start
		step "check: lts (waiting for the 6.12 build)"
		rc=0
		wait "$lts_build_pid" || rc=$?
		cat "$LTS_BUILD_LOG" >&2
		step_done
		if [ $rc -eq 0 ]; then
			stage lts lts
		else
			echo "lts: 0 passed, 1 failed" >>"$TALLY"
		fi
		;;
	*) stage "$STAGE" "$STAGE" ;;
	esac
done

echo
cat "$TALLY"
awk '{ for (i = 2; i <= NF; i++) {
		if ($(i + 1) ~ /^passed/) p += $i
		if ($(i + 1) ~ /^failed/) f += $i
		if ($(i + 1) ~ /^skipped/) s += $i } }
	END { printf "%d passed, %d failed, %d skipped\n", p, f, s; exit f > 0 }' "$TALLY"
