#!/bin/bash
# Runs inside the guest from the shared run directory (/run/vtgpu): loads
# the modules, runs the client checks one by one with a timeout each and
# the igt tests under igt_runner, and leaves for the host's judge:
#   results/status         "NAME<TAB>EXIT<TAB>SECONDS" per check
#   results/out/NAME.txt   each check's output
#   results/igt/N/         igt_runner's results of igt/runs/N.txt
#   results/dmesg.txt      the kernel log, with "vtgpu-run:" markers
#   results/kmemleak.txt   kmemleak's report (a kernel with kmemleak only)
#   results/complete       written last; missing means the guest hung
# NAME is check@WHAT; the igt tests are igt@BINARY@SUBTEST.

RUN=/run/vtgpu
set -a
. "$RUN/env"
set +a
RES=$RUN/results
mkdir -p "$RES/out" "$RES/igt"
: >"$RES/status"

kmsg() { echo "vtgpu-run: $*" >/dev/kmsg; }

# run_one NAME CMD...: run CMD (a program or one of the functions here)
# with the per-test timeout and record it.
run_one() {
	local name=$1 rc t0
	shift
	declare -F "$1" >/dev/null && set -- bash -c "$*"
	kmsg "begin $name"
	t0=$(date +%s)
	timeout -k 10 "$SUBTEST_TIMEOUT" "$@" >"$RES/out/$name.txt" 2>&1 </dev/null
	rc=$?
	kmsg "end $name rc=$rc"
	printf '%s\t%s\t%s\n' "$name" "$rc" "$(($(date +%s) - t0))" >>"$RES/status"
	sync
}

modload() { modprobe -d "$RUN/modroot" "$@"; }

# vtgpu_node [card|renderD]: the vtgpu driver's node of that kind.
vtgpu_node() {
	local d
	for d in /sys/class/drm/"${1:-renderD}"[0-9]*; do
		[ "$(basename "$(readlink "$d/device/driver")")" = vtgpu ] &&
			echo "/dev/dri/$(basename "$d")" && return 0
	done
	return 1
}

check_modules() {
	modload vtgpu && modload vgem && vtgpu_node
}

# drmdevice (libdrm) must list the vtgpu node with its PCI IDs.
check_drmdevice() {
	local out node
	node=$(vtgpu_node) || return 1
	out=$(drmdevice 2>&1)
	echo "$out"
	echo "$out" | grep -q "$node" &&
		echo "$out" | grep -qi "vendor_id[[:space:]]*$VTGPU_PCI_VENDOR" &&
		echo "$out" | grep -qi "device_id[[:space:]]*$VTGPU_PCI_DEVICE"
}

# drm_info must show the vtgpu driver on a PCI device with its IDs. It
# reads the primary node (the render node refuses even the query for KMS
# support); drm_info_nokms.so lets drm_info 2.4.0 past the KMS query that
# a render-only driver answers with EOPNOTSUPP.
check_drm_info() {
	local node json
	node=$(vtgpu_node card) || return 1
	json=$(LD_PRELOAD=$RUN/drm_info_nokms.so drm_info -j "$node")
	echo "$json"
	echo "$json" | jq -e --arg n "$node" \
		--argjson v "$((16#$VTGPU_PCI_VENDOR))" --argjson d "$((16#$VTGPU_PCI_DEVICE))" \
		'.[$n].driver.name == "vtgpu" and
		 .[$n].device.device_data.vendor == $v and
		 .[$n].device.device_data.device == $d' >/dev/null
}

# vtgpu-info (tools/vtgpu-info, on libvtgpu) must print the VRAM size
# GETPARAM reports, which the driver logs at probe, and its memory,
# counters and module parameter sections.
check_vtgpu_info() {
	local node out mib
	node=$(vtgpu_node) || return 1
	out=$("$RUN/bin/vtgpu-info" "$node") || return 1
	echo "$out"
	mib=$(dmesg | sed -n 's/.*vtgpu [0-9]*\.[0-9]*: \([0-9]*\) MiB VRAM.*/\1/p' | tail -n1)
	echo "probe logged ${mib:-no} MiB of VRAM"
	[ -n "$mib" ] &&
		echo "$out" | awk -v want=$((mib << 20)) \
			'$1 == "vram_size" && $2 == want { ok = 1 } END { exit !ok }' &&
		echo "$out" | grep -qE '^  drm-total-vram +[0-9]+( KiB| MiB)?$' &&
		echo "$out" | grep -qE '^  jobs +[0-9]+$' &&
		echo "$out" | grep -qE '^  prefault +[0-9]+$'
}

