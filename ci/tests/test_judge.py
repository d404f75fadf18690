#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-only
"""Unit tests of ci/judge.py on synthetic run directories."""

import os
import subprocess
import sys
import tempfile
import unittest

JUDGE = os.path.join(os.path.dirname(__file__), "..", "judge.py")

WARN = """[    3.000000] ------------[ cut here ]------------
[    3.000001] vtgpu: something odd
[    3.000002] WARNING: CPU: 1 PID: 77 at drivers/gpu/drm/vtgpu/x.c:1 f+0x1/0x2
[    3.000003] Modules linked in: vtgpu
[    3.000004] ---[ end trace 0000000000000000 ]---
"""
LOCKDEP = """[    5.000000] ======================================================
[    5.000001] WARNING: possible circular locking dependency detected
[    5.000002] 6.1.0 #1 Not tainted
[    5.000003] ------------------------------------------------------
"""
KASAN = "[    6.0] BUG: KASAN: use-after-free in vtgpu_bo_release+0x10/0x20\n"
KMEMLEAK = "[    7.0] kmemleak: 2 new suspected memory leaks (see /sys/kernel/debug/kmemleak)\n"


def marker(what, name, rc=None):
    return "[    1.0] vtgpu-run: %s %s%s\n" % (
        what, name, "" if rc is None else " rc=%d" % rc)


