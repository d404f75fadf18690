#!/bin/bash
# The main job: install what the host lacks, build the lockdep kernel with
# drm/vtgpu, QEMU with the vtgpu device and the igt tests, boot a guest,
# run the igt suite in it and print the verdict; then the live-migration
# test (ci/migration/run.sh). Arguments and environment are those of
# ci/run-guest.sh; with TESTS, BENCH or INTERACTIVE set, only the guest
# runs.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

build_all
if [ -n "${TESTS:-}${BENCH:-}" ] || [ "${INTERACTIVE:-0}" = 1 ]; then
	exec "$VTGPU_TOP/ci/run-guest.sh"
fi
rc=0
"$VTGPU_TOP/ci/run-guest.sh" || rc=$?
"$VTGPU_TOP/ci/migration/run.sh" || rc=$?
exit $rc
