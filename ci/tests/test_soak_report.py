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
MOVED = "soak round 1: ...\nmoved 2048 bytes, 0 bytes wrong\n"
LEAKS = "kmemleak: 0 unreferenced objects\n"
CALLS = ("seed 7: %d calls in 1.0 s (100 calls/s), 40 failed as expected, "
         "0 transient\n")
GATE = ("PASS gate catches kasan\nPASS gate catches leak\n"
        "2 passed, 0 failed\n")


def test(name, status="pass", output=""):
    return {"name": name, "status": status, "output": output}


class SoakReportTest(unittest.TestCase):
    def report(self, tests, qemu_fuzz=None, repeat=2, gate=GATE):
        run, out = tempfile.mkdtemp(), tempfile.mkdtemp()
        with open(os.path.join(run, "results.json"), "w") as f:
            json.dump({"tests": tests}, f)
        if gate is not None:
            with open(os.path.join(out, "gate.txt"), "w") as f:
                f.write(gate)
        if qemu_fuzz is not None:
            with open(os.path.join(out, "qemu-fuzz.log"), "w") as f:
                f.write(qemu_fuzz[0])
            with open(os.path.join(out, "qemu-fuzz.rc"), "w") as f:
                f.write("%d\n" % qemu_fuzz[1])
        p = subprocess.run([sys.executable, REPORT, "--repeat", str(repeat),
                            "--soak-bytes", "1024", "--fuzz-calls", "100",
                            "--seed", "7", run, out],
                           capture_output=True, text=True)
        with open(os.path.join(out, "summary.json")) as f:
            return p.returncode, p.stdout, json.load(f)

    def good(self):
        return [test("check@modules"),
                test("igt@vtgpu_basic@a#1"), test("igt@vtgpu_basic@b#1", "skip"),
                test("igt@vtgpu_basic@a#2"), test("igt@vtgpu_basic@b#2"),
                test(SOAK, output=MOVED),
                test("igt@vtgpu_fuzz@ioctls:--calls=100,--seed=7",
                     output=CALLS % 102),
                test("check@kmemleak", output=LEAKS)]

    def test_all_good(self):
        rc, out, fig = self.report(self.good(),
                                   ("x\nfuzz: 1000 executions, 0 crashes\n", 0))
        self.assertEqual(rc, 0)
        self.assertEqual(fig["suite_passes"],
                         [{"passed": 1, "failed": 0, "skipped": 1},
                          {"passed": 2, "failed": 0, "skipped": 0}])
        self.assertEqual(fig["evict"]["moved"], 2048)
        self.assertEqual(fig["evict"]["wrong"], 0)
        self.assertEqual(fig["kmemleak"], 0)
        self.assertEqual(fig["fuzz"]["calls"], 102)
        self.assertEqual(fig["fuzz"]["asked"], 100)
        self.assertEqual(fig["qemu_fuzz"]["executions"], 1000)
        self.assertEqual(fig["gate"], {"passed": 2, "failed": 0})
        self.assertTrue(out.endswith("10 passed, 0 failed, 1 skipped\n"))

    def test_failures_counted(self):
        tests = self.good()
        tests[3]["status"] = "crash"
        tests[-1] = test("check@kmemleak", "fail",
                         "kmemleak: 3 unreferenced objects\n")
        rc, out, fig = self.report(tests)
        self.assertEqual(rc, 1)
        self.assertEqual(fig["suite_passes"][1]["failed"], 1)
        self.assertEqual(fig["kmemleak"], 3)
        self.assertIsNone(fig["qemu_fuzz"])
        self.assertIn("not present", out)
        self.assertTrue(out.endswith("7 passed, 2 failed, 1 skipped\n"))

    def test_fuzz_short_of_calls(self):
        tests = self.good()
        tests[6]["output"] = CALLS % 99
        rc, out, fig = self.report(tests)
        self.assertEqual(rc, 1)
        self.assertEqual(fig["fuzz"]["calls"], 99)
        self.assertIn("FAIL ioctl fuzz: a subtest made fewer than 100 calls",
                      out)

    def test_missing_figures_fail(self):
        tests = [t for t in self.good()
                 if not t["name"].startswith(("igt@vtgpu_evict", "check@kmem",
                                              "igt@vtgpu_fuzz"))]
        rc, out, fig = self.report(tests)
        self.assertEqual(rc, 1)
        self.assertIsNone(fig["evict"])
        self.assertIsNone(fig["fuzz"])
        self.assertIn("vtgpu_fuzz not built", out)
        self.assertIn("FAIL kmemleak: no scan", out)
        self.assertTrue(out.endswith("6 passed, 2 failed, 1 skipped\n"))

    def test_qemu_fuzz_crash(self):
        rc, out, fig = self.report(self.good(),
                                   ("fuzz: 1000 executions, 2 crashes\n", 1))
        self.assertEqual(rc, 1)
        self.assertEqual(fig["qemu_fuzz"]["crashes"], 2)
        self.assertIn("FAIL", out)

    def test_gate_missed(self):
        gate = GATE.replace("PASS gate catches leak",
                            "FAIL gate missed leak (judge exit 0); its output:")
        rc, out, fig = self.report(self.good(), gate=gate)
        self.assertEqual(rc, 1)
        self.assertEqual(fig["gate"], {"passed": 1, "failed": 1})
        self.assertTrue(out.endswith("8 passed, 1 failed, 1 skipped\n"))

    def test_gate_not_run(self):
        rc, out, fig = self.report(self.good(), gate=None)
        self.assertEqual(rc, 1)
        self.assertIsNone(fig["gate"])
        self.assertIn("FAIL gate: not run", out)


if __name__ == "__main__":
    unittest.main()
