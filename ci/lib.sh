# Shared helpers for the ci/ scripts; sourced, not run.

VTGPU_TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
VTGPU_CACHE=${VTGPU_CACHE:-$HOME/.cache/vtgpu}
VTGPU_OUT=${VTGPU_OUT:-$VTGPU_TOP/out}
export VTGPU_TOP VTGPU_CACHE VTGPU_OUT

log() { printf '[vtgpu] %s\n' "$*" >&2; }
die() { printf '[vtgpu] error: %s\n' "$*" >&2; exit 1; }

# need_numbers MIN VAR...: die unless each VAR holds a whole number of at
# least MIN, written without a leading zero (bash arithmetic reads 010 as 8).
need_numbers() {
	local min=$1 v
	shift
	for v; do
		[[ ${!v} =~ ^(0|[1-9][0-9]*)$ && ${!v} -ge $min ]] ||
			die "$v must be a whole number of at least $min, got '${!v}'"
	done
}

# step NAME: print a progress line; `step_done` prints how long it took.
step() { STEP_NAME=$*; STEP_T0=$(date +%s); log "$STEP_NAME ..."; }
step_done() { log "$STEP_NAME: done in $(($(date +%s) - STEP_T0)) s"; }

# judged_run FILE: the run directory named by the judge's output in FILE
# ("results: RUN/results.json"), or nothing. Not out/last-run: another job
# in the same checkout may have moved it since.
judged_run() {
	sed -n 's|^results: \(.*\)/results\.json$|\1|p' "$1" | tail -n 1
}

# Install what the host lacks and build what a guest run needs: the kernel
# (for $KCONFIG_FRAGMENTS), QEMU and the tests. Exits at the first failure.
build_all() {
	local s

	for s in setup-host build-kernel build-qemu build-tests; do
		"$VTGPU_TOP/ci/$s.sh" || exit
	done
}

# hash_of FILES...: a short content hash, used to key the caches.
hash_of() { cat "$@" | sha256sum | cut -c1-16; }

# Debian's archive beyond the machine's own suites (the kernel of
# trixie-backports, QEMU's source of sid, meson of trixie), through a private apt configuration in
# $VTGPU_CACHE/apt whose sources are derived from the machine's own: the
# system's sources are never touched (ci/get-sources.sh sets it up).
APT_DIR=$VTGPU_CACHE/apt
apt_private_opts() {
	echo -o Dir::Etc::sourcelist="$APT_DIR/sources.list" \
		-o Dir::Etc::sourceparts=- -o Dir::State::Lists="$APT_DIR/lists" \
		-o Dir::Cache="$APT_DIR/cache"
	# The cache is root's own: no _apt sandbox to hand it to.
	[ "$(id -u)" != 0 ] || echo -o APT::Sandbox::User=root
}

# The kernel: Debian's linux-source-$DEBIAN_KERNEL (7.3, or 6.12 for the
# LTS leg), or the user's git tree in $KERNEL_SRC (see ci/linux-tree.sh).
DEBIAN_KERNEL=${DEBIAN_KERNEL:-7.3}
KERNEL_SRC=${KERNEL_SRC:-}
if [ -n "$KERNEL_SRC" ]; then
	KERNEL_SRC=$(realpath -e "$KERNEL_SRC") || die "KERNEL_SRC: no such directory"
	git -C "$KERNEL_SRC" rev-parse -q --verify 'HEAD^{commit}' >/dev/null 2>&1 ||
		die "KERNEL_SRC=$KERNEL_SRC is not a git tree with a commit (git init; git add -A; git commit)"
fi
export DEBIAN_KERNEL KERNEL_SRC

# The suite of Debian's archive that serves linux-source-$1.
kernel_suite() {
	case $1 in
	7.3) echo trixie-backports ;;
	6.12) echo bookworm-security ;;
	*) die "no Debian source for Linux $1 (7.3 or 6.12)" ;;
	esac
}

