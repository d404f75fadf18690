#!/bin/bash
# Build libvtgpu into $VTGPU_OUT/libvtgpu, the igt tests (against Debian's
# libigt.so.0 and libvtgpu) into $VTGPU_OUT/igt, vtgpu-info into
# $VTGPU_OUT/tools and the benchmarks into $VTGPU_OUT/bench.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

step "build libvtgpu, the igt tests, vtgpu-info and the benchmarks"
make -s -C "$VTGPU_TOP/libvtgpu" O="$VTGPU_OUT/libvtgpu"
make -s -C "$VTGPU_TOP/igt-tests" O="$VTGPU_OUT/igt" LIBVTGPU="$VTGPU_OUT/libvtgpu"
make -s -C "$VTGPU_TOP/tools/vtgpu-info" O="$VTGPU_OUT/tools" \
	LIBVTGPU="$VTGPU_OUT/libvtgpu"
make -s -C "$VTGPU_TOP/bench" O="$VTGPU_OUT/bench"
step_done
