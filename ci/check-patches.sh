#!/bin/bash
# Apply the upstream series of ci/make-patches.sh ($VTGPU_OUT/patches/) to
# the pristine trees of ci/pristine.sh and build them:
#
#   ci/check-patches.sh [linux] [qemu] [igt]     (default: all three)
#
# linux  `git am` each patch onto Linux 7.3 (Debian's linux-source-7.3);
#        check that this gives the tree the guest kernel is built from
#        (ci/linux-tree.sh applies the same series to the same tree), so
#        that the guest kernel's build is the full build with the series;
#        then, for each patch in turn: checkpatch.pl --strict on the patch,
#        kernel-doc -none on the C files it touches, and a build against
#        the guest kernel's build directory: the driver as an out-of-tree
#        module (make -C KBUILD M=...) with W=1 and sparse (C=1), no warning
#        allowed, or for the uapi patch the header installed and compiled
#        alone as the kernel's header test does. At the end, the kernel-doc
#        directives of Documentation/gpu/vtgpu.rst.
# qemu   `git am` each patch onto Debian's QEMU source; check that this
#        gives the tree ci/build-qemu.sh built (so that its build is the
#        build of the whole series, whose qtest the qtest stage runs); then,
#        for each patch, QEMU's checkpatch.pl and a compile of the C files
#        the series touched so far (or that include a header it touched)
#        with the main build's command lines, no warning allowed.
# igt    `git am` each patch onto igt-gpu-tools 2.2, meson setup at each
#        patch; the tree at the end must be the one ci/build-igt.sh built
#        (with --werror) and the guest runs.
#
# Every check prints PASS or FAIL and its name, a failure its output; the
# last line is "N passed, N failed". The series are
# applied on a branch "vtgpu-check" of the pristine repositories, which is
# reset every run. The kernel checks are against Linux 7.3 whatever
# DEBIAN_KERNEL or KERNEL_SRC say.
set -uo pipefail
. "$(dirname "$0")/lib.sh"
DEBIAN_KERNEL=7.3 KERNEL_SRC=

JOBS=${JOBS:-$(nproc)}
PATCHES=$VTGPU_OUT/patches
passed=0 failed=0

pass() { echo "PASS $*"; passed=$((passed + 1)); }
fail() { echo "FAIL $*"; failed=$((failed + 1)); }

# check NAME CMD...: run CMD; PASS if it succeeds, else FAIL and its output.
check() {
	local name=$1 out
	shift
	if out=$("$@" 2>&1); then
		pass "$name"
	else
		fail "$name"
		printf '%s\n' "$out" | tail -n 60 | sed 's/^/    /'
	fi
}

# The series' patches, the cover letter left out.
series() {
	ls "$PATCHES/$1"/[0-9][0-9][0-9][0-9]-*.patch 2>/dev/null | grep -v '/0000-'
}