# Debian versions of the sources; they key every cache below. The
# kernel's is recorded when ci/get-sources.sh downloads it.
kernel_version() {
	cat "$VTGPU_CACHE/debs/linux-source-$DEBIAN_KERNEL.version" 2>/dev/null
}
# QEMU's source is Debian's qemu source package of sid, pinned (sid moves
# on; its index may list versions whose files are gone).
QEMU_VERSION=1:10.2.2+ds-1
qemu_version() { echo "$QEMU_VERSION"; }

# igt-gpu-tools from source, at its 2.2 release. Debian's archive does not
# serve igt's tarballs: the source is the tarball handed to this project
# (IGT_TARBALL, by default ../shared/igt/ beside the checkout, or the copy
# ci/pristine.sh keeps in the cache); without one, igt's upstream
# repository is cloned at IGT_COMMIT.
IGT_VERSION=2.2
IGT_COMMIT=6aa303511c6b
IGT_REPO=https://gitlab.freedesktop.org/drm/igt-gpu-tools.git
igt_tarball() {
	local f
	if [ -n "${IGT_TARBALL:-}" ]; then
		realpath -e "$IGT_TARBALL" || die "IGT_TARBALL=$IGT_TARBALL: no such file"
		return
	fi
	for f in \
		"$VTGPU_TOP"/../shared/igt/igt-gpu-tools-$IGT_VERSION-$IGT_COMMIT.tar.xz \
		"$VTGPU_CACHE"/debs/igt-gpu-tools-$IGT_VERSION-$IGT_COMMIT.tar.xz; do
		[ -f "$f" ] && { realpath "$f"; return; }
	done
	return 0
}
# igt's generic tests, not tied to one vendor's driver, that the guest runs
# against vtgpu (IGT_FORCE_DRIVER=vtgpu) beside its own tests. Not
# dumb_buffer: it assumes dumb buffers, which vtgpu, render-only, has not.
IGT_GENERIC_TESTS="core_auth core_debugfs core_getclient core_getstats
	core_getversion core_hotunplug core_setmaster core_setmaster_vs_auth
	core_sysfs device_reset drm_read syncobj_basic syncobj_eventfd
	syncobj_timeline syncobj_wait"
# igt's build (ci/build-igt.sh): the source with the series in
# igt_dir/src, one build directory per meson command line.
# --werror: the part of igt built here compiles without a warning.
IGT_MESON_OPTIONS=(--werror -Dtests=enabled -Drunner=enabled -Dlibdrm_drivers=
	-Doverlay=disabled -Dchamelium=disabled -Dman=disabled -Ddocs=disabled
	-Dtestplan=disabled -Dsphinx=disabled -Dvalgrind=disabled
	-Dlibunwind=disabled -Doping=disabled -Dxe_driver=disabled)
igt_dir() { echo "$VTGPU_CACHE/igt-$(igt_version)"; }
igt_build_dir() {
	echo "$(igt_dir)/build-$(echo "${IGT_MESON_OPTIONS[*]}" | sha256sum | cut -c1-16)"
}
# Subtests of those left out of the default suite, as BINARY@GLOB (README
# says why): the *-snapshot subtests of syncobj_wait and syncobj_timeline
# give a 100 ms wait room for 80 ms of sleeps and a few ioctls, which a
# TCG guest overruns (any of the four may, from one run to the next).
IGT_GENERIC_EXCLUDE="syncobj_wait@*-snapshot syncobj_timeline@*-snapshot"
# The igt source's key: the tarball's hash, or the commit cloned.
igt_version() {
	local t
	t=$(igt_tarball)
	if [ -n "$t" ]; then
		echo "$IGT_VERSION-$(hash_of "$t")"
	else
		echo "$IGT_VERSION-git-$IGT_COMMIT"
	fi
}

# A version or name as a path component: no epoch colon or tilde (meson
# and PATH-like variables take a colon for a separator).
path_safe() { tr ':~/' '___'; }

# The kernel tree's key: Debian's version, or for $KERNEL_SRC the content
# of its HEAD (the git tree, so that a rebuilt commit of the same files is
# the same build) and a hash of its uncommitted changes.
kernel_key() {
	local head dirty
	if [ -z "$KERNEL_SRC" ]; then
		kernel_version | path_safe
		return
	fi
	head=$(git -C "$KERNEL_SRC" rev-parse --verify -q 'HEAD^{tree}') ||
		die "KERNEL_SRC=$KERNEL_SRC is not a git tree with a commit"
	dirty=$(git -C "$KERNEL_SRC" diff --binary HEAD | sha256sum | cut -c1-8)
	[ "$dirty" = "$(sha256sum </dev/null | cut -c1-8)" ] && dirty= || dirty=-$dirty
	echo "src-${head:0:12}$dirty"
}

