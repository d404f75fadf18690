#!/bin/bash
# Unpack the kernel (Debian's linux-source-6.1) and QEMU (Debian's qemu
# source package) into the cache, once per Debian version.
# Prints nothing on stdout; the trees' paths come from ci/lib.sh.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

mkdir -p "$VTGPU_CACHE"

if [ ! -f "$KERNEL_SRC/.vtgpu-unpacked" ]; then
	step "unpack linux-source $(kernel_version)"
	tarball=$(ls /usr/src/linux-source-6.1.tar.* | head -n1)
	rm -rf "$KERNEL_SRC" "$KERNEL_SRC.tmp"
	mkdir -p "$KERNEL_SRC.tmp"
	tar -C "$KERNEL_SRC.tmp" -xf "$tarball"
	mv "$KERNEL_SRC.tmp/linux-source-6.1" "$KERNEL_SRC"
	rmdir "$KERNEL_SRC.tmp"
	touch "$KERNEL_SRC/.vtgpu-unpacked"
	step_done
fi

if [ ! -f "$QEMU_SRC/.vtgpu-unpacked" ]; then
	step "apt-get source qemu $(qemu_version)"
	work=$VTGPU_CACHE/qemu-dl
	rm -rf "$work" "$QEMU_SRC"
	mkdir -p "$work"
	(cd "$work" && apt-get source -qq "qemu=$(qemu_version)" >/dev/null 2>&1) ||
		die "apt-get source qemu failed (is there a deb-src entry? run ci/setup-host.sh)"
	dir=$(find "$work" -mindepth 1 -maxdepth 1 -type d -name 'qemu-*' | head -n1)
	[ -n "$dir" ] || die "apt-get source unpacked no qemu-* directory"
	mv "$dir" "$QEMU_SRC"
	rm -rf "$work"
	touch "$QEMU_SRC/.vtgpu-unpacked"
	step_done
fi
