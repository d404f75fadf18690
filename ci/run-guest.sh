#!/bin/bash
# Boot the built kernel in QEMU (TCG) with a vtgpu device, the host's / as
# a read-only 9p root and a fresh run directory shared writable; run the
# requested igt tests in it and judge the result.
#
# Environment (all optional):
#   TESTS            igt tests to run, each BINARY or BINARY@GLOB (its
#                    subtests matching GLOB), with an environment for it
#                    as BINARY[@GLOB]:VAR=VALUE,... (igt_runner passes no
#                    arguments; vtgpu_evict and vtgpu_fuzz read theirs from
#                    the environment). Default: every vtgpu test and igt's
#                    generic tests (ci/lib.sh), none with BENCH
#   REPEAT           run TESTS this many times (default 1); with more than
#                    one pass, the tests of pass N are named ...#N
#   EXTRA_TESTS      more TESTS entries, run once after the passes
#   TESTS_EXCLUDE    subtests to leave out, BINARY@GLOB (default: none, or
#                    for the default suite ci/lib.sh's IGT_GENERIC_EXCLUDE)
#   BENCH            run vtgpu-bench with these arguments (benchmark names,
#                    or "all"), writing results/bench.jsonl
#   SPLAT            warn|lockdep: load ci/splat to provoke a report;
#                    hang: never finish (the hung-guest path)
#   INTERACTIVE=1    a shell on the console instead of a judged run
#   GUEST_TIMEOUT    seconds before a hung guest is killed (default 2400)
#   BOOT_TIMEOUT     seconds the kernel has to start init (default 600)
#   SUBTEST_TIMEOUT  seconds per subtest (default 300)
#   GUEST_MEM        guest RAM (default 2G)
#   VTGPU_DEVICE     extra -device vtgpu properties, e.g. vram-size=128M
#   TCG_THREAD       single (default) or multi: TCG threads for the vCPUs
# Prints the run directory's results; exits non-zero on any failure.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

GUEST_TIMEOUT=${GUEST_TIMEOUT:-2400}
BOOT_TIMEOUT=${BOOT_TIMEOUT:-600}
SUBTEST_TIMEOUT=${SUBTEST_TIMEOUT:-300}
INTERACTIVE=${INTERACTIVE:-0}
# At least 1: timeout(1) takes 0 as no limit, and the guest's hangs must
# be caught.
REPEAT=${REPEAT:-1}
need_numbers 1 GUEST_TIMEOUT BOOT_TIMEOUT SUBTEST_TIMEOUT REPEAT

KBUILD=$(kernel_build_dir)
QBUILD=$(qemu_build_dir)
KVER=$(cat "$KBUILD/include/config/kernel.release")

case $VTGPU_CACHE in /tmp/*) die "VTGPU_CACHE must not be under /tmp: the guest mounts its own /tmp" ;; esac
case $VTGPU_TOP in /tmp/*) die "the checkout must not be under /tmp: the guest mounts its own /tmp" ;; esac

RUN=$VTGPU_CACHE/runs/$(date +%Y%m%d-%H%M%S)-$$
mkdir -p "$RUN/bin" "$RUN/results"
# Keep the ten newest runs, and any older one whose run-guest.sh (the PID
# in its name) still runs: a soak's guest outlives many shorter runs.
find "$VTGPU_CACHE/runs" -mindepth 1 -maxdepth 1 -type d | sort | head -n -10 |
	while read -r old; do
		kill -0 "${old##*-}" 2>/dev/null || rm -rf "$old"
	done

cp "$VTGPU_TOP/ci/guest-run.sh" "$RUN/"
cp -a "$KBUILD/modroot" "$RUN/modroot"
cp -a "$VTGPU_OUT/tools/." "$RUN/bin/"
[ -d "$VTGPU_OUT/bench" ] && cp -a "$VTGPU_OUT/bench/." "$RUN/bin/"

# igt as ci/build-igt.sh built it, and igt_runner's test root: a link to
# each test binary (which finds libigt by its real path).
cp -a "$VTGPU_OUT/igt" "$RUN/igt"
mkdir -p "$RUN/igt/root" "$RUN/igt/runs"
for f in "$RUN"/igt/tests/* "$RUN"/igt/tests/vtgpu/*; do
	[ -f "$f" ] && ln -s "../${f#"$RUN/igt/"}" "$RUN/igt/root/${f##*/}"
