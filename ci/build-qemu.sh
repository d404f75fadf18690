#!/bin/bash
# Build QEMU from Debian's source with the vtgpu device installed into the
# tree (qemu-device/install.sh), in a cached build directory; ninja
# rebuilds only what the device files touch.
#
#   ci/build-qemu.sh        qemu-system-x86_64 and the vtgpu qtest
#   ci/build-qemu.sh fuzz   qemu-fuzz-x86_64, QEMU's libFuzzer binary, with
#                           clang, ASan and UBSan (docs/devel/fuzzing.rst;
#                           ci/fuzz-qemu.sh runs it), in a directory of its
#                           own keyed the same way
set -euo pipefail
. "$(dirname "$0")/lib.sh"

case ${1:-} in
"")	QBUILD=$(qemu_build_dir)
	CONFIGURE=("${QEMU_CONFIGURE[@]}")
	TARGETS=(qemu-system-x86_64 tests/qtest/vtgpu-test) ;;
fuzz)	QBUILD=$(qemu_fuzz_build_dir)
	CONFIGURE=("${QEMU_FUZZ_CONFIGURE[@]}")
	TARGETS=(qemu-fuzz-x86_64) ;;
*)	die "usage: $0 [fuzz]" ;;
esac

"$VTGPU_TOP/ci/get-sources.sh"
"$VTGPU_TOP/qemu-device/install.sh" "$QEMU_SRC"

if [ ! -f "$QBUILD/build.ninja" ]; then
	step "configure qemu ${CONFIGURE[*]}"
	rm -rf "$QBUILD" && mkdir -p "$QBUILD"
	(cd "$QBUILD" && qemu_env "$QEMU_SRC/configure" "${CONFIGURE[@]}" \
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

step "build ${TARGETS[*]} in $QBUILD"
qemu_env ninja -C "$QBUILD" "${TARGETS[@]}" >"$QBUILD/ninja.log" 2>&1 || {
	grep -E 'error|FAILED' "$QBUILD/ninja.log" | head -n 30 >&2
	die "qemu build failed (see $QBUILD/ninja.log)"
}
step_done
