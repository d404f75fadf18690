#!/bin/bash
# Build the igt tests against Debian's libigt.so.0 into $VTGPU_OUT/igt.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

step "build igt tests"
make -s -C "$VTGPU_TOP/igt-tests" O="$VTGPU_OUT/igt"
step_done