check_module_unload() {
	modprobe -d "$RUN/modroot" -r vtgpu && ! grep -q '^vtgpu ' /proc/modules
}

export RUN
export -f modload vtgpu_node check_modules check_drmdevice check_drm_info \
	check_vtgpu_info check_module_unload

kmsg "guest up, kernel $(uname -r)"
# No automatic kmemleak scans (each would stop a TCG guest for a while):
# check@kmemleak scans at the end, when every leak is there to be found.
[ -e /sys/kernel/debug/kmemleak ] && echo scan=off >/sys/kernel/debug/kmemleak
run_one check@modules check_modules

case ${SPLAT:-} in
"") ;;
hang)	# Never finish: proves the host kills a hung guest and says so.
	kmsg "begin check@splat-hang"
	sleep infinity ;;
*)	# Deliberately provoke a kernel report: proves the judge catches it.
	run_one "check@splat-$SPLAT" insmod "$RUN/vtgpu_splat.ko" "mode=$SPLAT" ;;
esac

if [ "${INTERACTIVE:-0}" = 1 ]; then
	echo "vtgpu guest: modules loaded; exit the shell to power off"
	setsid -c bash -l </dev/ttyS0 >/dev/ttyS0 2>&1
fi

run_one check@drmdevice check_drmdevice
run_one check@drm_info check_drm_info
run_one check@vtgpu-info check_vtgpu_info

if [ -n "${BENCH:-}" ]; then
	[ "$BENCH" = all ] && BENCH=
	# shellcheck disable=SC2086
	run_one bench@vtgpu-bench sh -c "'$RUN/bin/vtgpu-bench' --trace '$RES/p2-trace.txt' $BENCH >'$RES/bench.jsonl'"
fi

# The igt runs ci/igt-lists.sh prepared, in order: igt_runner runs each
# list igt/runs/N.txt (igt@BINARY@SUBTEST lines) from the test root
# igt/root, with the environment of N.env, into
# results/igt/N/ (its results.json, and the journal a hung guest leaves).
for list in "$RUN"/igt/runs/*.txt; do
	[ -e "$list" ] || continue
	n=$(basename "$list" .txt)
	args=(-e IGT_FORCE_DRIVER=vtgpu)
	while read -r kv; do
		[ -n "$kv" ] && args+=(-e "$kv")
	done <"$RUN/igt/runs/$n.env"
	kmsg "begin igt-run $n"
	# No --sync: the results directory is on an uncached 9p mount, each
	# write already on the host.
	"$RUN/igt/runner/igt_runner" --per-test-timeout "$SUBTEST_TIMEOUT" \
		--overwrite "${args[@]}" --test-list "$list" \
		"$RUN/igt/root" "$RES/igt/$n" >"$RES/igt-$n.log" 2>&1 </dev/null
	kmsg "end igt-run $n rc=$?"
	sync
done

run_one check@module-unload check_module_unload

# kmemleak (the soak kernel): with the modules unloaded, scan twice, 6 s
# apart (kmemleak reports no object younger than 5 s, and a stale pointer
# can hide a leak from one scan), keep the report and fail on any
# suspect. The scan logs "kmemleak: N new suspected memory leaks", which
# the judge catches too.
check_kmemleak() {
	local k=/sys/kernel/debug/kmemleak n
	modprobe -d "$RUN/modroot" -r vgem
	echo scan >"$k" && sleep 6 && echo scan >"$k" || return 1
	cat "$k" >"$RUN/results/kmemleak.txt"
	n=$(grep -c '^unreferenced object' "$RUN/results/kmemleak.txt")
	head -n 200 "$RUN/results/kmemleak.txt"
	echo "kmemleak: $n unreferenced objects"
	[ "$n" -eq 0 ]
}
if [ -e /sys/kernel/debug/kmemleak ]; then
	export -f check_kmemleak
	run_one check@kmemleak check_kmemleak
fi

dmesg >"$RES/dmesg.txt"
echo done >"$RES/complete"
sync
