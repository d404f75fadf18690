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
SOAK = "igt@vtgpu_evict@soak:VTGPU_SOAK_BYTES=1024"
FUZZ = "igt@vtgpu_fuzz@ioctls:VTGPU_FUZZ_CALLS=50,VTGPU_FUZZ_SEED=%d"
MOVED = "soak round 1: ...\nmoved 2048 bytes, 0 bytes wrong\n"
LEAKS = "kmemleak: 0 unreferenced objects\n"
CALLS = ("seed 7: %d calls in 1.0 s (100 calls/s), 20 failed as expected, "
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
    def report(self, suites, evict, fuzz=None, qemu_fuzz=(FUZZ_OK, FUZZ_OK),
               repeat=2, gate=GATE, recorded=()):
        """Writes a soak's parts, runs the report on them; FUZZ is the
        tests of each ioctl fuzz guest (default: two good ones)."""
        out = tempfile.mkdtemp()
        if fuzz is None:
            fuzz = [self.fuzz(7), self.fuzz(8)]
        parts = [("suites", suites), ("evict", evict)]
        parts += [("fuzz-%d" % i, t) for i, t in enumerate(fuzz, 1)]
        for part, tests in parts:
            if tests is not None:
                write(os.path.join(out, part, "results.json"),
                      json.dumps({"tests": tests}))
        for i in range(1, len(fuzz) + 1):
            write(os.path.join(out, "fuzz-%d" % i, "seed"), "%d\n" % (6 + i))
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

    def evict(self):
        return [test(SOAK, output=MOVED), test("check@kmemleak", output=LEAKS)]

    def fuzz(self, seed, calls=51):
        return [test(FUZZ % seed, output=CALLS % calls),
                test("check@kmemleak", output=LEAKS)]

    def test_empty_pass_fails(self):
        # Pass 1 left no test (as when every list was written as one).
        suites = [t for t in self.suites() if not t["name"].endswith("#1")]
        rc, out, _ = self.report(suites, self.evict())
        self.assertEqual(rc, 1)
        self.assertIn("suites pass 1: no test ran", out)

    def test_all_good(self):
        rc, out, fig = self.report(self.suites(), self.evict())
        self.assertEqual(rc, 0)
        self.assertEqual(fig["suite_passes"],
                         [{"passed": 1, "failed": 0, "skipped": 1},
                          {"passed": 2, "failed": 0, "skipped": 0}])
        self.assertEqual(fig["evict"]["moved"], 2048)
        self.assertEqual(fig["evict"]["wrong"], 0)
        self.assertEqual(fig["kmemleak"], 0)
        self.assertEqual(fig["fuzz"]["calls"], 102)
        self.assertEqual(fig["fuzz"]["asked"], 100)
        self.assertEqual(fig["fuzz"]["guests"], 2)
        self.assertEqual(fig["fuzz"]["seeds"], ["7", "8"])
        self.assertEqual(fig["qemu_fuzz"]["executions"], 1000)
        self.assertEqual(fig["qemu_fuzz"]["chunks"], 2)
        self.assertEqual(fig["gate"], {"passed": 2, "failed": 0})
        self.assertIn("kmemleak: 0 unreferenced objects (4 scans)", out)
        self.assertIn("ioctl fuzz: 102 calls (100 asked for) in 2 guests, "
                      "seeds 7 8: 2 passed", out)
        self.assertTrue(out.endswith("14 passed, 0 failed, 1 skipped\n"))

    def test_recorded_parts_named(self):
        rc, out, _ = self.report(self.suites(), self.evict(),
                                 recorded=("gate", "fuzz-2", "qemu-fuzz-2"))
        self.assertEqual(rc, 0)
        self.assertIn("leak) (recorded: passed on 2026-11-21", out)
        self.assertIn("fuzz-2: guest run of 2 tests (recorded: passed on", out)
        self.assertIn("(exit 0) (recorded: passed on 2026-11-21", out)
        self.assertEqual(out.count("recorded:"), 3)

    def test_failures_counted(self):
        suites = self.suites()
        suites[3]["status"] = "crash"
        evict = self.evict()
        evict[-1] = test("check@kmemleak", "fail",
                         "kmemleak: 3 unreferenced objects\n")
        rc, out, fig = self.report(suites, evict)
        self.assertEqual(rc, 1)
        self.assertEqual(fig["suite_passes"][1]["failed"], 1)
        self.assertEqual(fig["kmemleak"], 3)
        self.assertTrue(out.endswith("12 passed, 2 failed, 1 skipped\n"))

    def test_fuzz_short_of_calls(self):
        rc, out, fig = self.report(self.suites(), self.evict(),
                                   [self.fuzz(7), self.fuzz(8, 48)])
        self.assertEqual(rc, 1)
        self.assertEqual(fig["fuzz"]["calls"], 99)
        self.assertIn("FAIL ioctl fuzz: 99 calls, fewer than 100", out)

    def test_fuzz_guest_missing(self):
        rc, out, fig = self.report(self.suites(), self.evict(),
                                   [self.fuzz(7)])
        self.assertEqual(rc, 1)
        self.assertEqual(fig["fuzz"]["guests"], 1)
        self.assertIn("FAIL ioctl fuzz: 51 calls, fewer than 100", out)

    def test_fuzz_guest_failed(self):
        fuzz = self.fuzz(8)
        fuzz[0]["status"] = "fail"
        rc, out, fig = self.report(self.suites(), self.evict(),
                                   [self.fuzz(7), fuzz])
        self.assertEqual(rc, 1)
        self.assertEqual(fig["fuzz"]["failed"], 1)
        self.assertIn("failed tests: igt@vtgpu_fuzz@ioctls:VTGPU_FUZZ_CALLS=50,"
                      "VTGPU_FUZZ_SEED=8", out)

    def test_missing_figures_fail(self):
        rc, out, fig = self.report(self.suites(), [], [])
        self.assertEqual(rc, 1)
        self.assertIsNone(fig["evict"])
        self.assertIsNone(fig["fuzz"])
        self.assertIn("FAIL ioctl fuzz: not run, 100 calls asked for", out)
        self.assertIn("FAIL kmemleak: no scan in the evict guest", out)
        self.assertTrue(out.endswith("8 passed, 3 failed, 1 skipped\n"))

    def test_guest_without_results(self):
        rc, out, fig = self.report(None, self.evict())
        self.assertEqual(rc, 1)
        self.assertIn("FAIL suites: the guest left no results", out)
        self.assertEqual(fig["kmemleak"], 0)

    def test_qemu_fuzz_crash(self):
        rc, out, fig = self.report(
            self.suites(), self.evict(),
            qemu_fuzz=(FUZZ_OK, ("fuzz: 500 executions, 2 crashes\n", 1)))
        self.assertEqual(rc, 1)
        self.assertEqual(fig["qemu_fuzz"]["crashes"], 2)
        self.assertIn("crashes: FAIL", out)

    def test_qemu_fuzz_short(self):
        rc, out, fig = self.report(self.suites(), self.evict(),
                                   qemu_fuzz=(FUZZ_OK,))
        self.assertEqual(rc, 1)
        self.assertEqual(fig["qemu_fuzz"]["executions"], 500)
        self.assertIn("500 executions (1000 asked for), 0 crashes: FAIL", out)

    def test_qemu_fuzz_not_run(self):
        rc, out, fig = self.report(self.suites(), self.evict(), qemu_fuzz=())
        self.assertEqual(rc, 1)
        self.assertEqual(fig["qemu_fuzz"]["chunks"], 0)

    def test_gate_missed(self):
        gate = GATE.replace("PASS gate catches leak",
                            "FAIL gate missed leak (judge exit 0); its output:")
        rc, out, fig = self.report(self.suites(), self.evict(), gate=gate)
        self.assertEqual(rc, 1)
        self.assertEqual(fig["gate"], {"passed": 1, "failed": 1})
        self.assertTrue(out.endswith("13 passed, 1 failed, 1 skipped\n"))

    def test_gate_not_run(self):
        rc, out, fig = self.report(self.suites(), self.evict(), gate=None)
        self.assertEqual(rc, 1)
        self.assertIsNone(fig["gate"])
        self.assertIn("FAIL gate: not run", out)


if __name__ == "__main__":
    unittest.main()