# apply NAME REPO: reset REPO's vtgpu-check branch to the pristine commit
# and `git am` the series NAME onto it, one check per patch; COMMITS gets
# the commit of each. Fails when a patch does not apply.
apply() {
	local name=$1 repo=$2 p
	COMMITS=()
	git -C "$repo" am --abort >/dev/null 2>&1
	git -C "$repo" checkout -q -f -B vtgpu-check pristine &&
		git -C "$repo" clean -q -fdx || {
		fail "$name: reset $repo"
		return 1
	}
	for p in $(series "$name"); do
		if git -C "$repo" -c user.name=vtgpu -c user.email=vtgpu@localhost \
			am -q "$p" >/dev/null 2>&1; then
			pass "$name: git am $(basename "$p")"
			COMMITS+=("$(git -C "$repo" rev-parse HEAD)")
		else
			fail "$name: git am $(basename "$p")"
			git -C "$repo" am --show-current-patch=diff 2>&1 | head -n 5 | sed 's/^/    /'
			git -C "$repo" am --abort
			return 1
		fi
	done
	[ ${#COMMITS[@]} -gt 0 ] || { fail "$name: no patches in $PATCHES/$name"; return 1; }
}

# --------------------------------------------------------------- linux

# The driver of the tree's current commit, out of tree, W=1 and sparse.
linux_build_module() {
	local src=$1 kbuild=$2 dir log rc
	dir=$(mktemp -d)
	cp -r "$src/drivers/gpu/drm/vtgpu/." "$dir/"
	log=$(nice make -C "$kbuild" M="$dir" CONFIG_DRM_VTGPU=m W=1 C=1 \
		CHECK="$SPARSE" -j"$JOBS" modules 2>&1)
	rc=$?
	[ -f "$dir/vtgpu.ko" ] || rc=1
	rm -rf "$dir"
	printf '%s\n' "$log" | grep -vE '^make|^  [A-Z]+ |^  CC \[M\]|^  LD \[M\]'
	# Sparse ran (CHECK lines), and make did not find it too old.
	[ $rc -eq 0 ] && grep -q '^  CHECK ' <<<"$log" &&
		! grep -qiE 'warning|error|not up to date' <<<"$log"
}

# The uapi header the current commit adds, installed by `make headers`
# (in an O= directory of its own: it needs no configuration) and compiled
# alone, as usr/include/Makefile's header test does.
linux_build_uapi() {
	local src=$1 hdr=$2 h
	nice make -s -C "$src" O="$hdr" headers >/dev/null || return 1
	for h in $(git -C "$src" diff --name-only HEAD~ HEAD -- include/uapi/); do
		h=$hdr/usr/include/${h#include/uapi/}
		echo "$h"
		gcc -Werror -Wall -std=c90 -fsyntax-only -I"$hdr/usr/include" \
			-include "$h" -include "$h" -x c /dev/null || return 1
	done
}

linux_checkpatch() {
	(cd "$1" && PATH=/usr/bin:/bin:$PATH perl scripts/checkpatch.pl --strict -q "$2")
}

# kernel-doc -none on the C files the current commit touches.
linux_kernel_doc() {
	local src=$1 f out bad=0
	for f in $(git -C "$src" diff --name-only --diff-filter=AM HEAD~ HEAD -- '*.c' '*.h'); do
		echo "$f"
		out=$(cd "$src" && perl scripts/kernel-doc -none "$f" 2>&1)
		[ -z "$out" ] || { echo "$out"; bad=1; }
	done
	return $bad
}

# Every kernel-doc directive of Documentation/gpu/vtgpu.rst must produce
# text and no warning, and drivers.rst must list the page.
linux_docs() {
	local src=$1 rst=Documentation/gpu/vtgpu.rst file opt out err bad=0
	grep -qx '   vtgpu' "$src/Documentation/gpu/drivers.rst" ||
		{ echo "vtgpu is not in Documentation/gpu/drivers.rst"; bad=1; }
	while read -r file opt; do
		case $opt in
		:doc:*) set -- -function "${opt#:doc: }" ;;
		:internal:) set -- -internal ;;
		*) echo "$file: unknown option $opt"; bad=1; continue ;;
		esac
		err=$(mktemp)
		out=$(cd "$src" && perl scripts/kernel-doc -rst "$@" "$file" 2>"$err")
		echo "$file $*: $(wc -l <<<"$out") lines"
		if [ -z "$out" ] || grep -v 'Sphinx version' "$err" | grep -q .; then
			cat "$err"
			bad=1
		fi
		rm -f "$err"
	done < <(awk '/^\.\. kernel-doc::/ { file = $3; next }
		file && /^   :/ { sub(/^   /, ""); print file, $0; file = "" }' "$src/$rst")
	return $bad
}

# The series applied to pristine 7.3 must give the tree the guest kernel
# was built from (ci/linux-tree.sh): then the guest kernel's build is the
# full build with the series, and each patch is built against it with M=.
linux_same_tree() {
	local src=$1 tree=$2 want got
	want=$(git -C "$tree" rev-parse HEAD^{tree})
	got=$(git -C "$src" rev-parse HEAD^{tree})
	echo "pristine + series: $got; $tree: $want"
	[ "$got" = "$want" ]
}

check_linux() {
	local repo tree kbuild p i n t0
	repo=$("$VTGPU_TOP/ci/pristine.sh" linux) || { fail "linux: pristine tree"; return; }
	apply linux "$repo" || return
	n=${#COMMITS[@]}
	tree=$(linux_tree_dir)
	kbuild=$(kernel_build_dir)
	if [ ! -f "$kbuild/Module.symvers" ]; then
		fail "linux: no guest kernel build in $kbuild (run ci/build-kernel.sh)"
		return
	fi
	check "linux: the series on pristine 7.3 is the guest kernel's tree" \
		linux_same_tree "$repo" "$tree"
	check "linux: Documentation/gpu/vtgpu.rst kernel-doc directives" \
		linux_docs "$repo"

	t0=$(date +%s)
	i=0
	for p in $(series linux); do
		git -C "$repo" checkout -q "${COMMITS[$i]}"
		check "linux: checkpatch --strict $(basename "$p")" \
			linux_checkpatch "$repo" "$p"
		check "linux: kernel-doc -none $(basename "$p")" \
			linux_kernel_doc "$repo"
		if [ -d "$repo/drivers/gpu/drm/vtgpu" ]; then
			check "linux: build M=drivers/gpu/drm/vtgpu W=1 C=1 $(basename "$p")" \
				linux_build_module "$repo" "$kbuild"
		else
			check "linux: uapi header test $(basename "$p")" \
				linux_build_uapi "$repo" \
				"$VTGPU_CACHE/pristine/headers-$(kernel_version | path_safe)"
		fi
		i=$((i + 1))
	done
	git -C "$repo" checkout -q vtgpu-check
	log "linux: $n patches checked one by one: $(($(date +%s) - t0)) s"
}

# --------------------------------------------------------------- qemu

# The series applied to pristine QEMU gives the tree ci/build-qemu.sh
# built ($QEMU_SRC, where qemu-device/install.sh put the device), so that
# the main build is the build of the whole series and the qtest stage runs
# its qtest. Sources are the same but for the lines with which install.sh
# marks what it inserted; the lists it inserts into (meson.build, Kconfig,
# indexes, MAINTAINERS, which it leaves alone) hold the same lines, in
# another order.
qemu_same_tree() {
	local repo=$1 f bad=0 marks='^(# |/\* )vtgpu (begin|end)( \*/)?$'
	for f in $(git -C "$repo" diff --name-only pristine HEAD); do
		case $f in
		MAINTAINERS) continue ;;
		*.c | *.h | */trace-events | docs/specs/vtgpu.rst)
			grep -Ev "$marks" "$QEMU_SRC/$f" | cmp -s "$repo/$f" - ;;
		*)	cmp -s <(grep -v '^$' "$repo/$f" | sort) \
				<(grep -Ev "$marks|^\$" "$QEMU_SRC/$f" | sort) ;;
		esac || { echo "$f differs from $QEMU_SRC/$f"; bad=1; }
	done
	return $bad
}

