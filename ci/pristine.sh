#!/bin/bash
# Pristine source trees to cut and check the upstream series against:
#
#   ci/pristine.sh linux|qemu|igt
#
# prints the path of a git repository holding Debian's source of that
# project as one commit, tagged "pristine": linux-source-7.3's tarball (or
# 6.12's, with DEBIAN_KERNEL=6.12), QEMU's source package of sid
# ($QEMU_VERSION) and `apt-get source intel-gpu-tools` (Debian's patches
# applied, as the packages build them). Each is unpacked once into
# $VTGPU_CACHE/pristine/, keyed by its Debian version, and never written to
# but by git: the series are applied on throwaway branches
# (ci/check-patches.sh) and cut with git plumbing (ci/make-patches.sh).
#
# When Debian's archive does not serve the igt source (the one this
# project uses has the .dsc of intel-gpu-tools but not its tarballs), the
# igt repository is an empty tree instead, at PATH-nosource, with
# .git/vtgpu-nosource: the igt series only adds files, and is applied
# there. The real source is tried again on every call.
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
			git commit -q --allow-empty -m "pristine $what source as Debian ships it"
		git tag pristine
		touch .git/vtgpu-pristine
	)
}

# apt_source PACKAGE VERSION: unpack Debian's source package into $repo.
apt_source() {
	local dir
	(cd "$work" && apt-get source -qq "$1=$2" >/dev/null 2>&1) || {
		[ "$what" = igt ] && return 1
		die "apt-get source $1=$2 failed (is there a deb-src entry? run ci/setup-host.sh)"
	}
	dir=$(find "$work" -mindepth 1 -maxdepth 1 -type d | head -n1)
	[ -n "$dir" ] || die "apt-get source $1 unpacked no directory"
	mv "$dir" "$repo"
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
	step "apt-get source intel-gpu-tools $(igt_version) (pristine)"
	if ! apt_source intel-gpu-tools "$(igt_version)"; then
		rm -rf "$work"
		log "apt-get source intel-gpu-tools failed: the igt series goes on an empty tree"
		repo=$repo-nosource
		if [ ! -f "$repo/.git/vtgpu-pristine" ]; then
			rm -rf "$repo" && mkdir -p "$repo"
			init_repo "$repo"
			touch "$repo/.git/vtgpu-nosource"
		fi
		echo "$repo"
		exit 0
	fi
	;;
*)
	die "unknown tree $what"
	;;
esac
rm -rf "$work"

# One commit, the whole tree as Debian ships it (its .gitignore files would
# hide shipped files, so they are ignored themselves).
init_repo "$repo"
step_done
echo "$repo"
