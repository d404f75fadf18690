#!/bin/bash
# Build the guest kernel with drm/vtgpu in-tree: the Linux series applied
# to Linux 7.3 (or $KERNEL_SRC, or with DEBIAN_KERNEL=6.12 to 6.12 with the
# backports) by ci/linux-tree.sh, then an incremental out-of-tree (O=)
# build in a directory keyed by the tree and the config. A driver-only
# edit therefore rebuilds only the driver. While make runs, a line a
# minute says how many objects are built, against the last full build's
# count.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

[ -n "$KERNEL_SRC" ] || "$VTGPU_TOP/ci/get-sources.sh"
TREE=$("$VTGPU_TOP/ci/linux-tree.sh")
KBUILD=$(kernel_build_dir)
JOBS=${JOBS:-$(nproc)}
# Objects of the last full build, per kernel version.
COUNT=$VTGPU_CACHE/kbuild-objects-$(awk '/^VERSION =/ { v = $3 }
	/^PATCHLEVEL =/ { p = $3 } END { print v "." p }' "$TREE/Makefile")

configure() {
	local frag

	[ -f "$KBUILD/.config" ] && return
	step "configure kernel: x86_64_defconfig + $KCONFIG_FRAGMENTS"
	mkdir -p "$KBUILD"
	make -s -C "$TREE" O="$KBUILD" x86_64_defconfig
	# shellcheck disable=SC2046
	"$TREE/scripts/kconfig/merge_config.sh" -m -O "$KBUILD" \
		"$KBUILD/.config" $(fragment_files) >"$KBUILD/merge.log"
	make -s -C "$TREE" O="$KBUILD" olddefconfig
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

objects() { find "$KBUILD" -name '*.o' -newer "$KBUILD/.vtgpu-build-start" | wc -l; }

# make with a progress line a minute.
make_with_progress() {
	local pid full
	full=$(cat "$COUNT" 2>/dev/null || echo "?")
	touch "$KBUILD/.vtgpu-build-start"
	make -s -C "$TREE" O="$KBUILD" -j"$JOBS" "$@" &
	pid=$!
	while ! wait_timeout "$pid" 60; do
		log "  $(objects) objects built (a full build: $full)"
	done
	wait "$pid"
}

# wait_timeout PID SECONDS: true once PID has exited, false after SECONDS.
wait_timeout() {
	local i
	for ((i = 0; i < $2; i++)); do
		kill -0 "$1" 2>/dev/null || return 0
		sleep 1
	done
	return 1
}

configure
# Only a build from scratch says what a full build makes: an incremental
# one leaves the objects of options a config change turned off.
cold=0
[ -f "$KBUILD/vmlinux" ] || cold=1
step "build kernel in $KBUILD (-j$JOBS)"
make_with_progress bzImage modules
[ $cold = 0 ] || objects >"$COUNT"
rm -rf "$KBUILD/modroot.new"
make -s -C "$TREE" O="$KBUILD" INSTALL_MOD_PATH="$KBUILD/modroot.new" \
	INSTALL_MOD_STRIP=1 modules_install >/dev/null
rm -rf "$KBUILD/modroot" && mv "$KBUILD/modroot.new" "$KBUILD/modroot"
step_done
