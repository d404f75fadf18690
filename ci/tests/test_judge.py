#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-only
"""Unit tests of ci/judge.py on synthetic run directories."""

import json
import os
import subprocess
import sys
import tempfile
import unittest
import xml.etree.ElementTree as ET

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


def igt(binary, what):
    """igt_core's kernel log line."""
    return "[    2.0] [IGT] %s: %s\n" % (binary, what)


def igt_exec(binary, subtest, body="", result="SUCCESS"):
    """The kernel log of one igt_runner start of BINARY@SUBTEST."""
    return (igt(binary, "executing") + igt(binary, "starting subtest " +
                                           subtest) + body +
            igt(binary, "finished subtest %s, %s" % (subtest, result)) +
            igt(binary, "exiting, ret=0"))


class JudgeTest(unittest.TestCase):
    def run_judge(self, status, dmesg=None, complete=True, qemu_rc=0,
                  console=None, boot_hung=None, igt_runs=()):
        """igt_runs: (suffix, {name: igt result dict}) per igt_runner run."""
        d = tempfile.mkdtemp()
        self.dir = d
        os.makedirs(os.path.join(d, "results", "out"))
        os.makedirs(os.path.join(d, "igt", "runs"))
        for i, (suffix, tests) in enumerate(igt_runs):
            n = "%02d" % (i + 1)
            with open(os.path.join(d, "igt", "runs", n + ".txt"), "w") as f:
                f.write("".join(t + "\n" for t in tests or ()))
            with open(os.path.join(d, "igt", "runs", n + ".suffix"),
                      "w") as f:
                f.write(suffix + "\n")
            if tests is None:
                continue
            os.makedirs(os.path.join(d, "results", "igt", n))
            with open(os.path.join(d, "results", "igt", n, "results.json"),
                      "w") as f:
                json.dump({"tests": tests}, f)
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
        rc, out = self.run_judge([("check@a", 0, ""), ("check@c", 0, "")],
                                 dmesg="[ 1.0] hello\n")
        self.assertEqual(rc, 0)
        self.assertEqual(out.splitlines()[-1], "2 passed, 0 failed, 0 skipped")

    def test_check_exit_codes(self):
        rc, out = self.run_judge([
            ("check@pass", 0, ""), ("check@fail", 1, ""),
            ("check@timeout", 124, ""), ("check@signal", 139, ""),
            ("check@skip-is-fail", 77, "")], dmesg="")
        self.assertEqual(rc, 1)
        for want in ("PASS .* check@pass", "FAIL .* check@fail",
                     "TIMEOUT .* check@timeout", "CRASH .* check@signal",
                     "FAIL .* check@skip-is-fail"):
            self.assertRegex(out, want)
        self.assertEqual(out.splitlines()[-1], "1 passed, 4 failed, 0 skipped")

    def test_warn_fails_its_check(self):
        dmesg = (marker("begin", "check@a") + WARN +
                 marker("end", "check@a", 0) +
                 marker("begin", "check@b") + marker("end", "check@b", 0))
        rc, out = self.run_judge([("check@a", 0, ""), ("check@b", 0, "")],
                                 dmesg=dmesg)
        self.assertEqual(rc, 1)
        self.assertRegex(out, "FAIL .* check@a")
        self.assertRegex(out, "PASS .* check@b")
        self.assertIn("| vtgpu: something odd", out)
        self.assertEqual(out.splitlines()[-1], "1 passed, 1 failed, 0 skipped")

    def test_reports_outside_tests(self):
        for report in (LOCKDEP, KASAN, KMEMLEAK):
            rc, out = self.run_judge([("check@a", 0, "")], dmesg=report)
            self.assertEqual(rc, 1, report)
            self.assertRegex(out, "FAIL .* kernel@log")

    def test_skipped_test_with_report_fails(self):
        dmesg = (marker("begin", "igt-run 01") +
                 igt_exec("t", "a", LOCKDEP, "SKIP") +
                 marker("end", "igt-run 01"))
        rc, out = self.run_judge([], dmesg=dmesg,
                                 igt_runs=[("", {"igt@t@a": {"result": "skip"}})])
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

    def test_igt_verdicts(self):
        tests = {
            "igt@t@pass": {"result": "pass", "out": "ok"},
            "igt@t@skip": {"result": "skip"},
            "igt@t@fail": {"result": "fail", "err":
                           "assertion failed\n**** DEBUG ****\nnoise\n"
                           "****  END  ****\nSubtest fail: FAIL\n"},
            "igt@t@warn": {"result": "dmesg-warn",
                           "dmesg": "<6> [1.0] fine\n<4> [1.1] odd thing\n"},
            "igt@t@incomplete": {"result": "incomplete"},
            "igt@t@timeout": {"result": "timeout"},
        }
        rc, out = self.run_judge([("check@c", 0, "")], dmesg="",
                                 igt_runs=[("", tests)])
        self.assertEqual(rc, 1)
        for want in ("PASS .* igt@t@pass", "SKIP .* igt@t@skip",
                     "FAIL .* igt@t@fail", "FAIL .* igt@t@warn",
                     "CRASH .* igt@t@incomplete", "TIMEOUT .* igt@t@timeout",
                     "PASS .* check@c"):
            self.assertRegex(out, want)
        # A dmesg-warn shows the kernel's warning, not its info lines.
        self.assertIn("odd thing", out)
        self.assertNotIn("fine", out)
        self.assertIn("assertion failed", out)
        self.assertIn("Subtest fail: FAIL", out)
        self.assertNotIn("noise", out)
        self.assertEqual(out.splitlines()[-1], "2 passed, 4 failed, 1 skipped")

    def test_tcg_warning_alone_is_no_failure(self):
        hrtimer = "<4> [102.630352] hrtimer: interrupt took 3185424 ns\n"
        tests = {
            "igt@t@a": {"result": "dmesg-warn", "dmesg": hrtimer},
            "igt@t@b": {"result": "dmesg-warn",
                        "dmesg": hrtimer + "<4> [103.0] vtgpu: odd\n"},
            "igt@t@c": {"result": "dmesg-fail", "dmesg": hrtimer},
            # The test said to expect its error: igt_runner ignored it.
            "igt@t@d": {"result": "dmesg-warn", "dmesg": hrtimer +
                        "<6> [103.0] [IGT] add ignored dmesg regex: "
                        "vtgpu [^ ]+: [*]ERROR[*] (engine error: )\n"
                        "<3> [103.1] vtgpu 0000:00:04.0: *ERROR* engine "
                        "error: injected\n"},
            # ... but not another one.
            "igt@t@e": {"result": "dmesg-warn", "dmesg": hrtimer +
                        "<6> [103.0] [IGT] add ignored dmesg regex: "
                        "vtgpu [^ ]+: [*]ERROR[*] (engine error: )\n"
                        "<3> [103.1] vtgpu 0000:00:04.0: *ERROR* ring "
                        "test failed\n"},
        }
        rc, out = self.run_judge([], dmesg="", igt_runs=[("", tests)])
        self.assertEqual(rc, 1)
        self.assertRegex(out, "PASS .* igt@t@a")
        self.assertRegex(out, "FAIL .* igt@t@b")
        self.assertRegex(out, "FAIL .* igt@t@c")
        self.assertRegex(out, "PASS .* igt@t@d")
        self.assertRegex(out, "FAIL .* igt@t@e")

    def test_igt_report_fails_its_subtest(self):
        # A WARN in the fixture of a start, before its subtest begins, is
        # the subtest's; the next start is clean.
        dmesg = (marker("begin", "igt-run 01") +
                 igt("t", "executing") + WARN +
                 igt("t", "starting subtest a") +
                 igt("t", "finished subtest a, SUCCESS") +
                 igt("t", "exiting, ret=0") +
                 igt_exec("t", "b") + marker("end", "igt-run 01"))
        tests = {"igt@t@a": {"result": "pass"}, "igt@t@b": {"result": "pass"}}
        rc, out = self.run_judge([], dmesg=dmesg, igt_runs=[("", tests)])
        self.assertEqual(rc, 1)
        self.assertRegex(out, "FAIL .* igt@t@a")
        self.assertRegex(out, "PASS .* igt@t@b")
        self.assertNotIn("kernel@log", out)
        self.assertEqual(out.splitlines()[-1], "1 passed, 1 failed, 0 skipped")

    def test_igt_report_stays_with_its_start(self):
        # A start whose fixture warned, then skipped before any subtest:
        # the report is its binary's, not the next start's subtest's.
        dmesg = (marker("begin", "igt-run 01") +
                 igt("t", "executing") + WARN + igt("t", "exiting, ret=77") +
                 igt_exec("t", "b") + marker("end", "igt-run 01"))
        tests = {"igt@t@a": {"result": "skip"}, "igt@t@b": {"result": "pass"}}
        rc, out = self.run_judge([], dmesg=dmesg, igt_runs=[("", tests)])
        self.assertEqual(rc, 1)
        self.assertRegex(out, "PASS .* igt@t@b")
        self.assertRegex(out, "FAIL .* igt@t\n")

    def test_igt_report_in_dynamic_subtest(self):
        body = (igt("t", "starting dynamic subtest d1") + KASAN +
                igt("t", "finished subtest d1, FAIL") +
                igt("t", "starting dynamic subtest d2") +
                igt("t", "finished subtest d2, SUCCESS"))
        dmesg = (marker("begin", "igt-run 01") + igt_exec("t", "a", body) +
                 marker("end", "igt-run 01"))
        tests = {"igt@t@a@d1": {"result": "pass"},
                 "igt@t@a@d2": {"result": "pass"}}
        rc, out = self.run_judge([], dmesg=dmesg, igt_runs=[("", tests)])
        self.assertEqual(rc, 1)
        self.assertRegex(out, "FAIL .* igt@t@a@d1")
        self.assertRegex(out, "PASS .* igt@t@a@d2")

    def test_igt_run_suffixes(self):
        # Soak passes are named ...#N and runs with an environment
        # ...:VAR=VALUE; a report in pass 2 fails pass 2's test only.
        dmesg = (marker("begin", "igt-run 01") + igt_exec("t", "a") +
                 marker("end", "igt-run 01") +
                 marker("begin", "igt-run 02") + igt_exec("t", "a", KASAN) +
                 marker("end", "igt-run 02") +
                 marker("begin", "igt-run 03") + igt_exec("t", "s") +
                 marker("end", "igt-run 03"))
        rc, out = self.run_judge([], dmesg=dmesg, igt_runs=[
            ("#1", {"igt@t@a": {"result": "pass"}}),
            ("#2", {"igt@t@a": {"result": "pass"}}),
            (":N=1,M=2", {"igt@t@s": {"result": "pass"}})])
        self.assertEqual(rc, 1)
        self.assertRegex(out, "PASS .* igt@t@a#1")
        self.assertRegex(out, "FAIL .* igt@t@a#2")
        self.assertRegex(out, "PASS .* igt@t@s:N=1,M=2")

    def test_igt_not_run(self):
        # igt_runner reported one of the two tests it was given.
        rc, out = self.run_judge([], dmesg="", igt_runs=[
            ("", {"igt@t@a": {"result": "pass"}})])
        self.assertEqual(rc, 0)
        d = self.dir
        with open(os.path.join(d, "igt", "runs", "01.txt"), "a") as f:
            f.write("igt@t@b\nigt@u\n")
        with open(os.path.join(d, "results", "igt-01.log"), "w") as f:
            f.write("Cannot open test-list.txt\n")
        p = subprocess.run([sys.executable, JUDGE, d], capture_output=True,
                           text=True)
        self.assertEqual(p.returncode, 1)
        self.assertRegex(p.stdout, "FAIL .* igt@t@b")
        self.assertRegex(p.stdout, "FAIL .* igt@u")
        self.assertIn("Cannot open test-list.txt", p.stdout)

    def test_igt_dynamic_subtests_count_as_run(self):
        rc, out = self.run_judge([], dmesg="", igt_runs=[
            ("", {"igt@t@a@d1": {"result": "pass"},
                  "igt@t@a@d2": {"result": "pass"}})])
        with open(os.path.join(self.dir, "igt", "runs", "01.txt"), "w") as f:
            f.write("igt@t@a\n")
        p = subprocess.run([sys.executable, JUDGE, self.dir],
                           capture_output=True, text=True)
        self.assertEqual(p.returncode, 0, p.stdout)
        self.assertEqual(p.stdout.splitlines()[-1],
                         "2 passed, 0 failed, 0 skipped")

    def test_igt_output_not_utf8(self):
        # igt_runner copies a test's output bytes into results.json.
        rc, out = self.run_judge([], dmesg="", igt_runs=[
            ("", {"igt@t@a": {"result": "pass", "out": "ok"}})])
        path = os.path.join(self.dir, "results", "igt", "01", "results.json")
        with open(path, "rb") as f:
            data = f.read().replace(b'"ok"', b'"o\xc0k"')
        with open(path, "wb") as f:
            f.write(data)
        p = subprocess.run([sys.executable, JUDGE, self.dir],
                           capture_output=True, text=True)
        self.assertEqual(p.returncode, 0, p.stdout)
        self.assertRegex(p.stdout, "PASS .* igt@t@a")

    def test_junit(self):
        tests = {"igt@t@a": {"result": "pass"},
                 "igt@t@b": {"result": "fail", "out": "bell \x07 here"},
                 "igt@t@c": {"result": "skip"}}
        self.run_judge([("check@c", 0, "")], dmesg="",
                       igt_runs=[("", tests)])
        suite = ET.parse(os.path.join(self.dir, "junit.xml")).find(
            "testsuite")
        self.assertEqual((suite.get("tests"), suite.get("failures"),
                          suite.get("skipped")), ("4", "1", "1"))
        cases = {(c.get("classname"), c.get("name")): c
                 for c in suite.findall("testcase")}
        self.assertIsNotNone(cases[("igt.t", "b")].find("failure"))
        self.assertIsNotNone(cases[("igt.t", "c")].find("skipped"))
        self.assertEqual(list(cases[("igt.t", "a")]), [])
        self.assertIn(("check", "c"), cases)

    def test_hung_guest(self):
        # The guest hung in igt_runner's second test: igt_results made
        # results.json from the journal, the test it stopped in incomplete.
        console = (marker("begin", "igt-run 01") + igt_exec("t", "a") +
                   igt(("t"), "executing") + igt("t", "starting subtest stuck"))
        rc, out = self.run_judge([("check@modules", 0, "")], complete=False,
                                 qemu_rc=137, console=console, igt_runs=[
                                     ("", {"igt@t@a": {"result": "pass"},
                                           "igt@t@stuck":
                                           {"result": "incomplete"}})])
        self.assertEqual(rc, 1)
        self.assertRegex(out, "PASS .* igt@t@a")
        self.assertRegex(out, "TIMEOUT .* igt@t@stuck")
        self.assertRegex(out, "TIMEOUT .* guest@complete")
        self.assertIn("hung: killed after 60 s", out)

    def test_guest_stopped_before_results(self):
        # No results.json, no journal: the test begun last is named.
        console = (marker("begin", "igt-run 01") +
                   igt(("t"), "executing") + igt("t", "starting subtest stuck"))
        rc, out = self.run_judge([], complete=False, qemu_rc=137,
                                 console=console, igt_runs=[("", None)])
        self.assertEqual(rc, 1)
        self.assertRegex(out, "TIMEOUT .* igt@t@stuck")

    def test_hung_at_boot(self):
        rc, out = self.run_judge([], complete=False, qemu_rc=137,
                                 console="[ 1.1] Running RCU-tasks wait API "
                                 "self tests\n", boot_hung=600)
        self.assertEqual(rc, 1)
        self.assertRegex(out, "TIMEOUT .* guest@complete")
        self.assertIn("hung at boot: no init after 600 s", out)
        self.assertNotIn("killed after", out)

    def test_panicked_guest(self):
        console = marker("begin", "check@a") + \
            "[ 2.0] Kernel panic - not syncing: Fatal exception\n"
        rc, out = self.run_judge([], complete=False, qemu_rc=0,
                                 console=console)
        self.assertEqual(rc, 1)
        self.assertRegex(out, "FAIL .* check@a")
        self.assertRegex(out, "CRASH .* guest@complete")


if __name__ == "__main__":
    unittest.main()