# The tree the guest kernel is built from: the base with the series (and
# for 6.12 the backports) applied, see ci/linux-tree.sh.
linux_tree_dir() { echo "$VTGPU_CACHE/linux-$(kernel_key)"; }

QEMU_SRC=$VTGPU_CACHE/qemu-$(qemu_version | path_safe)
export QEMU_SRC

# sparse for the kernel's C=, built from sid's source by ci/get-sources.sh.
SPARSE_VERSION=0.6.5~rc1-2
SPARSE=$VTGPU_CACHE/sparse-$(echo "$SPARSE_VERSION" | path_safe)/sparse

# QEMU 10.2 wants meson >= 1.5; bookworm has 1.0. Trixie's meson package
# is pure Python: ci/get-sources.sh unpacks it here, and configure (and
# ninja, when it re-runs meson) find it through PYTHONPATH.
MESON_DIR=$VTGPU_CACHE/meson-trixie
qemu_env() {
	PYTHONPATH=$MESON_DIR/usr/lib/python3/dist-packages${PYTHONPATH:+:$PYTHONPATH} "$@"
}

# Kernel config fragments (ci/kconfig/NAME.config), applied in this order on
# top of x86_64_defconfig. The 6.12 leg and the soak, which run vtgpu's
# tests only, leave out "igt"; the soak adds "kasan".
KCONFIG_FRAGMENTS=${KCONFIG_FRAGMENTS:-vtgpu lockdep igt}
export KCONFIG_FRAGMENTS

fragment_files() {
	local f
	for f in $KCONFIG_FRAGMENTS; do
		echo "$VTGPU_TOP/ci/kconfig/$f.config"
	done
}

# The kernel build directory: one per kernel version and config.
kernel_build_dir() {
	# shellcheck disable=SC2046
	echo "$VTGPU_CACHE/kbuild-$(kernel_key)-$(echo $KCONFIG_FRAGMENTS | tr ' ' +)-$(hash_of $(fragment_files))"
}

# QEMU: one build directory per QEMU version and configure line.
QEMU_CONFIGURE=(--target-list=x86_64-softmmu --without-default-features
	--enable-virtfs --enable-attr --enable-cap-ng
	--firmwarepath=/usr/share/qemu:/usr/share/seabios
	--disable-install-blobs)
qemu_build_dir() {
	echo "$VTGPU_CACHE/qemu-build-$(qemu_version | tr : _)-$(echo "${QEMU_CONFIGURE[*]}" | sha256sum | cut -c1-16)"
}

# The device fuzzer's QEMU (ci/build-qemu.sh fuzz): clang, libFuzzer, ASan
# and UBSan; its own build directory per QEMU version and configure line.
QEMU_FUZZ_CONFIGURE=(--target-list=x86_64-softmmu --without-default-features
	--cc=clang-14 --cxx=clang++-14 --enable-fuzzing --enable-asan --enable-ubsan
	--firmwarepath=/usr/share/qemu:/usr/share/seabios
	--disable-install-blobs)
qemu_fuzz_build_dir() {
	echo "$VTGPU_CACHE/qemu-fuzz-build-$(qemu_version | tr : _)-$(echo "${QEMU_FUZZ_CONFIGURE[*]}" | sha256sum | cut -c1-16)"
}

# The pristine trees of ci/pristine.sh: linux, qemu or igt, by Debian version.
pristine_dir() {
	local v
	case $1 in
	linux) v=$(kernel_version) ;;
	qemu) v=$(qemu_version) ;;
	igt) v=$(igt_version) ;;
	*) die "unknown tree $1" ;;
	esac
	[ -n "$v" ] || die "no Debian version of the $1 source"
	echo "$VTGPU_CACHE/pristine/$1-$(echo "$v" | path_safe)"
}
