#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-only
"""Drive the live-migration test (ci/migration/run.sh) from the host.

Starts the source QEMU with the test's guest and a destination QEMU
waiting for the migration; when the guest's client says "ready" (BOs set
up, jobs queued), migrates the running guest over a unix socket, tells the
client it runs on the destination and reads its checks. Passes when the
migration completed, jobs were still in flight when it did, the client
rewrote a VRAM BO meanwhile, every BO it announced was where it was made
to be before and after and holds the bytes it must, the client exited 0
and neither kernel log has a report. Everything ends by --timeout
seconds. Prints one line per check and "N passed, N failed".
"""

import argparse
import json
import os
import signal
import socket
import subprocess
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                ".."))
import judge  # noqa: E402

PORT_NAME = "org.vtgpu.migration"


class Deadline:
    """The one time limit of the whole test."""

    def __init__(self, seconds):
        self.end = time.monotonic() + seconds

    def left(self):
        left = self.end - time.monotonic()
        if left <= 0:
            raise TimeoutError("the test's time limit passed")
        return left


class QMP:
    def __init__(self, path, deadline):
        self.sock = connect(path, deadline)
        self.file = self.sock.makefile("rw")
        self.read()  # the greeting
        self.execute("qmp_capabilities")

    def read(self):
        while True:
            line = self.file.readline()
            if not line:
                raise RuntimeError("QMP connection closed")
            msg = json.loads(line)
            if "event" not in msg:
                return msg

    def execute(self, command, **arguments):
        self.file.write(json.dumps({"execute": command,
                                    "arguments": arguments}) + "\n")
        self.file.flush()
        reply = self.read()
        if "error" in reply:
            raise RuntimeError("%s: %s" % (command, reply["error"]["desc"]))
        return reply["return"]


def connect(path, deadline):
    """A unix socket to path, whose reads time out with the deadline."""
    while True:
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        try:
            sock.connect(path)
            sock.settimeout(deadline.left())
            return sock
        except OSError:
            sock.close()
            deadline.left()
            time.sleep(0.1)


def start_qemu(args, side, extra):
    d, sockets = args.dir, args.sockets
    # One TCG thread, as ci/run-guest.sh explains.
    cmd = [args.qemu, "-accel",
           "tcg,thread=%s" % os.environ.get("TCG_THREAD", "single"),
           "-smp", "2",
           "-m", "1G", "-nodefaults", "-display", "none", "-no-reboot",
           "-kernel", args.kernel, "-initrd", args.initrd,
           "-append", "console=ttyS0 rdinit=/init panic=-1 no_timer_check",
           "-serial", "file:%s/console-%s.log" % (d, side),
           "-qmp", "unix:%s/qmp-%s.sock,server=on,wait=off" % (sockets,
                                                                side),
           "-device", args.device,
           "-device", "virtio-serial-pci,id=vser0",
           "-chardev", "socket,id=ctl,path=%s/ctl-%s.sock,server=on,wait=off"
           % (sockets, side),
           "-device", "virtserialport,bus=vser0.0,chardev=ctl,name="
           + PORT_NAME] + extra
    with open(os.path.join(d, "qemu-%s.log" % side), "w") as log:
        return subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=log,
                                stderr=subprocess.STDOUT,
                                start_new_session=True)


class Port:
    """The host end of the client's virtio-serial port."""

    def __init__(self, path, deadline, transcript):
        self.file = connect(path, deadline).makefile("rw")
        self.transcript = transcript

    def send(self, line):
        self.file.write(line + "\n")
        self.file.flush()

    def lines(self):
        for line in self.file:
            line = line.strip()
            self.transcript.write(line + "\n")
            self.transcript.flush()
            yield line


def migrate(args, deadline, src_qmp, dst_qmp):
    uri = "unix:%s/migration.sock" % args.sockets
    dst_qmp.execute("migrate-incoming", uri=uri)
    start = time.monotonic()
    src_qmp.execute("migrate", uri=uri)
    while True:
        info = src_qmp.execute("query-migrate")
        if info.get("status") in ("completed", "failed", "cancelled"):
            return info, time.monotonic() - start
        deadline.left()
        time.sleep(0.05)


def placed(expect, where):
    return where == expect or (expect == "vram" and
                               where in ("vram-visible", "vram-invisible"))