class JudgeTest(unittest.TestCase):
    def run_judge(self, status, dmesg=None, complete=True, qemu_rc=0,
                  console=None, boot_hung=None):
        d = tempfile.mkdtemp()
        os.makedirs(os.path.join(d, "results", "out"))
        with open(os.path.join(d, "results", "status"), "w") as f:
            for name, rc, out in status:
                f.write("%s\t%d\t1\n" % (name, rc))
                with open(os.path.join(d, "results", "out", name + ".txt"),
                          "w") as o:
                    o.write(out)
        if dmesg is not None:
            with open(os.path.join(d, "results", "dmesg.txt"), "w") as f:
                f.write(dmesg)
        if console is not None:
            with open(os.path.join(d, "console.log"), "w") as f:
                f.write(console)
        if complete:
            open(os.path.join(d, "results", "complete"), "w").close()
        with open(os.path.join(d, "qemu.rc"), "w") as f:
            f.write("%d\n" % qemu_rc)
        if boot_hung is not None:
            with open(os.path.join(d, "boot-hung"), "w") as f:
                f.write("%d\n" % boot_hung)
        p = subprocess.run([sys.executable, JUDGE, "--timeout", "60", d],
                           capture_output=True, text=True)
        return p.returncode, p.stdout

    def test_all_pass(self):
        rc, out = self.run_judge([("igt@t@a", 0, ""), ("check@c", 0, "")],
                                 dmesg="[ 1.0] hello\n")
        self.assertEqual(rc, 0)
        self.assertEqual(out.splitlines()[-1], "2 passed, 0 failed, 0 skipped")

    def test_exit_codes(self):
        rc, out = self.run_judge([
            ("igt@t@pass", 0, ""), ("igt@t@skip", 77, ""),
            ("igt@t@fail", 98, ""), ("igt@t@timeout", 124, ""),
            ("igt@t@crash", 98, "Subtest crash: CRASH (0.1s)"),
            ("igt@t@signal", 139, ""), ("check@skip-is-fail", 77, "")],
            dmesg="")
        self.assertEqual(rc, 1)
        for want in ("PASS .* igt@t@pass", "SKIP .* igt@t@skip",
                     "FAIL .* igt@t@fail", "TIMEOUT .* igt@t@timeout",
                     "CRASH .* igt@t@crash", "CRASH .* igt@t@signal",
                     "FAIL .* check@skip-is-fail"):
            self.assertRegex(out, want)
        self.assertEqual(out.splitlines()[-1], "1 passed, 5 failed, 1 skipped")

    def test_warn_fails_its_test(self):
        dmesg = (marker("begin", "igt@t@a") + WARN +
                 marker("end", "igt@t@a", 0) +
                 marker("begin", "igt@t@b") + marker("end", "igt@t@b", 0))
        rc, out = self.run_judge([("igt@t@a", 0, ""), ("igt@t@b", 0, "")],
                                 dmesg=dmesg)
        self.assertEqual(rc, 1)
        self.assertRegex(out, "FAIL .* igt@t@a")
        self.assertRegex(out, "PASS .* igt@t@b")
        self.assertIn("| vtgpu: something odd", out)
        self.assertEqual(out.splitlines()[-1], "1 passed, 1 failed, 0 skipped")

    def test_reports_outside_tests(self):
        for report in (LOCKDEP, KASAN, KMEMLEAK):
            rc, out = self.run_judge([("igt@t@a", 0, "")], dmesg=report)
            self.assertEqual(rc, 1, report)
            self.assertRegex(out, "FAIL .* kernel@log")

    def test_skipped_test_with_report_fails(self):
        dmesg = marker("begin", "igt@t@a") + LOCKDEP
        rc, out = self.run_judge([("igt@t@a", 77, "")], dmesg=dmesg)
        self.assertEqual(rc, 1)
        self.assertRegex(out, "FAIL .* igt@t@a")

    def test_kmemleak_scan_fails_its_check(self):
        # The soak's final scan logs its count inside check@kmemleak: the
        # check fails on it even if its own verdict were a pass.
        dmesg = marker("begin", "check@kmemleak") + KMEMLEAK + \
            marker("end", "check@kmemleak", 0)
        rc, out = self.run_judge([("check@kmemleak", 0, "")], dmesg=dmesg)
        self.assertEqual(rc, 1)
        self.assertRegex(out, "FAIL .* check@kmemleak")
        self.assertIn("| kmemleak: 2 new suspected memory leaks", out)

    def test_repeated_and_argument_names(self):
        # Soak passes are named ...#N and tests with arguments ...:ARGS.
        dmesg = marker("begin", "igt@t@a#2") + KASAN + \
            marker("end", "igt@t@a#2", 0)
        rc, out = self.run_judge([("igt@t@a#1", 0, ""), ("igt@t@a#2", 0, ""),
                                  ("igt@t@s:--n=1,--m=2", 0, "")],
                                 dmesg=dmesg)
        self.assertEqual(rc, 1)
        self.assertRegex(out, "PASS .* igt@t@a#1")
        self.assertRegex(out, "FAIL .* igt@t@a#2")
        self.assertRegex(out, "PASS .* igt@t@s:--n=1,--m=2")

    def test_hung_guest(self):
        console = marker("begin", "igt@t@a") + marker("end", "igt@t@a", 0) + \
            marker("begin", "igt@t@stuck")
        rc, out = self.run_judge([("igt@t@a", 0, "")], complete=False,
                                 qemu_rc=137, console=console)
        self.assertEqual(rc, 1)
        self.assertRegex(out, "TIMEOUT .* igt@t@stuck")
        self.assertRegex(out, "TIMEOUT .* guest@complete")
        self.assertIn("hung: killed after 60 s", out)

    def test_hung_at_boot(self):
        rc, out = self.run_judge([], complete=False, qemu_rc=137,
                                 console="[ 1.1] Running RCU-tasks wait API "
                                 "self tests\n", boot_hung=600)
        self.assertEqual(rc, 1)
        self.assertRegex(out, "TIMEOUT .* guest@complete")
        self.assertIn("hung at boot: no init after 600 s", out)
        self.assertNotIn("killed after", out)

    def test_panicked_guest(self):
        console = marker("begin", "igt@t@a") + \
            "[ 2.0] Kernel panic - not syncing: Fatal exception\n"
        rc, out = self.run_judge([], complete=False, qemu_rc=0,
                                 console=console)
        self.assertEqual(rc, 1)
        self.assertRegex(out, "FAIL .* igt@t@a")
        self.assertRegex(out, "CRASH .* guest@complete")


if __name__ == "__main__":
    unittest.main()
