#!/bin/busybox sh
# SPDX-License-Identifier: GPL-2.0-only
# init of the live-migration test's guest (ci/migration/run.sh): an
# initramfs with busybox, vtgpu.ko and vtgpu-migrate. It runs the client on
# the port org.vtgpu.migration and powers off; the host reads the kernel
# log on the serial console.
/bin/busybox --install -s /bin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
# where vtgpu-migrate reads where each BO is (the "handles" file)
mount -t debugfs debugfs /sys/kernel/debug

modprobe vtgpu || echo "vtgpu-migrate: modprobe vtgpu failed"
node=/dev/dri/renderD128
port=
for i in $(seq 300); do
	for p in /sys/class/virtio-ports/*; do
		[ "$(cat "$p/name" 2>/dev/null)" = org.vtgpu.migration ] &&
			port=/dev/${p##*/}
	done
	[ -e "$node" ] && [ -n "$port" ] && [ -e "$port" ] && break
	sleep 0.1
done

/bin/vtgpu-migrate "$node" "$port"
echo "vtgpu-migrate: exit $?"
poweroff -f
