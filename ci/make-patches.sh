#!/bin/bash
# Cut the upstream series from the repository's current files:
#
#   ci/make-patches.sh [linux] [qemu] [igt]     (default: all three)
#
# writes `git format-patch --cover-letter` output to
# $VTGPU_OUT/patches/{linux,qemu,igt}/: drm/vtgpu against Debian's
# linux-source-7.3, the vtgpu device against Debian's QEMU source and the
# vtgpu tests against igt-gpu-tools 2.2. Each
# series is described by ci/patches/NAME/series (see ci/series.py) and cut
# against the pristine tree of ci/pristine.sh, which it unpacks on first
# use. Fails, naming the file, when a file of the driver, the device or
# the tests is in no patch. ci/check-patches.sh applies and builds them.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

[ $# -gt 0 ] || set -- linux qemu igt
# Jobs in one checkout (a 6.12 build beside a run) cut into the same out/.
mkdir -p "$VTGPU_OUT/patches"
exec 9>"$VTGPU_OUT/patches/.lock"
flock 9

for name in "$@"; do
	case $name in
	linux) base="Linux 7.3 (Debian's linux-source-7.3 $(DEBIAN_KERNEL=7.3 kernel_version))" ;;
	qemu) base="Debian's QEMU source package $(qemu_version)" ;;
	igt) base="igt-gpu-tools $IGT_VERSION ($IGT_COMMIT)" ;;
	*) die "unknown series $name (linux, qemu or igt)" ;;
	esac
	# The kernel series is against mainline, 7.3, also for the 6.12 leg.
	repo=$(DEBIAN_KERNEL=7.3 "$VTGPU_TOP/ci/pristine.sh" "$name")
	SERIES_BASE=$base python3 "$VTGPU_TOP/ci/series.py" \
		"$VTGPU_TOP/ci/patches/$name/series" "$repo" \
		"$VTGPU_OUT/patches/$name" ||
		die "cutting the $name series failed"
done
