#!/bin/bash
# Build the igt tests against Debian's libigt.so.0 into $VTGPU_OUT/igt,
# and the benchmarks into $VTGPU_OUT/bench.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

step "build igt tests"
make -s -C "$VTGPU_TOP/igt-tests" O="$VTGPU_OUT/igt"
make -s -C "$VTGPU_TOP/bench" O="$VTGPU_OUT/bench"
step_done