done
# igt_runner wants the root's list of binaries even when given its tests.
list=$(ls "$RUN/igt/root")
printf 'TESTLIST\n%s\nEND TESTLIST\n' "$list" >"$RUN/igt/root/test-list.txt"
EXCLUDE=${TESTS_EXCLUDE:-}
if [ -z "${TESTS:-}" ] && [ -z "${BENCH:-}" ]; then
	TESTS=$(cd "$RUN/igt/tests/vtgpu" && ls | tr '\n' ' ')
	TESTS+=$(echo $IGT_GENERIC_TESTS)
	EXCLUDE=${TESTS_EXCLUDE-$IGT_GENERIC_EXCLUDE}
fi

TESTS=${TESTS:-} EXCLUDE=$EXCLUDE REPEAT=$REPEAT EXTRA_TESTS=${EXTRA_TESTS:-} \
	"$VTGPU_TOP/ci/igt-lists.sh" "$RUN/igt/root" "$RUN/igt/runs"

gcc -O2 -shared -fPIC $(pkg-config --cflags libdrm) -o "$RUN/drm_info_nokms.so" \
	"$VTGPU_TOP/ci/drm_info_nokms.c" -ldl

if [ -n "${SPLAT:-}" ] && [ "$SPLAT" != hang ]; then
	cp -r "$VTGPU_TOP/ci/splat" "$RUN/splat"
	make -s -C "$KBUILD" M="$RUN/splat" modules >/dev/null
	cp "$RUN/splat/vtgpu_splat.ko" "$RUN/"
fi

pci_id() { sed -n "s/^#define VTGPU_PCI_$1_ID[[:space:]]*0x//p" \
	"$VTGPU_TOP/drivers/gpu/drm/vtgpu/vtgpu_regs.h"; }

cat >"$RUN/env" <<EOT
BENCH="${BENCH:-}"
SPLAT="${SPLAT:-}"
INTERACTIVE=$INTERACTIVE
SUBTEST_TIMEOUT=$SUBTEST_TIMEOUT
VTGPU_PCI_VENDOR=$(pci_id VENDOR)
VTGPU_PCI_DEVICE=$(pci_id DEVICE)
VTGPU_DEVICE="${VTGPU_DEVICE:-}"
EOT

# The guest's root is the host's, read-only over 9p. cache=loose keeps
# what the guest read: it starts an igt binary per subtest, and each start
# read libigt and its libraries afresh (40 s a subtest on the KASAN
# kernel). Nothing the guest reads under / changes during a run; results
# go to the run directory's own mount, uncached.
# acpi=noirq: the i440fx DSDT's _PRT builds its table in an AML loop that
# on the KASAN kernel under TCG runs into ACPICA's 30 s loop timeout
# (AE_AML_LOOP_TIMEOUT) at each PCI device enable. The PIRQ table routes
# legacy interrupts instead, and vtgpu uses MSI.
KERNEL_ARGS=(root=vtgpu_root rootfstype=9p
	rootflags=trans=virtio,version=9p2000.L,msize=262144,cache=loose ro
	"init=$VTGPU_TOP/ci/guest-init.sh" console=ttyS0 panic=-1
	log_buf_len=8M no_timer_check acpi=noirq)

