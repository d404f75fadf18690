#!/bin/bash
# The live-migration test: a guest of its own (an initramfs with busybox,
# vtgpu.ko and vtgpu-migrate, no 9p root, which would block migration)
# runs the client of ci/migration/vtgpu-migrate.c, and ci/migration/drive.py
# migrates it, running, to a second QEMU on this machine over QMP, then
# checks every BO's bytes, the jobs that were in flight and both kernel
# logs. The guest has no QMP of its own. Ends with "N passed, N failed".
#
# Environment: ENGINE_DELAY_US (default 300000), the device's delay per
# command, which keeps the client's jobs in flight during the migration.
set -euo pipefail
. "$(dirname "$0")/../lib.sh"

KBUILD=$(kernel_build_dir)
QBUILD=$(qemu_build_dir)
KVER=$(cat "$KBUILD/include/config/kernel.release")
ENGINE_DELAY_US=${ENGINE_DELAY_US:-300000}
need_numbers 0 ENGINE_DELAY_US

RUN=$VTGPU_CACHE/migration-runs/$(date +%Y%m%d-%H%M%S)-$$
mkdir -p "$RUN"
# Keep the five newest runs, and any older one whose run.sh (the PID in
# its name) still runs.
find "$VTGPU_CACHE/migration-runs" -mindepth 1 -maxdepth 1 -type d | sort |
	head -n -5 | while read -r old; do
		kill -0 "${old##*-}" 2>/dev/null || rm -rf "$old"
	done
# Unix socket paths have a 108-byte limit the cache's path may not leave
# room for.
SOCKETS=$(mktemp -d /tmp/vtgpu-migration.XXXXXX)
trap 'rm -rf "$SOCKETS"' EXIT

make -s -C "$VTGPU_TOP/libvtgpu" O="$VTGPU_OUT/libvtgpu"
make -s -C "$VTGPU_TOP/ci/migration" O="$VTGPU_OUT/migration" \
	LIBVTGPU="$VTGPU_OUT/libvtgpu"

# The initramfs: busybox, the client with the libraries it links, the
# kernel's modules.
root=$RUN/initramfs
mkdir -p "$root/bin" "$root/proc" "$root/sys" "$root/dev" "$root/lib/modules"
ldd /bin/busybox >/dev/null 2>&1 &&
	die "/bin/busybox is linked dynamically: install busybox-static (ci/setup-host.sh)"
cp /bin/busybox "$root/bin/busybox"
install -m 755 "$VTGPU_TOP/ci/migration/init.sh" "$root/init"
cp "$VTGPU_OUT/migration/vtgpu-migrate" "$root/bin/"
for lib in $(ldd "$VTGPU_OUT/migration/vtgpu-migrate" | grep -o '/[^ ]*'); do
	mkdir -p "$root$(dirname "$lib")"
	cp -L "$lib" "$root$lib"
done
cp -a "$KBUILD/modroot/lib/modules/$KVER" "$root/lib/modules/"
(cd "$root" && find . | cpio -o -H newc --quiet) | gzip -1 >"$RUN/initramfs.cpio.gz"

step "live migration: guest with jobs in flight, to a second QEMU"
# drive.py ends everything in 600 s; TERM, then KILL, if it does not.
timeout -k 30 660 python3 "$VTGPU_TOP/ci/migration/drive.py" \
	--dir "$RUN" --sockets "$SOCKETS" --timeout 600 \
	--qemu "$QBUILD/qemu-system-x86_64" \
	--kernel "$KBUILD/arch/x86/boot/bzImage" \
	--initrd "$RUN/initramfs.cpio.gz" \
	--device "vtgpu,engine-delay-us=$ENGINE_DELAY_US"
