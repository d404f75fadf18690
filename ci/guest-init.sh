#!/bin/bash
# PID 1 of the test guest. The root is the host's / (read-only, virtio-9p);
# the run directory is shared writable as 9p tag "vtgpu_run". This mounts
# what a test needs, loads the modules built for this kernel, hands over to
# the run directory's guest-run.sh and powers off whatever happens.

export PATH=/usr/sbin:/usr/bin:/sbin:/bin
export HOME=/root LANG=C.UTF-8

mount -t proc proc /proc
mount -t sysfs sysfs /sys
mountpoint -q /dev || mount -t devtmpfs devtmpfs /dev
mkdir -p /dev/pts /dev/shm
mount -t devpts devpts /dev/pts
mount -t tmpfs tmpfs /dev/shm
mount -t tmpfs tmpfs /tmp
mount -t tmpfs tmpfs /run
mount -t debugfs debugfs /sys/kernel/debug
# cgroup2, as systemd mounts it: vtgpu_evict's dmem subtests use it.
mount -t cgroup2 cgroup2 /sys/fs/cgroup
# igt writes its trace markers through debugfs's automount of tracefs,
# whose first use the kernel warns about (igt_runner would blame the test
# that happened to be first): use it once now.
ls /sys/kernel/debug/tracing >/dev/null 2>&1
mkdir -p /run/vtgpu
mount -t 9p -o trans=virtio,version=9p2000.L,msize=262144 vtgpu_run /run/vtgpu

if [ -x /run/vtgpu/guest-run.sh ]; then
	/run/vtgpu/guest-run.sh
else
	echo "vtgpu: no run directory shared as vtgpu_run" >/dev/kmsg
fi

sync
echo o >/proc/sysrq-trigger
sleep 10
