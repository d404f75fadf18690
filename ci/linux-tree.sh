#!/bin/bash
# The kernel tree the guest kernel is built from:
#
#   ci/linux-tree.sh
#
# prints the path of a git worktree in the cache, $(linux_tree_dir): the
# base with the Linux series of ci/make-patches.sh applied by `git am`
# (applying it is the proof that it applies), and on a 6.12 base the
# backport series of ci/backports/6.12 after it. The base is Debian's
# linux-source-$DEBIAN_KERNEL (ci/pristine.sh), or the user's git tree in
# $KERNEL_SRC at its HEAD, with its uncommitted changes to tracked files.
# $KERNEL_SRC is only read: the worktree is a `git clone --shared` of it.
#
# A base older than the driver's mainline form is refused with one line
# naming what it lacks. The series is applied again only when it, or the
# base, changed; files it does not touch keep their timestamps, so that
# the O= build (ci/build-kernel.sh) stays incremental.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

tree=$(linux_tree_dir)
git_id=(-c user.name=vtgpu -c user.email=vtgpu@localhost)

if [ -n "$KERNEL_SRC" ]; then
	base_repo=$(cd "$KERNEL_SRC" && pwd)
	base=$(git -C "$base_repo" rev-parse --verify HEAD)
	diff=$(git -C "$base_repo" diff --binary HEAD)
else
	base_repo=$("$VTGPU_TOP/ci/pristine.sh" linux)
	base=$(git -C "$base_repo" rev-parse --verify pristine)
	diff=
fi

# The base's version, and whether the driver's mainline form builds on it.
version=$(git -C "$base_repo" show "$base:Makefile" |
	awk '/^VERSION =/ { v = $3 } /^PATCHLEVEL =/ { p = $3 } END { print v "." p }')
backports=
# The series is cut against Debian's 7.3: on other trees, the context of
# MAINTAINERS and the Kconfig and Makefile hooks may differ a little.
am_opts=(-C1)
[ -n "$KERNEL_SRC" ] || [ "$DEBIAN_KERNEL" != 7.3 ] || am_opts=()
if [ "$version" = 6.12 ]; then
	backports=$VTGPU_TOP/ci/backports/6.12
	# 6.12's drivers/gpu/drm/Kconfig is not sorted yet: its first
	# backport adds the source line there.
	am_opts+=(--exclude=drivers/gpu/drm/Kconfig)
elif ! git -C "$base_repo" grep -q 'void ttm_bo_fini(' "$base" -- include/drm/ttm/ttm_bo.h; then
	die "${KERNEL_SRC:-linux-source-$DEBIAN_KERNEL} (Linux $version) lacks ttm_bo_fini() in include/drm/ttm/ttm_bo.h: vtgpu is written for Linux 7.3, and 6.12 has a backport series; use a newer tree"
fi

"$VTGPU_TOP/ci/make-patches.sh" linux >&2
series=$(ls "$VTGPU_OUT"/patches/linux/[0-9][0-9][0-9][0-9]-*.patch | grep -v '/0000-')
extra=
[ -z "$backports" ] || extra=$(ls "$backports"/*.patch)

# What the worktree holds: the base, its changes, the series' contents
# (not their dates), the backports.
# shellcheck disable=SC2086
stamp=$({
	echo "$base"
	printf '%s' "$diff" | sha256sum
	sed '/^Date: /d; /^From [0-9a-f]* /d' $series $extra | sha256sum
} | sha256sum | cut -c1-16)
[ "$(cat "$tree/.git/vtgpu-stamp" 2>/dev/null)" = "$stamp" ] && { echo "$tree"; exit 0; }

step "apply the Linux series to $(basename "$tree") (Linux $version${backports:+, with the 6.12 backports})"
if ! git -C "$tree" rev-parse -q --verify HEAD >/dev/null 2>&1; then
	rm -rf "$tree"
	git clone -q --shared --no-checkout "$base_repo" "$tree"
	git -C "$tree" config gc.auto 0
fi
git -C "$tree" am --abort >/dev/null 2>&1 || true
# The clone borrows the base's objects: its new commits are seen at once.
git -C "$tree" cat-file -e "$base^{commit}" ||
	die "$tree does not see $base of $base_repo: remove $tree"

# Files the series touches keep their timestamps when their contents do
# not change: remember them, reset to the base, apply, and put back.
mtimes=$(mktemp)
trap 'rm -f "$mtimes"' EXIT
if git -C "$tree" rev-parse -q --verify HEAD >/dev/null; then
	git -C "$tree" diff --name-only "$base" HEAD | while read -r f; do
		[ -f "$tree/$f" ] && printf '%s %s %s\n' \
			"$(git -C "$tree" hash-object "$f")" "$(stat -c %Y "$tree/$f")" "$f"
	done >"$mtimes"
fi
git -C "$tree" checkout -q -f --detach "$base"
if [ -n "$diff" ]; then
	printf '%s\n' "$diff" | git -C "$tree" apply --index --binary ||
		die "the uncommitted changes of $KERNEL_SRC do not apply to its HEAD"
	git -C "$tree" "${git_id[@]}" commit -q -m "uncommitted changes of $KERNEL_SRC"
fi
# shellcheck disable=SC2086
git -C "$tree" "${git_id[@]}" am -q "${am_opts[@]}" $series ||
	die "the Linux series does not apply to ${KERNEL_SRC:-linux-source-$DEBIAN_KERNEL}: see git -C $tree am --show-current-patch"
if [ -n "$extra" ]; then
	# shellcheck disable=SC2086
	git -C "$tree" "${git_id[@]}" am -q $extra ||
		die "the 6.12 backports do not apply: see git -C $tree am --show-current-patch"
fi
while read -r hash mtime f; do
	[ -f "$tree/$f" ] && [ "$(git -C "$tree" hash-object "$f")" = "$hash" ] &&
		touch -d "@$mtime" "$tree/$f"
done <"$mtimes"
echo "$stamp" >"$tree/.git/vtgpu-stamp"
step_done
echo "$tree"