def run(args, checks):
    deadline = Deadline(args.timeout)
    transcript = open(os.path.join(args.dir, "port.log"), "w")
    src = start_qemu(args, "src", [])
    dst = start_qemu(args, "dst", ["-incoming", "defer"])
    try:
        src_qmp = QMP("%s/qmp-src.sock" % args.sockets, deadline)
        dst_qmp = QMP("%s/qmp-dst.sock" % args.sockets, deadline)
        port = Port("%s/ctl-src.sock" % args.sockets, deadline, transcript)
        line = "error: the port closed"
        for line in port.lines():
            if line.startswith(("ready", "error")):
                break
        checks.append(("guest set up BOs and jobs", line.startswith("ready"),
                       line))
        if not line.startswith("ready"):
            return
        bos = int(line.split()[2])

        info, seconds = migrate(args, deadline, src_qmp, dst_qmp)
        ram = info.get("ram", {})
        checks.append(("migration completed", info["status"] == "completed",
                       "%s in %.1f s, %d MiB transferred, downtime %s ms" %
                       (info["status"], seconds,
                        ram.get("transferred", 0) >> 20,
                        info.get("downtime", "?"))))
        if info["status"] != "completed":
            return
        while dst_qmp.execute("query-status")["status"] != "running":
            deadline.left()
            time.sleep(0.05)
        src.terminate()

        port = Port("%s/ctl-dst.sock" % args.sockets, deadline, transcript)
        port.send("migrated")
        seen = 0
        done = "the port closed first"
        for line in port.lines():
            words = line.split()
            if words[0] == "busy":
                checks.append(("jobs in flight across the migration",
                               int(words[1]) > 0,
                               "%s jobs still queued on the destination" %
                               words[1]))
            elif words[0] == "writer":
                checks.append(("the CPU rewrote VRAM during the migration",
                               int(words[1]) > 0,
                               "%s times" % words[1]))
            elif words[0] == "bo":
                name, expect, before, after, size, wrong = words[1:7]
                seen += 1
                checks.append(("bo %s (%s, %s bytes)" % (name, expect, size),
                               wrong == "0" and placed(expect, before) and
                               placed(expect, after),
                               "%s bytes wrong; in %s before, %s after" %
                               (wrong, before, after)))
            elif words[0] in ("done", "error"):
                done = line
                break
        checks.append(("guest checked every BO",
                       done == "done 0" and seen == bos,
                       "%s; %d of %d BOs reported" % (done, seen, bos)))
        dst.wait(timeout=deadline.left())
    finally:
        transcript.close()
        for p in (src, dst):
            if p.poll() is None:
                os.killpg(p.pid, signal.SIGKILL)
            p.wait()


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dir", required=True)
    parser.add_argument("--sockets", required=True,
                        help="a short directory for the unix sockets")
    parser.add_argument("--qemu", required=True)
    parser.add_argument("--kernel", required=True)
    parser.add_argument("--initrd", required=True)
    parser.add_argument("--device", required=True)
    parser.add_argument("--timeout", type=int, default=600)
    args = parser.parse_args()

    # A TERM (timeout(1), a CI's cancel) still stops both QEMUs.
    signal.signal(signal.SIGTERM, lambda signum, frame: sys.exit(1))
    checks = []
    try:
        run(args, checks)
    except Exception as e:  # a dead QEMU, a closed socket: a failure
        checks.append(("test ran", False, "%s: %s" % (type(e).__name__, e)))

    for side in ("src", "dst"):
        log = judge.read(os.path.join(args.dir, "console-%s.log" % side))
        reports, _ = judge.scan_log(log or "")
        checks.append(("%s kernel log clean" % side, log is not None and
                       not reports,
                       "no log" if log is None else "%d reports" %
                       len(reports)))
        for _, block in reports:
            print("\n".join("  " + line for line in block))
    log = judge.read(os.path.join(args.dir, "console-dst.log")) or ""
    checks.append(("guest client exited 0", "vtgpu-migrate: exit 0" in log,
                   "see console-dst.log"))

    failed = 0
    for name, ok, detail in checks:
        print("%s migration: %s (%s)" % ("PASS" if ok else "FAIL", name,
                                        detail))
        failed += not ok
    print("results: %s" % args.dir)
    print("%d passed, %d failed" % (len(checks) - failed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
