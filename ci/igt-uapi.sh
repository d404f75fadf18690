#!/bin/bash
# igt's copy of the uapi header, include/drm-uapi/vtgpu_drm.h, is the
# kernel's include/uapi/drm/vtgpu_drm.h as `make headers_install` leaves
# it (igt takes its drm-uapi headers from there), never edited by hand:
#
#   ci/igt-uapi.sh           write igt-tests/include/drm-uapi/vtgpu_drm.h
#   ci/igt-uapi.sh --check   fail, showing the difference, if it is stale
#
# Runs Linux 7.3's scripts/headers_install.sh on the header, with the
# unifdef it needs built once in the cache.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
DEBIAN_KERNEL=7.3 KERNEL_SRC=

src=$VTGPU_TOP/include/uapi/drm/vtgpu_drm.h
dst=$VTGPU_TOP/igt-tests/include/drm-uapi/vtgpu_drm.h
linux=$("$VTGPU_TOP/ci/pristine.sh" linux)
tools=$VTGPU_CACHE/uapi-tools-$(kernel_version | path_safe)
if [ ! -x "$tools/scripts/unifdef" ]; then
	# `make headers`, which needs no configuration, builds it.
	make -s -C "$linux" O="$tools" headers >/dev/null
fi

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# headers_install.sh runs scripts/unifdef from the current directory.
(cd "$tools" && sh "$linux/scripts/headers_install.sh" "$src" "$tmp/vtgpu_drm.h")

case ${1:-} in
--check)
	if ! diff -u "$dst" "$tmp/vtgpu_drm.h"; then
		echo "$dst is stale: run ci/igt-uapi.sh"
		exit 1
	fi
	;;
"")
	cp "$tmp/vtgpu_drm.h" "$dst"
	;;
*)
	die "usage: $0 [--check]"
	;;
esac
