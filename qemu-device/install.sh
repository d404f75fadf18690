#!/bin/bash
# Install the vtgpu device into a QEMU source tree:
#
#   install.sh <qemu-src-dir>
#
# Copies the device, its register header, its spec and its qtest into the
# tree, and adds the vtgpu lines to the tree's build files (the fragments
# here named like the files they go into; ci/patches/qemu/series puts the
# same files and lines into the upstream series). Idempotent: a file in the
# tree is rewritten only when its content would change, so running it again
# changes nothing (no mtimes either) and ninja rebuilds only what really
# changed.
# Lines added to a file that allows comments sit between "# vtgpu begin" and
# "# vtgpu end" markers ("/* vtgpu begin */" and "/* vtgpu end */" in C);
# that block is replaced when its fragment changes.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

die() { printf 'install.sh: error: %s\n' "$*" >&2; exit 1; }

[ $# -eq 1 ] || die "usage: $0 <qemu-src-dir>"
TREE=$1
[ -f "$TREE/hw/misc/meson.build" ] && [ -f "$TREE/tests/qtest/meson.build" ] ||
	die "$TREE is not a QEMU source tree"

BEGIN_MARK='# vtgpu begin'
END_MARK='# vtgpu end'

TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT

# update FILE NEW: give FILE the content of NEW, only if it differs.
# The existing file is rewritten in place, keeping its mode.
update() {
	if [ -f "$1" ] && cmp -s "$2" "$1"; then
		return
	fi
	mkdir -p "$(dirname "$1")"
	cat "$2" >"$1"
	printf 'install.sh: updated %s\n' "$1" >&2
}

# install_block FILE FRAGMENT [ANCHOR]: put the lines of FRAGMENT between
# the markers in FILE. An existing block is replaced where it is; a new one
# goes right after the line ANCHOR or, without ANCHOR, at the end of FILE
# after a blank line. BEGIN_MARK and END_MARK may be set for the call.
install_block() {
	local file=$1 fragment=$2 anchor=${3-} block=$TMP/block new=$TMP/new
	[ -f "$file" ] || die "$file does not exist"
	{
		echo "$BEGIN_MARK"
		cat "$fragment"
		echo "$END_MARK"
	} >"$block"

	if grep -qxF "$BEGIN_MARK" "$file"; then
		awk -v begin="$BEGIN_MARK" -v end="$END_MARK" -v blockfile="$block" '
			$0 == begin {
				while ((getline line < blockfile) > 0)
					print line
				skip = 1
				next
			}
			skip { if ($0 == end) skip = 0; next }
			{ print }
			END { if (skip) exit 1 }
		' "$file" >"$new" || die "$file: \"$BEGIN_MARK\" without \"$END_MARK\""
	elif [ -n "$anchor" ]; then
		awk -v anchor="$anchor" -v blockfile="$block" '
			{ print }
			$0 == anchor && !done {
				while ((getline line < blockfile) > 0)
					print line
				done = 1
			}
			END { if (!done) exit 1 }
		' "$file" >"$new" || die "$file: no line \"$anchor\""
	else
		{ cat "$file"; echo; cat "$block"; } >"$new"
	fi
	update "$file" "$new"
}

# install_toctree_entry FILE NAME: add NAME to the toctree of FILE (an rst
# index whose toctree entries are indented by three spaces), once, after the
# last entry. rst has no comment that may sit inside a toctree, so the entry
# itself is the marker.
install_toctree_entry() {
	local file=$1 name=$2 new=$TMP/new
	[ -f "$file" ] || die "$file does not exist"
	grep -qxF "   $name" "$file" && return
	awk -v entry="   $name" '
		{ line[NR] = $0 }
		/^   [A-Za-z0-9_.\/-]+$/ { last = NR }
		END {
			if (!last) exit 1
			for (i = 1; i <= NR; i++) {
				print line[i]
				if (i == last) print entry
			}
		}
	' "$file" >"$new" || die "$file: no toctree entry found"
	update "$file" "$new"
}

# The files of the device.
update "$TREE/hw/misc/vtgpu.c" "$HERE/hw/misc/vtgpu.c"
update "$TREE/include/hw/misc/vtgpu_regs.h" "$HERE/include/hw/misc/vtgpu_regs.h"
update "$TREE/docs/specs/vtgpu.rst" "$HERE/docs/specs/vtgpu.rst"
update "$TREE/tests/qtest/vtgpu-test.c" "$HERE/tests/qtest/vtgpu-test.c"

# Build glue.
install_block "$TREE/hw/misc/Kconfig" "$HERE/hw/misc/Kconfig"
install_block "$TREE/hw/misc/meson.build" "$HERE/hw/misc/meson.build"
install_block "$TREE/hw/misc/trace-events" "$HERE/hw/misc/trace-events"
install_toctree_entry "$TREE/docs/specs/index.rst" vtgpu

install_block "$TREE/tests/qtest/meson.build" "$HERE/tests/qtest/meson.build" \
	'qtests_x86_64 = qtests_i386'

# The vtgpu config of the generic fuzzer (built with --enable-fuzzing only):
# the first entry of its table.
BEGIN_MARK='/* vtgpu begin */' END_MARK='/* vtgpu end */' \
	install_block "$TREE/tests/qtest/fuzz/generic_fuzz_configs.h" \
	"$HERE/tests/qtest/fuzz/generic_fuzz_configs.h" \
	'const generic_fuzz_config predefined_configs[] = {'
