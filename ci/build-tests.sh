#!/bin/bash
# Build libvtgpu into $VTGPU_OUT/libvtgpu, igt with the vtgpu tests
# (ci/build-igt.sh) into $VTGPU_OUT/igt, vtgpu-info into $VTGPU_OUT/tools
# and the benchmarks into $VTGPU_OUT/bench.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

"$VTGPU_TOP/ci/build-igt.sh"
step "build libvtgpu, vtgpu-info and the benchmarks"
make -s -C "$VTGPU_TOP/libvtgpu" O="$VTGPU_OUT/libvtgpu"
make -s -C "$VTGPU_TOP/tools/vtgpu-info" O="$VTGPU_OUT/tools" \
	LIBVTGPU="$VTGPU_OUT/libvtgpu"
make -s -C "$VTGPU_TOP/bench" O="$VTGPU_OUT/bench"
step_done