# Compile the C files of the tree's current commit that the series
# touched, or that include a header it touched, with the main build's
# command lines (compile_commands.json) pointed at the tree: the same
# flags and generated headers, no second QEMU build. A warning fails.
qemu_compile() {
	local repo=$1 qbuild=$2
	python3 - "$repo" "$QEMU_SRC" "$qbuild" <<'PY'
import json, os, re, shlex, subprocess, sys, tempfile
repo, main_src, qbuild = sys.argv[1:4]
changed = subprocess.run(['git', '-C', repo, 'diff', '--name-only', 'pristine', 'HEAD'],
                         capture_output=True, text=True, check=True).stdout.split()
headers = [os.path.basename(f) for f in changed if f.endswith('.h')]
main_src = os.path.realpath(main_src)
bad = False
compiled = 0
with tempfile.TemporaryDirectory() as tmp:
    for e in json.load(open(os.path.join(qbuild, 'compile_commands.json'))):
        src = os.path.realpath(os.path.join(e['directory'], e['file']))
        if not src.startswith(main_src + '/'):
            continue
        rel = src[len(main_src) + 1:]
        path = os.path.join(repo, rel)
        if not os.path.exists(path):
            continue
        if rel not in changed and not any(
                re.search(r'#include\s+"(.*/)?' + re.escape(h) + '"', open(path, errors='replace').read())
                for h in headers):
            continue
        args, out = shlex.split(e['command']), []
        skip = False
        for a in args:
            if skip:
                skip = False
                continue
            if a in ('-MD',):
                continue
            if a in ('-MQ', '-MF', '-o'):
                skip = True
                continue
            a = a.replace(os.path.relpath(main_src, e['directory']), repo)
            a = a.replace(main_src, repo)
            out.append(a)
        out += ['-o', os.path.join(tmp, 'out.o')]
        r = subprocess.run(out, cwd=e['directory'], capture_output=True, text=True)
        compiled += 1
        print('cc', rel)
        if r.returncode or 'warning' in r.stderr:
            print(r.stderr)
            bad = True
print(compiled, 'files compiled')
sys.exit(1 if bad else 0)
PY
}