# One TCG thread for both vCPUs by default: QEMU 10.2's multi-threaded TCG
# can abort in iotlb_to_section() ("section_index < d->map.sections_nb")
# when a vCPU uses a TLB entry made before a memory map change (BAR
# programming, hotplug) that it has not flushed yet (QEMU issue 1921); it
# did once at a guest's PCI enumeration here. TCG_THREAD=multi for speed.
QEMU_ARGS=(
	-accel "tcg,thread=${TCG_THREAD:-single}" -smp 2 -m "${GUEST_MEM:-2G}"
	-L /usr/share/seabios -L /usr/share/qemu
	-kernel "$KBUILD/arch/x86/boot/bzImage"
	-append "${KERNEL_ARGS[*]}"
	-fsdev "local,id=root,path=/,readonly=on,multidevs=remap,security_model=none"
	-device virtio-9p-pci,fsdev=root,mount_tag=vtgpu_root
	-fsdev "local,id=run,path=$RUN,multidevs=remap,security_model=none"
	-device virtio-9p-pci,fsdev=run,mount_tag=vtgpu_run
	-device "vtgpu,id=vtgpu0${VTGPU_DEVICE:+,$VTGPU_DEVICE}"
	-qmp "unix:$RUN/qmp.sock,server=on,wait=off"
	# A second QMP monitor for the guest's tests (vtgpu_unplug's device_del
	# and device_add), on the virtio-serial port org.qemu.qmp, through
	# ci/qmp-guest-proxy.py: both chardevs connect to it, and it passes on
	# only the commands the tests need (never migrate or anything else
	# that reaches the host).
	-chardev "socket,id=qmpg,path=$RUN/qmpg-monitor.sock"
	-mon chardev=qmpg,mode=control
	-chardev "socket,id=qmpg-port,path=$RUN/qmpg-guest.sock"
	-device virtio-serial-pci,id=vser0
	-device virtserialport,bus=vser0.0,chardev=qmpg-port,name=org.qemu.qmp
	-nic none -vga none -display none -no-reboot
)

# The guest's QMP proxy listens before QEMU starts and connects to it; it
# exits when QEMU closes its sockets.
python3 "$VTGPU_TOP/ci/qmp-guest-proxy.py" --monitor "$RUN/qmpg-monitor.sock" \
	--guest "$RUN/qmpg-guest.sock" >"$RUN/qmp-proxy.log" 2>&1 &
for ((t = 0; t < 100; t++)); do
	grep -q listening "$RUN/qmp-proxy.log" && break
	sleep 0.1
done
grep -q listening "$RUN/qmp-proxy.log" || die "ci/qmp-guest-proxy.py did not start"

if [ "$INTERACTIVE" = 1 ]; then
	log "interactive guest; run directory $RUN"
	exec "$QBUILD/qemu-system-x86_64" "${QEMU_ARGS[@]}" -serial mon:stdio
fi

passes=
[ "$REPEAT" -gt 1 ] && passes=" (x$REPEAT)"
step "boot guest: kernel $KVER, tests: ${TESTS:-none}$passes${EXTRA_TESTS:+, then $EXTRA_TESTS}${BENCH:+, bench: $BENCH}"
rc=0
timeout -s KILL "$GUEST_TIMEOUT" "$QBUILD/qemu-system-x86_64" "${QEMU_ARGS[@]}" \
	-serial "file:$RUN/console.log" </dev/null >"$RUN/qemu.log" 2>&1 &
qemu=$!
# The KASAN kernel under TCG on a loaded host has hung in early boot (once,
# at "Running RCU-tasks wait API self tests", for 1200 s), before anything
# of vtgpu ran. A guest whose kernel has not started init in BOOT_TIMEOUT
# (a KASAN boot takes under 30 s of guest time) is killed, judged hung at
# boot, rather than left to use all of a soak guest's hours.
for ((t = 0; t < BOOT_TIMEOUT; t++)); do
	grep -qa ' as init process' "$RUN/console.log" 2>/dev/null && break
	kill -0 "$qemu" 2>/dev/null || break
	sleep 1
done
if [ "$t" -ge "$BOOT_TIMEOUT" ]; then
	echo "$BOOT_TIMEOUT" >"$RUN/boot-hung"
	pkill -KILL -P "$qemu" || true
fi
wait "$qemu" || rc=$?
echo "$rc" >"$RUN/qemu.rc"
step_done

mkdir -p "$VTGPU_OUT"
ln -sfn "$RUN" "$VTGPU_OUT/last-run"
rc=0
python3 "$VTGPU_TOP/ci/judge.py" --timeout "$GUEST_TIMEOUT" "$RUN" || rc=$?
# The results in the checkout: the judge's results.json and junit.xml,
# igt_runner's igt/N/results.json.
rm -rf "$VTGPU_OUT/results"
mkdir -p "$VTGPU_OUT/results/igt"
cp "$RUN/results.json" "$RUN/junit.xml" "$VTGPU_OUT/results/" 2>/dev/null || true
for d in "$RUN"/results/igt/*/; do
	[ -f "$d/results.json" ] || continue
	mkdir -p "$VTGPU_OUT/results/igt/$(basename "$d")"
	cp "$d/results.json" "$VTGPU_OUT/results/igt/$(basename "$d")/"
done
exit $rc
