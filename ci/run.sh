#!/bin/bash
# The main job: install what the host lacks, build the lockdep kernel with
# drm/vtgpu, QEMU with the vtgpu device and the igt tests, boot a guest,
# run the igt suite in it and print the verdict. Arguments and environment
# are those of ci/run-guest.sh.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

build_all
exec "$VTGPU_TOP/ci/run-guest.sh"
