#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-only
"""Unit tests of ci/qmp-guest-proxy.py: what the guest may send to QEMU."""

import importlib.util
import json
import os
import socket
import subprocess
import sys
import tempfile
import unittest

TOP = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..")
PROXY = os.path.join(TOP, "ci", "qmp-guest-proxy.py")

spec = importlib.util.spec_from_file_location("qmp_guest_proxy", PROXY)
proxy = importlib.util.module_from_spec(spec)
spec.loader.exec_module(proxy)


def verdict(command):
    return proxy.verdict(json.dumps(command).encode())


class VerdictTest(unittest.TestCase):
    def test_hotplug_commands_pass(self):
        for command in ({"execute": "qmp_capabilities"},
                        {"execute": "device_del",
                         "arguments": {"id": "vtgpu0"}},
                        {"execute": "device_add",
                         "arguments": {"driver": "vtgpu", "id": "vtgpu0",
                                       "vram-size": "128M"}}):
            self.assertIsNone(verdict(command), command)

    def test_host_reaching_commands_refused(self):
        for command in ({"execute": "migrate",
                         "arguments": {"uri": "exec:touch /tmp/x"}},
                        {"execute": "human-monitor-command",
                         "arguments": {"command-line": "migrate exec:id"}},
                        {"execute": "chardev-add", "arguments": {}},
                        {"execute": "object-add", "arguments": {}},
                        {"execute": "device_add",
                         "arguments": {"driver": "virtio-9p-pci"}},
                        {"execute": "device_add",
                         "arguments": {"driver": "vtgpu", "id": "vtgpu0",
                                       "romfile": "/etc/shadow"}},
                        {"execute": "device_add",
                         "arguments": {"driver": "vtgpu", "id": "vtgpu0",
                                       "bus": "pci.0"}},
                        {"execute": "device_del",
                         "arguments": {"id": "vser0"}},
                        {"execute": "device_add", "arguments": []},
                        {"execute": {}}, {"execute": ["migrate"]},
                        {"execute": "query-status", "exec-oob": "migrate"},
                        ["migrate"], "migrate"):
            reply = verdict(command)
            self.assertIsNotNone(reply, command)
            self.assertEqual(reply["error"]["class"], "GenericError",
                             command)

    def test_garbage_refused(self):
        for line in (b"[" * 100000, b"}", b"{\"execute\": ", b"\xff\xfe"):
            self.assertIn("error", proxy.verdict(line))

    def test_refusal_keeps_id(self):
        reply = verdict({"execute": "migrate", "id": "igt-1"})
        self.assertEqual(reply["id"], "igt-1")


class RelayTest(unittest.TestCase):
    """The proxy between a fake monitor and a fake guest port."""

    def test_migrate_never_reaches_monitor(self):
        with tempfile.TemporaryDirectory() as tmp:
            mon_path = os.path.join(tmp, "mon.sock")
            guest_path = os.path.join(tmp, "guest.sock")
            p = subprocess.Popen([sys.executable, PROXY, "--monitor",
                                  mon_path, "--guest", guest_path],
                                 stdout=subprocess.PIPE, text=True)
            try:
                self.assertEqual(p.stdout.readline().strip(), "listening")
                mon = socket.socket(socket.AF_UNIX)
                mon.connect(mon_path)
                guest = socket.socket(socket.AF_UNIX)
                guest.connect(guest_path)
                guest.settimeout(10)
                mon.settimeout(10)

                guest_in = guest.makefile("rb")
                mon_in = mon.makefile("rb")

                guest.sendall(b'}\n{"execute": "migrate", "arguments": '
                              b'{"uri": "exec:true"}, "id": 1}\n'
                              b'{"execute": "device_del", "arguments": '
                              b'{"id": "vtgpu0"}, "id": 2}\n')
                self.assertIn("error", json.loads(guest_in.readline()))
                reply = json.loads(guest_in.readline())
                self.assertEqual(reply["id"], 1)
                self.assertIn("error", reply)
                forwarded = json.loads(mon_in.readline())
                self.assertEqual(forwarded["execute"], "device_del")

                mon.sendall(b'{"return": {}, "id": 2}\r\n')
                self.assertEqual(json.loads(guest_in.readline()),
                                 {"return": {}, "id": 2})
                for f in (guest_in, mon_in, mon, guest):
                    f.close()
                p.wait(timeout=10)
            finally:
                p.kill()
                p.wait()
                p.stdout.close()


if __name__ == "__main__":
    unittest.main()
