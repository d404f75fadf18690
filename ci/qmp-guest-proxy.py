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

and passes on only the commands in ALLOWED; the others get a QMP error
reply from the proxy and never reach QEMU. Everything QEMU sends (the
greeting, replies, events) goes to the guest unchanged.
"""

import argparse
import json
import os
import selectors
import socket
import sys

# Command name -> check of its arguments.
ALLOWED = {
    "qmp_capabilities": lambda args: True,
    "query-status": lambda args: True,
    "device_del": lambda args: True,
    "device_add": lambda args: args.get("driver") == "vtgpu",
}


def listen(path):
    if os.path.exists(path):
        os.unlink(path)
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    sock.bind(path)
    sock.listen(1)
    return sock


def verdict(command):
    """None when command may go to QEMU, else the reply the guest gets."""
    name = command.get("execute") if isinstance(command, dict) else None
    args = command.get("arguments", {}) if isinstance(command, dict) else {}
    check = ALLOWED.get(name)
    if check and isinstance(args, dict) and check(args):
        return None
    reply = {"error": {"class": "GenericError",
                       "desc": "vtgpu guest QMP: %s is not allowed" % name}}
    if isinstance(command, dict) and "id" in command:
        reply["id"] = command["id"]
    return reply


def split_commands(buf):
    """Whole JSON values at the start of buf, and what is left of it."""
    decoder = json.JSONDecoder()
    values = []
    text = buf.decode("utf-8", "replace")
    pos = 0
    while True:
        while pos < len(text) and text[pos].isspace():
            pos += 1
        if pos == len(text):
            break
        try:
            value, end = decoder.raw_decode(text, pos)
        except json.JSONDecodeError:
            break
        values.append(value)
        pos = end
    return values, text[pos:].encode()


def relay(monitor, guest):
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
            commands, pending = split_commands(pending + data)
            if len(pending) > 1 << 20:
                return
            for command in commands:
                reply = verdict(command)
                if reply is None:
                    monitor.sendall(json.dumps(command).encode() + b"\n")
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
