#!/bin/bash
# Build qemu-fuzz-x86_64, QEMU's libFuzzer binary, with clang, ASan and
# UBSan (docs/devel/fuzzing.rst), from the cached QEMU source with the
# vtgpu device and its generic-fuzz config installed (qemu-device/
# install.sh). Its build directory, keyed like the normal one by QEMU
# version and configure line, is cached apart from it; ninja rebuilds only
# what the device files touch. ci/fuzz-qemu.sh runs the binary.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

"$VTGPU_TOP/ci/get-sources.sh"
FBUILD=$(qemu_fuzz_build_dir)

"$VTGPU_TOP/qemu-device/install.sh" "$QEMU_SRC"

if [ ! -f "$FBUILD/build.ninja" ]; then
	step "configure qemu ${QEMU_FUZZ_CONFIGURE[*]}"
	rm -rf "$FBUILD" && mkdir -p "$FBUILD"
	(cd "$FBUILD" && "$QEMU_SRC/configure" "${QEMU_FUZZ_CONFIGURE[@]}" \
		>configure.log 2>&1) || {
		tail -n 30 "$FBUILD/configure.log" >&2
		rm -f "$FBUILD/build.ninja"
		die "qemu configure failed"
	}
	step_done
fi

# The firmware of Debian, as in ci/build-qemu.sh.
for d in /usr/share/qemu /usr/share/seabios; do
	if [ ! -L "$FBUILD/qemu-bundle$d" ]; then
		mkdir -p "$FBUILD/qemu-bundle$(dirname "$d")"
		ln -s "$d" "$FBUILD/qemu-bundle$d"
	fi
done

step "build qemu-fuzz-x86_64 in $FBUILD"
ninja -C "$FBUILD" qemu-fuzz-x86_64 >"$FBUILD/ninja.log" 2>&1 || {
	grep -E 'error|FAILED' "$FBUILD/ninja.log" | head -n 30 >&2
	die "qemu-fuzz build failed (see $FBUILD/ninja.log)"
}
step_done
