#!/bin/bash
# The test lists the guest's igt_runner runs (ci/guest-run.sh), made from
# each binary's own list of its subtests (listing touches no device):
#
#   ci/igt-lists.sh ROOT OUTDIR
#
# ROOT is igt_runner's test root (a link per test binary). OUTDIR gets, for
# each igt_runner run in order, N.txt (igt@BINARY@SUBTEST lines, or
# igt@BINARY for a test without subtests), N.env (the run's environment,
# VAR=VALUE lines) and N.suffix (what the judge appends to the names of its
# tests: ":VAR=VALUE,..." and "#PASS"). From the environment, as
# ci/run-guest.sh takes them: TESTS, REPEAT, EXTRA_TESTS and EXCLUDE.
# Fails, naming it, on an entry that names no test or matches no subtest.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

[ $# -eq 2 ] || die "usage: $0 ROOT OUTDIR"
ROOT=$1
OUT=$2
REPEAT=${REPEAT:-1}
EXCLUDE=${EXCLUDE:-}
need_numbers 1 REPEAT
mkdir -p "$OUT"

# excluded BINARY@SUBTEST: whether an $EXCLUDE glob matches it.
excluded() {
	local g
	for g in $EXCLUDE; do
		# shellcheck disable=SC2254
		case $1 in $g) return 0 ;; esac
	done
	return 1
}

# igt_lines ENTRY: the igt@BINARY@SUBTEST lines of a TESTS entry, from the
# binary's own list (run here: listing touches no device).
igt_lines() {
	local t=${1%%:*} bin filter subtests s any=0
	bin=${t%%@*}
	filter=${t#*@}
	[ "$filter" = "$t" ] && filter='*'
	[ -x "$ROOT/$bin" ] || die "TESTS: no igt test $bin in $ROOT"
	# A test without subtests (igt_simple_main) exits 79 here.
	subtests=$("$ROOT/$bin" --list-subtests) || [ $? = 79 ] ||
		die "$bin --list-subtests failed"
	if [ -z "$subtests" ]; then
		[ "$filter" = '*' ] || die "TESTS: $bin has no subtests to match $filter"
		echo "igt@$bin"
		return
	fi
	for s in $subtests; do
		# shellcheck disable=SC2254
		case $s in $filter) ;; *) continue ;; esac
		excluded "$bin@$s" || { echo "igt@$bin@$s" && any=1; }
	done
	[ $any = 1 ] || die "TESTS: $1 matches no subtest of $bin"
}

# list SUFFIX ENV LINES: the next run, of LINES.
nruns=0
list() {
	local n
	printf -v n '%02d' $((++nruns))
	printf '%s\n' "$3" >"$OUT/$n.txt"
	tr ',' '\n' <<<"$2" | sed '/^$/d' >"$OUT/$n.env"
	echo "$1" >"$OUT/$n.suffix"
}

# igt_runs SUFFIX ENTRY...: the runs of ENTRY...: one for each with an
# environment, one for the others.
igt_runs() {
	local suffix=$1 t lines='' l
	shift
	for t; do
		l=$(igt_lines "$t") || exit 1
		if [ "$t" != "${t%%:*}" ]; then
			list ":${t#*:}$suffix" "${t#*:}" "$l"
		else
			lines+=${lines:+$'\n'}$l
		fi
	done
	[ -z "$lines" ] || list "$suffix" "" "$lines"
}
# TESTS and EXCLUDE are split into words, their globs left alone.
set -f
# shellcheck disable=SC2086
for ((pass = 1; pass <= REPEAT; pass++)); do
	suffix=
	[ "$REPEAT" -gt 1 ] && suffix="#$pass"
	igt_runs "$suffix" ${TESTS:-}
done
# shellcheck disable=SC2086
igt_runs "" ${EXTRA_TESTS:-}
set +f
