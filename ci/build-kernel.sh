#!/bin/bash
# Build the guest kernel with drm/vtgpu in-tree: the driver and uapi header
# are copied into the cached linux-source-6.1 tree with the same Kconfig and
# Makefile lines the upstream patch adds, then an incremental out-of-tree
# (O=) build runs in a directory keyed by kernel version and config.
# A driver-only edit therefore rebuilds only the driver.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

"$VTGPU_TOP/ci/get-sources.sh"
KBUILD=$(kernel_build_dir)
JOBS=${JOBS:-$(nproc)}

# Copy only what changed, so that make sees the right timestamps.
install_driver() {
	mkdir -p "$KERNEL_SRC/drivers/gpu/drm/vtgpu"
	rsync -rc --delete "$VTGPU_TOP/drivers/gpu/drm/vtgpu/" \
		"$KERNEL_SRC/drivers/gpu/drm/vtgpu/"
	rsync -c "$VTGPU_TOP/include/uapi/drm/vtgpu_drm.h" \
		"$KERNEL_SRC/include/uapi/drm/vtgpu_drm.h"

	grep -q 'drm/vtgpu/Kconfig' "$KERNEL_SRC/drivers/gpu/drm/Kconfig" ||
		sed -i '\|^source "drivers/gpu/drm/vmwgfx/Kconfig"|a source "drivers/gpu/drm/vtgpu/Kconfig"' \
			"$KERNEL_SRC/drivers/gpu/drm/Kconfig"
	grep -q 'vtgpu/' "$KERNEL_SRC/drivers/gpu/drm/Makefile" ||
		sed -i '\|^obj-$(CONFIG_DRM_VGEM)|a obj-$(CONFIG_DRM_VTGPU)	+= vtgpu/' \
			"$KERNEL_SRC/drivers/gpu/drm/Makefile"
	grep -q 'drm/vtgpu/Kconfig' "$KERNEL_SRC/drivers/gpu/drm/Kconfig" &&
		grep -q 'vtgpu/' "$KERNEL_SRC/drivers/gpu/drm/Makefile" ||
		die "could not hook vtgpu into drivers/gpu/drm/{Kconfig,Makefile}"
}

configure() {
	local frag

	[ -f "$KBUILD/.config" ] && return
	step "configure kernel: x86_64_defconfig + $KCONFIG_FRAGMENTS"
	mkdir -p "$KBUILD"
	make -s -C "$KERNEL_SRC" O="$KBUILD" x86_64_defconfig
	# shellcheck disable=SC2046
	"$KERNEL_SRC/scripts/kconfig/merge_config.sh" -m -O "$KBUILD" \
		"$KBUILD/.config" $(fragment_files) >"$KBUILD/merge.log"
	make -s -C "$KERNEL_SRC" O="$KBUILD" olddefconfig
	# Every option a fragment asks for must have survived olddefconfig.
	for frag in $(fragment_files); do
		grep -E '^CONFIG_[A-Z0-9_]+=' "$frag" | while IFS= read -r opt; do
			case $opt in *=n) grep -qx "# ${opt%=n} is not set" "$KBUILD/.config" ||
				! grep -q "^${opt%=n}=" "$KBUILD/.config" || die "$opt did not stick" ;;
			*) grep -qx "$opt" "$KBUILD/.config" || die "$opt did not stick (see $KBUILD/merge.log)" ;;
			esac
		done
	done
	step_done
}

install_driver
configure
step "build kernel in $KBUILD (-j$JOBS)"
make -s -C "$KERNEL_SRC" O="$KBUILD" -j"$JOBS" bzImage modules
rm -rf "$KBUILD/modroot.new"
make -s -C "$KERNEL_SRC" O="$KBUILD" INSTALL_MOD_PATH="$KBUILD/modroot.new" \
	INSTALL_MOD_STRIP=1 modules_install >/dev/null
rm -rf "$KBUILD/modroot" && mv "$KBUILD/modroot.new" "$KBUILD/modroot"
step_done
