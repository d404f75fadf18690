#!/bin/bash
# Build igt-gpu-tools 2.2 with the igt series applied: libigt, igt_runner,
# igt_results, the vtgpu tests and igt's generic tests that run against
# vtgpu ($IGT_GENERIC_TESTS), not all of igt.
#
# The source is the pristine tree of ci/pristine.sh with the series of
# ci/make-patches.sh ($VTGPU_OUT/patches/igt) applied, kept in
# $VTGPU_CACHE/igt-KEY/src, KEY being the igt source's (ci/lib.sh's
# igt_version). It is refreshed file by file, so that a file the series
# leaves alone keeps its time stamp and ninja rebuilds only what changed.
# libvtgpu (static) is installed into the build directory, where igt's
# meson finds it with pkg-config.
#
# Copies what a guest runs into $VTGPU_OUT/igt, in the build's layout
# (the binaries find libigt.so by an $ORIGIN-relative rpath):
# lib/libigt.so.0 and igt's other shared libraries, runner/igt_runner,
# runner/igt_results, tests/NAME and tests/vtgpu/NAME.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

repo=$("$VTGPU_TOP/ci/pristine.sh" igt)
"$VTGPU_TOP/ci/make-patches.sh" igt

dir=$(igt_dir)
src=$dir/src
build=$(igt_build_dir)
mkdir -p "$dir"
# One build at a time per source: another checkout may share the cache.
exec 9>"$dir/.lock"
flock 9

step "igt $IGT_VERSION: the series applied"
tmp=$dir/src.tmp
rm -rf "$tmp" && mkdir -p "$tmp"
git -C "$repo" archive pristine | tar -x -C "$tmp"
for p in "$VTGPU_OUT"/patches/igt/[0-9][0-9][0-9][0-9]-*.patch; do
	[ "${p##*/}" = 0000-cover-letter.patch ] && continue
	patch -s -p1 -d "$tmp" --no-backup-if-mismatch <"$p" ||
		die "igt: $(basename "$p") does not apply (ci/check-patches.sh igt says more)"
done
mkdir -p "$src"
# By content, without times: an unchanged file keeps its time stamp.
rsync -rlpc --delete "$tmp/" "$src/"
rm -rf "$tmp"
step_done

step "igt $IGT_VERSION: libvtgpu"
make -s -C "$VTGPU_TOP/libvtgpu" O="$build/libvtgpu-obj" \
	PREFIX="$build/libvtgpu" install >/dev/null
# Static only: the guest runs the tests from this build, without a
# libvtgpu.so installed anywhere it looks.
rm -f "$build"/libvtgpu/lib/libvtgpu.so*
step_done

if [ ! -f "$build/build.ninja" ]; then
	step "igt $IGT_VERSION: meson setup"
	rm -rf "$build/meson-private"
	PKG_CONFIG_PATH=$build/libvtgpu/lib/pkgconfig \
		meson setup "$build" "$src" "${IGT_MESON_OPTIONS[@]}" >"$dir/setup.log" 2>&1 ||
		{ tail -n 30 "$dir/setup.log" >&2; die "igt: meson setup failed ($dir/setup.log)"; }
	step_done
fi

vtgpu_tests=$(cd "$VTGPU_TOP/igt-tests/tests/vtgpu" && ls vtgpu_*.c | sed 's/\.c$//')
targets=(lib/libigt.so.0 runner/igt_runner runner/igt_results)
for t in $vtgpu_tests; do targets+=("tests/vtgpu/$t"); done
for t in $IGT_GENERIC_TESTS; do targets+=("tests/$t"); done

step "igt $IGT_VERSION: build ${#targets[@]} targets"
PKG_CONFIG_PATH=$build/libvtgpu/lib/pkgconfig \
	nice ninja -C "$build" "${targets[@]}" >"$dir/build.log" 2>&1 ||
	{ grep -E -A3 'error' "$dir/build.log" | head -n 40 >&2; die "igt: build failed ($dir/build.log)"; }
step_done

rm -rf "$VTGPU_OUT/igt"
for t in "${targets[@]}"; do
	mkdir -p "$VTGPU_OUT/igt/$(dirname "$t")"
	cp -a "$build/$t" "$VTGPU_OUT/igt/$t"
done
# igt's other shared libraries the tests link, beside libigt where their
# rpath looks: core_hotunplug links libi915_perf, which a bare machine
# has nowhere else.
find "$build/lib" -maxdepth 1 -name 'lib*.so.*' ! -type d \
	-exec cp -a {} "$VTGPU_OUT/igt/lib/" \;
