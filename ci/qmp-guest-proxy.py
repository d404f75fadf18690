#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-only
"""The guest's QMP monitor, filtered.

The guest's tests hot-unplug and plug vtgpu through QMP (vtgpu_unplug's
device_del and device_add), on the virtio-serial port org.qemu.qmp. A
monitor of its own would give the guest all of QMP: `migrate exec:` and
`human-monitor-command` run programs on the host, `chardev-add` and
`object-add` open host files. This proxy sits between the two chardevs
QEMU connects to it:

  --monitor PATH  QEMU's monitor (-chardev socket,path=PATH -mon ...)
  --guest PATH    the port's chardev (-chardev socket,path=PATH ...)

and passes on only the commands in ALLOWED, one JSON object a line, as
the guest wrote it; the others (and anything that is not such a line) get
a QMP error reply from the proxy and never reach QEMU. Everything QEMU
sends (the greeting, replies, events) goes to the guest unchanged.
"""

import argparse
import json
import os
import re
import selectors
import socket
import sys

# A vtgpu the guest may plug, unplug and plug again: its QOM id, and the
# properties it may set (vtgpu_unplug passes VTGPU_DEVICE's). Nothing that
# names a host file (romfile) or places the device (bus, addr).
VTGPU_ID = re.compile(r"vtgpu[0-9]*\Z")
VTGPU_PROPS = {"vram-size", "visible-vram-size", "gart-size",
               "engine-delay-us"}


def device_add_ok(args):
    if args.get("driver") != "vtgpu" or \
            not VTGPU_ID.match(str(args.get("id", ""))):
        return False
    return all(k in ("driver", "id") or
               (k in VTGPU_PROPS and isinstance(v, (str, int)) and
                not isinstance(v, bool))
               for k, v in args.items())


# Command name -> check of its arguments.
ALLOWED = {
    "qmp_capabilities": lambda args: not args,
    "query-status": lambda args: not args,
    "device_del": lambda args: set(args) == {"id"} and
    isinstance(args["id"], str) and bool(VTGPU_ID.match(args["id"])),
    "device_add": device_add_ok,
}
# The longest line the guest may send.
MAX_LINE = 64 * 1024


def listen(path):
    if os.path.exists(path):
        os.unlink(path)
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    sock.bind(path)
    sock.listen(1)
    return sock


def refuse(why, command_id=None):
    reply = {"error": {"class": "GenericError",
                       "desc": "vtgpu guest QMP: %s" % why}}
    if command_id is not None:
        reply["id"] = command_id
    return reply


def verdict(line):
    """None when the command on line may go to QEMU, else the reply."""
    try:
        command = json.loads(line)
    except (ValueError, RecursionError):
        return refuse("not one JSON object a line")
    if not isinstance(command, dict):
        return refuse("not a JSON object")
    command_id = command.get("id")
    name = command.get("execute")
    args = command.get("arguments", {})
    if not isinstance(name, str) or not isinstance(args, dict) or \
            set(command) - {"execute", "arguments", "id"}:
        return refuse("malformed command", command_id)
    check = ALLOWED.get(name)
    if not check or not check(args):
        return refuse("%s is not allowed" % name, command_id)
    return None


def relay(monitor, guest):
    """Pass QEMU's output on; filter the guest's, a command a line."""
    sel = selectors.DefaultSelector()
    sel.register(monitor, selectors.EVENT_READ)
    sel.register(guest, selectors.EVENT_READ)
    pending = b""
    while True:
        for key, _ in sel.select():
            data = key.fileobj.recv(65536)
            if not data:
                return
            if key.fileobj is monitor:
                guest.sendall(data)
                continue
            *lines, pending = (pending + data).split(b"\n")
            if len(pending) > MAX_LINE:
                lines.append(pending)
                pending = b""
            for line in lines:
                if not line.strip():
                    continue
                reply = verdict(line) if len(line) <= MAX_LINE else \
                    refuse("line too long")
                if reply is None:
                    monitor.sendall(line + b"\n")
                else:
                    guest.sendall(json.dumps(reply).encode() + b"\r\n")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--monitor", required=True)
    parser.add_argument("--guest", required=True)
    args = parser.parse_args()

    mon_sock, guest_sock = listen(args.monitor), listen(args.guest)
    # Ready: QEMU may start and connect.
    print("listening", flush=True)
    monitor, _ = mon_sock.accept()
    guest, _ = guest_sock.accept()
    relay(monitor, guest)
    return 0


if __name__ == "__main__":
    sys.exit(main())
