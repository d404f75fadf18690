#!/bin/bash
# Fetch the kernel (Debian's linux-source-$DEBIAN_KERNEL: 7.3 from
# trixie-backports, 6.12 from bookworm-security) and QEMU (Debian's qemu
# source package) into the cache, once per Debian version. The kernel's
# package comes through a private apt configuration ($VTGPU_CACHE/apt)
# whose entries are derived from the machine's own apt sources: trixie is
# never added to the system's sources, whose binary installs would then
# pull trixie's libc. ci/pristine.sh unpacks the kernel.
# Prints nothing on stdout; the trees' paths come from ci/lib.sh.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

mkdir -p "$VTGPU_CACHE/debs"

# The machine's own deb entries, one per line, and for the one serving the
# machine's release, the same archive's trixie and trixie-backports.
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
			printf($0 "\n", "trixie"); printf($0 "\n", "trixie-backports"); done = 1
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

pkg=linux-source-$DEBIAN_KERNEL
if [ -z "$KERNEL_SRC" ] && [ ! -f "$VTGPU_CACHE/debs/$pkg.version" ]; then
	suite=$(kernel_suite "$DEBIAN_KERNEL")
	step "download $pkg from $suite"
	apt_private_update
	rm -f "$VTGPU_CACHE/debs/$pkg"_*.deb
	# shellcheck disable=SC2046
	(cd "$VTGPU_CACHE/debs" && apt-get $(apt_private_opts) -qq download "$pkg/$suite") ||
		die "apt-get download $pkg/$suite failed"
	deb=$(ls "$VTGPU_CACHE/debs/$pkg"_*.deb)
	dpkg-deb -f "$deb" Version >"$VTGPU_CACHE/debs/$pkg.version"
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
