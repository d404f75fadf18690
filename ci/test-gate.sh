#!/bin/bash
# Prove the splat gate: a guest run in which ci/splat provokes a WARN, one
# in which it provokes a lockdep inversion, and one that never finishes
# must each be judged failed, with the report (or "hung") printed.
# Arguments name the modes (default: warn lockdep hang); the soak kernel
# (make soak) adds kasan, an out-of-bounds read, and leak, a kmalloc()ed
# buffer that check@kmemleak must find.
# Prints "N passed, N failed".
set -uo pipefail
. "$(dirname "$0")/lib.sh"

passed=0 failed=0
for mode in ${*:-warn lockdep hang}; do
	timeout=300 check=check@splat-$mode
	case $mode in
	warn) want='| .*vtgpu_splat: deliberate warning' ;;
	lockdep) want='| .*possible circular locking dependency detected' ;;
	hang) want='hung: killed after' timeout=120 ;;
	# The KASAN kernel under TCG, beside the soak's QEMU fuzzer: booting
	# took 200 s and the leak run reached its kmemleak scan at 440 s.
	kasan) want='| .*BUG: KASAN: slab-out-of-bounds in vtgpu_splat_init'
		timeout=1200 ;;
	leak) want='kmemleak: [1-9][0-9]* unreferenced objects'
		check=check@kmemleak timeout=1800 ;;
	*) die "no splat mode '$mode'" ;;
	esac
	out=$(SPLAT=$mode TESTS=vtgpu_basic@version GUEST_TIMEOUT=$timeout \
		"$VTGPU_TOP/ci/run-guest.sh" 2>&1)
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
