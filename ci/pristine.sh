#!/bin/bash
# Pristine source trees to cut and check the upstream series against:
#
#   ci/pristine.sh linux|qemu|igt
#
# prints the path of a git repository holding the source of that project
# as one commit, tagged "pristine": linux-source-7.3's tarball (or 6.12's,
# with DEBIAN_KERNEL=6.12), QEMU's source package of sid ($QEMU_VERSION,
# Debian's patches applied, as the packages build them) and igt-gpu-tools
# $IGT_VERSION (the tarball of ci/lib.sh's igt_tarball, or a clone of igt's
# repository at $IGT_COMMIT). Each is unpacked once into
# $VTGPU_CACHE/pristine/, keyed by its version, and never written to but by
# git: the series are applied on throwaway branches (ci/check-patches.sh)
# and cut with git plumbing (ci/make-patches.sh).
#
# igt's tarball comes from a mirror that lacks three i915 OA metric files
# which igt's lib/meson.build lists unconditionally; then
# ci/patches/igt-base/ makes them optional, in a second commit that
# "pristine" tags. Nothing of vtgpu's touches them.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

[ $# -eq 1 ] || die "usage: $0 linux|qemu|igt"
what=$1
repo=$(pristine_dir "$what")
[ -f "$repo/.git/vtgpu-pristine" ] && { echo "$repo"; exit 0; }

work=$repo.tmp
rm -rf "$repo" "$work"
mkdir -p "$work"

# init_repo TREE: one commit of TREE as it is, tagged "pristine".
init_repo() {
	(
		cd "$1"
		git init -q
		git config core.excludesFile /dev/null
		git config gc.auto 0
		git config core.compression 1
		git add -A -f .
		GIT_AUTHOR_NAME=vtgpu GIT_AUTHOR_EMAIL=vtgpu@localhost \
			GIT_COMMITTER_NAME=vtgpu GIT_COMMITTER_EMAIL=vtgpu@localhost \
			GIT_AUTHOR_DATE='2000-01-01T00:00:00Z' \
			GIT_COMMITTER_DATE='2000-01-01T00:00:00Z' \
			git commit -q --allow-empty -m "pristine $what source as it ships"
		git tag pristine
	)
}

case $what in
linux)
	"$VTGPU_TOP/ci/get-sources.sh"
	step "unpack pristine linux-source-$DEBIAN_KERNEL $(kernel_version)"
	dpkg-deb --fsys-tarfile "$VTGPU_CACHE/debs/linux-source-${DEBIAN_KERNEL}_$(kernel_version)_all.deb" |
		tar -C "$work" -x ./usr/src/
	tar -C "$work" -xf "$work/usr/src/linux-source-$DEBIAN_KERNEL.tar.xz"
	mv "$work/linux-source-$DEBIAN_KERNEL" "$repo"
	;;
qemu)
	"$VTGPU_TOP/ci/get-sources.sh"
	step "unpack pristine qemu $(qemu_version)"
	dpkg-source -q --no-copy -x "$VTGPU_CACHE/debs/qemu-$(qemu_version | path_safe)"/qemu_*.dsc \
		"$repo" >/dev/null 2>&1 || die "dpkg-source -x qemu failed"
	;;
igt)
	tarball=$(igt_tarball)
	if [ -n "$tarball" ]; then
		step "unpack pristine igt-gpu-tools $IGT_VERSION ($tarball)"
		# Kept in the cache for checkouts that have no ../shared beside them.
		mkdir -p "$VTGPU_CACHE/debs"
		cp -u "$tarball" "$VTGPU_CACHE/debs/"
		tar -C "$work" -xf "$tarball"
		mv "$work/igt-gpu-tools-$IGT_VERSION" "$repo"
	else
		step "clone igt-gpu-tools $IGT_VERSION ($IGT_COMMIT) from $IGT_REPO"
		git clone -q "$IGT_REPO" "$work/igt" ||
			die "no igt tarball (IGT_TARBALL) and cloning $IGT_REPO failed"
		git -C "$work/igt" checkout -q "$IGT_COMMIT"
		rm -rf "$work/igt/.git"
		mv "$work/igt" "$repo"
	fi
	;;
*)
	die "unknown tree $what"
	;;
esac
rm -rf "$work"

# One commit, the whole tree as it ships (its .gitignore files would hide
# shipped files, so they are ignored themselves).
init_repo "$repo"
if [ "$what" = igt ] && [ ! -e "$repo/lib/i915/perf-configs/oa-acmgt1.xml" ]; then
	(
		cd "$repo"
		patch -s -p1 <"$VTGPU_TOP/ci/patches/igt-base/optional-i915-acmgt-oa.patch"
		git add -A -f .
		GIT_AUTHOR_NAME=vtgpu GIT_AUTHOR_EMAIL=vtgpu@localhost \
			GIT_COMMITTER_NAME=vtgpu GIT_COMMITTER_EMAIL=vtgpu@localhost \
			GIT_AUTHOR_DATE='2000-01-01T00:00:00Z' \
			GIT_COMMITTER_DATE='2000-01-01T00:00:00Z' \
			git commit -q -m "lib: make the i915 OA metrics of DG2 optional (not in the tarball)"
		git tag -f pristine >/dev/null
	)
fi
touch "$repo/.git/vtgpu-pristine"
step_done
echo "$repo"
