#!/bin/bash
# Fetch the kernel (Debian's linux-source-$DEBIAN_KERNEL: 7.3 from
# trixie-backports, 6.12 from bookworm-security), QEMU (Debian's qemu
# source package of sid, $QEMU_VERSION), the meson QEMU needs (trixie's)
# and sparse (sid's source, built here) into the cache, once per version.
# They come through a private apt configuration ($VTGPU_CACHE/apt) whose
# entries are derived from the machine's own apt sources: trixie and sid
# are never added to the system's sources, whose binary installs would
# then pull their libc.
# ci/pristine.sh unpacks the kernel.
# Prints nothing on stdout; the trees' paths come from ci/lib.sh.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

mkdir -p "$VTGPU_CACHE/debs"

# The machine's own deb entries, one per line, and for the one serving the
# machine's release, the same archive's trixie and trixie-backports, and
# sid's sources.
private_sources() {
	local release
	release=$(. /etc/os-release && echo "$VERSION_CODENAME")
	{
		[ -f /etc/apt/sources.list ] && grep -E '^deb ' /etc/apt/sources.list
		for f in /etc/apt/sources.list.d/*.sources; do
			[ -f "$f" ] || continue
			awk 'BEGIN { RS = ""; FS = "\n" }
			{
				types = uris = suites = comps = key = ""
				for (i = 1; i <= NF; i++) {
					if ($i ~ /^#/) continue
					k = $i; sub(/:.*/, "", k)
					v = $i; sub(/^[^:]*: */, "", v)
					if (k == "Types") types = v
					if (k == "URIs") uris = v
					if (k == "Suites") suites = v
					if (k == "Components") comps = v
					if (k == "Signed-By") key = v
				}
				if (types !~ /(^| )deb( |$)/) next
				opt = key ? "[signed-by=" key "] " : ""
				n = split(uris, u, " "); m = split(suites, s, " ")
				for (i = 1; i <= n; i++)
					for (j = 1; j <= m; j++)
						print "deb " opt u[i] " " s[j] " " comps
			}' "$f"
		done
	} | awk -v rel="$release" '{ print }
		$0 ~ " " rel " " && !done {
			for (i = 1; i <= NF; i++) if ($i == rel) { sub(rel " ", "%s "); break }
			printf($0 "\n", "trixie"); printf($0 "\n", "trixie-backports")
			src = $0; sub(/^deb /, "deb-src ", src); printf(src "\n", "sid")
			done = 1
		}'
}

apt_private_update() {
	mkdir -p "$APT_DIR/lists/partial" "$APT_DIR/cache/archives/partial"
	private_sources >"$APT_DIR/sources.list.new"
	grep -q ' trixie-backports ' "$APT_DIR/sources.list.new" ||
		die "no entry for $(. /etc/os-release && echo "$VERSION_CODENAME") in the machine's apt sources to derive trixie-backports from"
	mv "$APT_DIR/sources.list.new" "$APT_DIR/sources.list"
	# shellcheck disable=SC2046
	apt-get $(apt_private_opts) -qq update ||
		die "apt-get update of $APT_DIR/sources.list failed"
}

# Update the private lists once per run, when something is downloaded.
apt_private_ready() {
	[ -n "${APT_PRIVATE_UPDATED:-}" ] && return
	apt_private_update
	APT_PRIVATE_UPDATED=1
}

pkg=linux-source-$DEBIAN_KERNEL
if [ -z "$KERNEL_SRC" ] && [ ! -f "$VTGPU_CACHE/debs/$pkg.version" ]; then
	suite=$(kernel_suite "$DEBIAN_KERNEL")
	step "download $pkg from $suite"
	apt_private_ready
	rm -f "$VTGPU_CACHE/debs/$pkg"_*.deb
	# shellcheck disable=SC2046
	(cd "$VTGPU_CACHE/debs" && apt-get $(apt_private_opts) -qq download "$pkg/$suite") ||
		die "apt-get download $pkg/$suite failed"
	deb=$(ls "$VTGPU_CACHE/debs/$pkg"_*.deb)
	dpkg-deb -f "$deb" Version >"$VTGPU_CACHE/debs/$pkg.version"
	step_done
fi

# QEMU's source package (.dsc, tarball, Debian's patches), kept for
# ci/pristine.sh too.
QEMU_DEBS=$VTGPU_CACHE/debs/qemu-$(qemu_version | path_safe)
if [ ! -f "$QEMU_DEBS/.complete" ]; then
	step "download qemu $(qemu_version) source from sid"
	apt_private_ready
	rm -rf "$QEMU_DEBS" && mkdir -p "$QEMU_DEBS"
	# shellcheck disable=SC2046
	(cd "$QEMU_DEBS" && apt-get $(apt_private_opts) -qq source --download-only \
		"qemu=$(qemu_version)" >/dev/null) ||
		die "apt-get source --download-only qemu=$(qemu_version) failed"
	touch "$QEMU_DEBS/.complete"
	step_done
fi

# Unpacked with Debian's patches applied, as `apt-get source` does.
if [ ! -f "$QEMU_SRC/.vtgpu-unpacked" ]; then
	step "unpack qemu $(qemu_version)"
	rm -rf "$QEMU_SRC"
	dpkg-source -q --no-copy -x "$QEMU_DEBS"/qemu_*.dsc "$QEMU_SRC" >/dev/null 2>&1 ||
		die "dpkg-source -x of $QEMU_DEBS failed"
	touch "$QEMU_SRC/.vtgpu-unpacked"
	step_done
fi

if [ ! -f "$MESON_DIR/.vtgpu-unpacked" ]; then
	step "download meson from trixie"
	apt_private_ready
	rm -rf "$MESON_DIR" "$VTGPU_CACHE"/debs/meson_*.deb
	# shellcheck disable=SC2046
	(cd "$VTGPU_CACHE/debs" && apt-get $(apt_private_opts) -qq download meson/trixie) ||
		die "apt-get download meson/trixie failed"
	dpkg-deb -x "$VTGPU_CACHE"/debs/meson_*.deb "$MESON_DIR"
	touch "$MESON_DIR/.vtgpu-unpacked"
	step_done
fi

# bookworm's sparse 0.6.4 does not know __typeof_unqual__, which Linux
# 7.3's scripts/checker-valid.sh asks of it: make's C= would then turn
# sparse off with a notice and check nothing. sid's source builds in half
# a minute.
if [ ! -f "${SPARSE%/*}/.vtgpu-built" ]; then
	step "build sparse $SPARSE_VERSION from sid's source"
	apt_private_ready
	debs=$VTGPU_CACHE/debs/sparse-$(echo "$SPARSE_VERSION" | path_safe)
	rm -rf "$debs" "${SPARSE%/*}" && mkdir -p "$debs"
	# shellcheck disable=SC2046
	(cd "$debs" && apt-get $(apt_private_opts) -qq source --download-only \
		"sparse=$SPARSE_VERSION" >/dev/null) ||
		die "apt-get source --download-only sparse=$SPARSE_VERSION failed"
	dpkg-source -q --no-copy -x "$debs"/sparse_*.dsc "${SPARSE%/*}" >/dev/null 2>&1 ||
		die "dpkg-source -x of $debs failed"
	# Debian's patches name its own compiler: build with the machine's.
	make -s -C "${SPARSE%/*}" CC=gcc HAVE_LLVM=no HAVE_GTK=no HAVE_SQLITE=no \
		sparse >/dev/null || die "building sparse failed"
	touch "${SPARSE%/*}/.vtgpu-built"
	step_done
fi