check_qemu() {
	local repo qbuild p i t0
	qbuild=$(qemu_build_dir)
	"$VTGPU_TOP/ci/build-qemu.sh" >/dev/null 2>&1 ||
		{ fail "qemu: the build of ci/build-qemu.sh"; return; }
	repo=$("$VTGPU_TOP/ci/pristine.sh" qemu) || { fail "qemu: pristine tree"; return; }
	apply qemu "$repo" || return

	t0=$(date +%s)
	check "qemu: the series gives the tree of $qbuild" qemu_same_tree "$repo"
	i=0
	for p in $(series qemu); do
		git -C "$repo" checkout -q "${COMMITS[$i]}"
		# From the tree's top, so that checkpatch knows tests/ from hw/.
		check "qemu: checkpatch $(basename "$p")" \
			bash -c 'cd "$1" && perl scripts/checkpatch.pl -q "$2"' _ "$repo" "$p"
		check "qemu: compile $(basename "$p")" qemu_compile "$repo" "$qbuild"
		i=$((i + 1))
	done
	git -C "$repo" checkout -q vtgpu-check
	log "qemu: $(($(date +%s) - t0)) s"
}

# --------------------------------------------------------------- igt

# meson setup of the tree's current commit, in a scratch directory: each
# patch's meson files name only what is there.
igt_meson_setup() {
	local src=$1 dir rc
	dir=$(mktemp -d)
	PKG_CONFIG_PATH=$(igt_build_dir)/libvtgpu/lib/pkgconfig \
		nice meson setup "$dir/build" "$src" "${IGT_MESON_OPTIONS[@]}" >"$dir/log" 2>&1
	rc=$?
	# Once the series asks for libvtgpu, it must be found, or meson leaves
	# the vtgpu files out and checks nothing of them.
	if [ $rc -eq 0 ] && grep -q "dependency('libvtgpu'" "$src/meson.build" &&
		! grep -q 'libvtgpu found: YES' "$dir/log"; then
		echo "meson did not find libvtgpu (ci/build-igt.sh installs it)"
		rc=1
	fi
	[ $rc -eq 0 ] || tail -n 20 "$dir/log"
	rm -rf "$dir"
	return $rc
}

# The series' last commit is the tree ci/build-igt.sh built (it applies
# the same series to the same pristine tree), so its build is the series'.
igt_same_tree() {
	local src
	src=$(igt_dir)/src
	[ -d "$src" ] || { echo "no igt build in $src (ci/build-igt.sh)"; return 1; }
	diff -r -q -x .git "$1" "$src"
}

check_igt() {
	local repo p i=0
	repo=$("$VTGPU_TOP/ci/pristine.sh" igt) || { fail "igt: pristine tree"; return; }
	apply igt "$repo" || return
	for p in $(series igt); do
		git -C "$repo" checkout -q "${COMMITS[$i]}"
		check "igt: meson setup $(basename "$p")" igt_meson_setup "$repo"
		i=$((i + 1))
	done
	git -C "$repo" checkout -q vtgpu-check
	check "igt: the tree with the series is the one built (ci/build-igt.sh)" \
		igt_same_tree "$repo"
}

# --------------------------------------------------------------- main

[ $# -gt 0 ] || set -- linux qemu igt
mkdir -p "$VTGPU_CACHE/pristine"
exec 9>"$VTGPU_CACHE/pristine/.check.lock"
flock 9

for name in "$@"; do
	case $name in
	linux | qemu | igt) ;;
	*) die "unknown series $name (linux, qemu or igt)" ;;
	esac
	if [ -z "$(series "$name")" ]; then
		fail "$name: no series in $PATCHES/$name (run ci/make-patches.sh)"
		continue
	fi
	step "check the $name series"
	"check_$name"
	step_done
done

echo "$passed passed, $failed failed"
[ $failed -eq 0 ]
