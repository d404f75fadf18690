#!/bin/bash
# Prove the splat gate: a guest run in which ci/splat provokes a WARN, one
# in which it provokes a lockdep inversion, one that never finishes and
# one whose kernel does not start init in time (BOOT_TIMEOUT=1) must each
# be judged failed, with the report (or "hung") printed.
# Arguments name the modes (default: warn lockdep hang boot); the soak kernel
# (make soak) adds kasan, an out-of-bounds read, and leak, a kmalloc()ed
# buffer that check@kmemleak must find.
# Prints "N passed, N failed".
set -uo pipefail
. "$(dirname "$0")/lib.sh"

passed=0 failed=0
for mode in ${*:-warn lockdep hang boot}; do
	timeout=300 check=check@splat-$mode boot=600 splat=$mode
	case $mode in
	warn) want='| .*vtgpu_splat: deliberate warning' ;;
	lockdep) want='| .*possible circular locking dependency detected' ;;
	# BOOT_TIMEOUT=60: the guest's kernel starts init in 10 to 20 s and
	# must not be taken for hung at boot.
	hang) want='hung: killed after' timeout=120 boot=60 ;;
	boot) want='hung at boot: no init after 1 s' check=guest@complete
		boot=1 splat= ;;
	# The KASAN kernel under TCG, beside the soak's QEMU fuzzer: booting
	# took 200 s and the leak run reached its kmemleak scan at 440 s.
	kasan) want='| .*BUG: KASAN: slab-out-of-bounds in vtgpu_splat_init'
		timeout=1200 ;;
	leak) want='kmemleak: [1-9][0-9]* unreferenced objects'
		check=check@kmemleak timeout=1800 ;;
	*) die "no splat mode '$mode'" ;;
	esac
	out=$(SPLAT=$splat TESTS=vtgpu_basic@version GUEST_TIMEOUT=$timeout \
		BOOT_TIMEOUT=$boot "$VTGPU_TOP/ci/run-guest.sh" 2>&1)
	rc=$?
	if [ $rc -ne 0 ] && grep -qE "(FAIL|TIMEOUT) .* $check\b" <<<"$out" &&
		grep -q -- "$want" <<<"$out"; then
		echo "PASS gate catches $mode"
		passed=$((passed + 1))
	else
		echo "FAIL gate missed $mode (judge exit $rc); its output:"
		sed 's/^/    /' <<<"$out"
		failed=$((failed + 1))
	fi
done
echo "$passed passed, $failed failed"
[ $failed -eq 0 ]
