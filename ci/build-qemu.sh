#!/bin/bash
# Build qemu-system-x86_64 and the vtgpu qtest from Debian's QEMU source
# with the vtgpu device installed into the tree (qemu-device/install.sh).
# The build directory is cached; ninja rebuilds only what the device
# files touch.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

"$VTGPU_TOP/ci/get-sources.sh"
QBUILD=$(qemu_build_dir)

"$VTGPU_TOP/qemu-device/install.sh" "$QEMU_SRC"

if [ ! -f "$QBUILD/build.ninja" ]; then
	step "configure qemu ${QEMU_CONFIGURE[*]}"
	rm -rf "$QBUILD" && mkdir -p "$QBUILD"
	(cd "$QBUILD" && "$QEMU_SRC/configure" "${QEMU_CONFIGURE[@]}" \
		>configure.log 2>&1) || {
		tail -n 30 "$QBUILD/configure.log" >&2
		rm -f "$QBUILD/build.ninja"
		die "qemu configure failed"
	}
	step_done
fi

# Run from the build tree, QEMU looks for firmware directory D in
# qemu-bundle/D; point those at Debian's firmware so that neither the
# qtests nor a manual run need -L.
for d in /usr/share/qemu /usr/share/seabios; do
	if [ ! -L "$QBUILD/qemu-bundle$d" ]; then
		mkdir -p "$QBUILD/qemu-bundle$(dirname "$d")"
		ln -s "$d" "$QBUILD/qemu-bundle$d"
	fi
done

step "build qemu in $QBUILD"
ninja -C "$QBUILD" qemu-system-x86_64 tests/qtest/vtgpu-test >"$QBUILD/ninja.log" 2>&1 || {
	grep -E 'error|FAILED' "$QBUILD/ninja.log" | head -n 30 >&2
	die "qemu build failed (see $QBUILD/ninja.log)"
}
step_done
