#!/bin/bash
# Install everything vtgpu needs on a bare Debian 12 host, from Debian's
# archive only. A deb-src entry is derived from the machine's own apt
# sources when none exists, so that `apt-get source qemu` works.
# Idempotent: a second run installs nothing and prints what it checked.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

SUDO=
[ "$(id -u)" = 0 ] || SUDO=sudo

PKGS=(
	# kernel build
	build-essential bc bison flex libelf-dev libssl-dev cpio kmod
	xz-utils zstd rsync sparse python3
	# qemu build (Debian's source drops the bundled dtc and wheels: dtc comes
	# from Debian, meson >= 1.5 from trixie via ci/get-sources.sh; virtfs
	# needs attr and cap-ng); meson also builds igt
	dpkg-dev meson ninja-build pkg-config libglib2.0-dev libpixman-1-dev
	zlib1g-dev libattr1-dev libcap-ng-dev libfdt-dev python3-venv
	# guest firmware, taken from the distribution
	seabios qemu-system-data
	# igt 2.2 from source (ci/build-igt.sh): libigt, igt_runner, the tests
	libkmod-dev libproc2-dev libdw-dev libcairo2-dev libudev-dev
	libjson-c-dev libpciaccess-dev
	# tests and guest clients; busybox is the live-migration guest's shell
	libdrm-dev libdrm-tests drm-info busybox-static
	# reports and benchmark plots
	jq gnuplot-nox
	# checkpatch.pl's SPDX check (scripts/spdxcheck.py), for the series
	python3-ply python3-git
	# the device fuzzer (ci/build-qemu.sh fuzz): clang with libFuzzer and
	# the sanitizer runtimes, llvm-symbolizer for the reports
	clang-14 libclang-rt-14-dev llvm-14
)

add_deb_src() {
	local src=/etc/apt/sources.list.d/debian.sources
	local out=/etc/apt/sources.list.d/vtgpu-deb-src.sources

	if grep -rqsE '^(Types:.*deb-src|deb-src )' /etc/apt/sources.list \
		/etc/apt/sources.list.d/; then
		return 1
	fi
	[ -f "$src" ] || die "no $src to derive a deb-src entry from"
	sed -e 's/^Types:.*$/Types: deb-src/' "$src" | $SUDO tee "$out" >/dev/null
	log "added $out (derived from $src)"
}

missing=()
for p in "${PKGS[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" ||
		missing+=("$p")
done

need_update=0
add_deb_src && need_update=1
[ ${#missing[@]} -eq 0 ] || need_update=1

if [ $need_update = 1 ]; then
	step "apt-get update"
	$SUDO apt-get update -qq
fi
if [ ${#missing[@]} -gt 0 ]; then
	step "apt-get install ${missing[*]}"
	DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq \
		--no-install-recommends "${missing[@]}" >/dev/null
fi
log "host packages present (${#PKGS[@]} checked)"
