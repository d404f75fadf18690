#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-only
"""Unit tests of ci/soak-report.py on synthetic soak runs."""

import json
import os
import subprocess
import sys
import tempfile
import unittest

REPORT = os.path.join(os.path.dirname(__file__), "..", "soak-report.py")
SOAK = "igt@vtgpu_evict@soak:--soak-bytes=1024"
FUZZ = "igt@vtgpu_fuzz@ioctls:--calls=100,--seed=7"
MOVED = "soak round 1: ...\nmoved 2048 bytes, 0 bytes wrong\n"
LEAKS = "kmemleak: 0 unreferenced objects\n"
CALLS = ("seed 7: %d calls in 1.0 s (100 calls/s), 40 failed as expected, "
         "0 transient\n")
GATE = ("PASS gate catches kasan\nPASS gate catches leak\n"
        "2 passed, 0 failed\n")
FUZZ_OK = ("x\nfuzz: 500 executions, 0 crashes\n", 0)


def test(name, status="pass", output=""):
    return {"name": name, "status": status, "output": output}


def write(path, text):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as f:
        f.write(text)


class SoakReportTest(unittest.TestCase):
    def report(self, suites, stress, qemu_fuzz=(FUZZ_OK, FUZZ_OK),
               repeat=2, gate=GATE, recorded=()):
        out = tempfile.mkdtemp()
        for part, tests in (("suites", suites), ("stress", stress)):
            if tests is not None:
                write(os.path.join(out, part, "results.json"),
                      json.dumps({"tests": tests}))
        write(os.path.join(out, "stress", "seed"), "7\n")
        if gate is not None:
            write(os.path.join(out, "gate", "gate.txt"), gate)
        for i, (log, rc) in enumerate(qemu_fuzz, 1):
            d = os.path.join(out, "qemu-fuzz-%d" % i)
            write(os.path.join(d, "qemu-fuzz.log"), log)
            write(os.path.join(d, "qemu-fuzz.rc"), "%d\n" % rc)
        for part in recorded:
            write(os.path.join(out, part, "passed"),
                  "on 2026-11-21 at 10:00:00 UTC\n")
        p = subprocess.run([sys.executable, REPORT, "--repeat", str(repeat),
                            "--soak-bytes", "1024", "--fuzz-calls", "100",
                            "--qemu-fuzz-runs", "1000", out],
                           capture_output=True, text=True)
        with open(os.path.join(out, "summary.json")) as f:
            return p.returncode, p.stdout, json.load(f)

    def suites(self):
        return [test("check@modules"),
                test("igt@vtgpu_basic@a#1"), test("igt@vtgpu_basic@b#1", "skip"),
                test("igt@vtgpu_basic@a#2"), test("igt@vtgpu_basic@b#2"),
                test("check@kmemleak", output=LEAKS)]

    def stress(self):
        return [test(SOAK, output=MOVED), test(FUZZ, output=CALLS % 102),
                test("check@kmemleak", output=LEAKS)]

    def test_all_good(self):
        rc, out, fig = self.report(self.suites(), self.stress())
        self.assertEqual(rc, 0)
        self.assertEqual(fig["suite_passes"],
                         [{"passed": 1, "failed": 0, "skipped": 1},
                          {"passed": 2, "failed": 0, "skipped": 0}])
        self.assertEqual(fig["evict"]["moved"], 2048)
        self.assertEqual(fig["evict"]["wrong"], 0)
        self.assertEqual(fig["kmemleak"], 0)
        self.assertEqual(fig["fuzz"]["calls"], 102)
        self.assertEqual(fig["fuzz"]["asked"], 100)
        self.assertEqual(fig["fuzz"]["seed"], "7")
        self.assertEqual(fig["qemu_fuzz"]["executions"], 1000)
        self.assertEqual(fig["qemu_fuzz"]["chunks"], 2)
        self.assertEqual(fig["gate"], {"passed": 2, "failed": 0})
        self.assertIn("kmemleak: 0 unreferenced objects (2 scans)", out)
        self.assertTrue(out.endswith("11 passed, 0 failed, 1 skipped\n"))

    def test_recorded_parts_named(self):
        rc, out, _ = self.report(self.suites(), self.stress(),
                                 recorded=("gate", "qemu-fuzz-2"))
        self.assertEqual(rc, 0)
        self.assertIn("leak) (recorded: passed on 2026-11-21", out)
        self.assertIn("(exit 0) (recorded: passed on 2026-11-21", out)
        self.assertEqual(out.count("recorded:"), 2)

    def test_failures_counted(self):
        suites = self.suites()
        suites[3]["status"] = "crash"
        stress = self.stress()
        stress[-1] = test("check@kmemleak", "fail",
                          "kmemleak: 3 unreferenced objects\n")
        rc, out, fig = self.report(suites, stress)
        self.assertEqual(rc, 1)
        self.assertEqual(fig["suite_passes"][1]["failed"], 1)
        self.assertEqual(fig["kmemleak"], 3)
        self.assertTrue(out.endswith("9 passed, 2 failed, 1 skipped\n"))

    def test_fuzz_short_of_calls(self):
        stress = self.stress()
        stress[1]["output"] = CALLS % 99
        rc, out, fig = self.report(self.suites(), stress)
        self.assertEqual(rc, 1)
        self.assertEqual(fig["fuzz"]["calls"], 99)
        self.assertIn("FAIL ioctl fuzz: a subtest made fewer than 100 calls",
                      out)

    def test_missing_figures_fail(self):
        rc, out, fig = self.report(self.suites(), [])
        self.assertEqual(rc, 1)
        self.assertIsNone(fig["evict"])
        self.assertIsNone(fig["fuzz"])
        self.assertIn("vtgpu_fuzz not built", out)
        self.assertIn("FAIL kmemleak: no scan in the stress guest", out)
        self.assertTrue(out.endswith("8 passed, 2 failed, 1 skipped\n"))

    def test_guest_without_results(self):
        rc, out, fig = self.report(None, self.stress())
        self.assertEqual(rc, 1)
        self.assertIn("FAIL suites: the guest left no results", out)
        self.assertEqual(fig["kmemleak"], 0)

    def test_qemu_fuzz_crash(self):
        rc, out, fig = self.report(
            self.suites(), self.stress(),
            (FUZZ_OK, ("fuzz: 500 executions, 2 crashes\n", 1)))
        self.assertEqual(rc, 1)
        self.assertEqual(fig["qemu_fuzz"]["crashes"], 2)
        self.assertIn("crashes: FAIL", out)

    def test_qemu_fuzz_short(self):
        rc, out, fig = self.report(self.suites(), self.stress(), (FUZZ_OK,))
        self.assertEqual(rc, 1)
        self.assertEqual(fig["qemu_fuzz"]["executions"], 500)
        self.assertIn("500 executions (1000 asked for), 0 crashes: FAIL", out)

    def test_qemu_fuzz_not_run(self):
        rc, out, fig = self.report(self.suites(), self.stress(), ())
        self.assertEqual(rc, 1)
        self.assertEqual(fig["qemu_fuzz"]["chunks"], 0)

    def test_gate_missed(self):
        gate = GATE.replace("PASS gate catches leak",
                            "FAIL gate missed leak (judge exit 0); its output:")
        rc, out, fig = self.report(self.suites(), self.stress(), gate=gate)
        self.assertEqual(rc, 1)
        self.assertEqual(fig["gate"], {"passed": 1, "failed": 1})
        self.assertTrue(out.endswith("10 passed, 1 failed, 1 skipped\n"))

    def test_gate_not_run(self):
        rc, out, fig = self.report(self.suites(), self.stress(), gate=None)
        self.assertEqual(rc, 1)
        self.assertIsNone(fig["gate"])
        self.assertIn("FAIL gate: not run", out)


if __name__ == "__main__":
    unittest.main()
