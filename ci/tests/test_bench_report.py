#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-only
"""Unit tests of ci/bench-report.py on synthetic results."""

import importlib.util
import json
import os
import subprocess
import sys
import tempfile
import unittest

REPORT = os.path.join(os.path.dirname(__file__), "..", "bench-report.py")


def row(bench, case, value, peer_value, unit="pages/s", peer="vgem",
        **extra):
    r = {"bench": bench, "case": case, "unit": unit, "value": value,
         "peer": peer, "peer_value": peer_value,
         "ratio": value / peer_value}
    r.update(extra)
    return r


def write_run(d, name, rows, soak_output=None):
    """A guest run directory as ci/run-guest.sh leaves it."""
    run = os.path.join(d, name)
    os.makedirs(os.path.join(run, "results"))
    with open(os.path.join(run, "results", "bench.jsonl"), "w") as f:
        for r in rows:
            f.write(json.dumps(r) + "\n")
    tests = [{"name": "igt@vtgpu_evict@soak:VTGPU_SOAK_BYTES=" + size,
              "status": "pass", "output": out}
             for size, out in (soak_output or {}).items()]
    with open(os.path.join(run, "results.json"), "w") as f:
        json.dump({"tests": tests}, f)
    return "%s=%s" % (name, run)


class BenchReportTest(unittest.TestCase):
    def report(self, rows, host=4e9, lockdep_rows=None, soak_output=None):
        d = tempfile.mkdtemp()
        with open(os.path.join(d, "host.jsonl"), "w") as f:
            f.write(json.dumps({"bench": "host", "case": "memcpy",
                                "unit": "bytes/s", "value": host}) + "\n")
        runs = [write_run(d, "bench", rows, soak_output)]
        if lockdep_rows is not None:
            runs.append(write_run(d, "lockdep", lockdep_rows))
        out = subprocess.run([sys.executable, REPORT, d,
                              os.path.join(d, "host.jsonl")] + runs,
                             capture_output=True, text=True, check=True)
        with open(os.path.join(d, "bench.json")) as f:
            return json.load(f)["results"], out.stdout, d

    def test_goals_met_and_missed(self):
        results, md, _ = self.report([
            row("P1", "gtt prefault=16 default", 200, 100, faults=256),
            row("P1", "gtt prefault=16 random", 50, 100, faults=4096),
            row("P1", "gtt prefault=16 sequential", 300, 100, faults=16),
            row("P3", "p99", 0.02, 1.0, unit="s", peer="fault_blocking"),
        ])
        met = {(r["bench"], r["case"]): r.get("met") for r in results}
        self.assertTrue(met[("P1", "gtt prefault=16 default")])
        self.assertFalse(met[("P1", "gtt prefault=16 random")])
        self.assertFalse(met[("P3", "p99")])
        # 16 sequential faults against 4096 random ones: 1/256.
        self.assertTrue(met[("P1-madvise", "gtt")])
        self.assertIn("**not met**", md)
        self.assertIn("goals: 3 met, 2 not met", md)

    def test_engine_against_host(self):
        results, _, _ = self.report([
            row("P2", "vram->gtt", 1e9, 1e8, unit="bytes/s",
                peer="cpu-memcpy-move"),
        ], host=4e9)
        host = [r for r in results if r["bench"] == "P2-host"]
        self.assertEqual(len(host), 1)
        self.assertAlmostEqual(host[0]["ratio"], 0.25)
        self.assertFalse(host[0]["met"])
        self.assertTrue([r for r in results if r["bench"] == "P2"][0]["met"])

    def test_outputs_written(self):
        _, _, d = self.report([row("P4", "gtt", 10, 5, unit="ops/s")])
        with open(os.path.join(d, "bench.md")) as f:
            self.assertIn("| P4 | gtt | 10 ops/s | vgem | 5 ops/s | 2 | "
                          ">= 2x vgem: met |", f.read())

    def test_lockdep_column(self):
        _, md, _ = self.report(
            [row("P4", "vram", 30, 10, unit="ops/s"),
             row("P5", "userptr 1 MiB", 9, 10, unit="ops/s",
                 peer="udmabuf")],
            lockdep_rows=[row("P4", "vram", 15, 10, unit="ops/s")])
        self.assertIn("| ratio (bench) | ratio (lockdep) | goal |", md)
        self.assertIn("| 3 | 1.5 | >= 2x vgem: met |", md)
        # No lockdep figure for P5, and 0.9x udmabuf misses its goal.
        self.assertIn("| 0.9 | - | >= 1.0x udmabuf: **not met** |", md)

    def test_soak_rate_of_each_soak(self):
        def soak(rounds):
            return "".join("soak round %d: moved %d MiB in %.3f s, 0 bytes "
                           "wrong\n" % (i + 1, m, s)
                           for i, (m, s) in enumerate(rounds))
        results, _, _ = self.report([], host=1 << 30, soak_output={
            "256M": soak([(300, 2.0)]),
            "1G": soak([(600, 2.0), (1100, 4.0)])})
        p6 = {r["case"]: r for r in results if r["bench"] == "P6"}
        # Each soak's last round: what it moved, in how long.
        self.assertEqual(sorted(p6), ["1G", "256M"])
        self.assertAlmostEqual(p6["256M"]["value"], (300 << 20) / 2.0)
        self.assertAlmostEqual(p6["1G"]["ratio"],
                               (1100 << 20) / 4.0 / (1 << 30))

    def test_p2_breakdown(self):
        d = tempfile.mkdtemp()
        os.makedirs(os.path.join(d, "results"))
        ev = [(1.000, "tracing_mark_write", "p2 vram->gtt begin"),
              (1.001, "pool_alloc", "(ttm_pool_alloc+0x4/0xa0 [ttm])"),
              (1.003, "pool_alloc_done", "(x <- ttm_pool_alloc)"),
              (1.004, "drm_sched_job_queue", "dev=d, fence=3:30, ring=r"),
              (1.005, "drm_sched_job_run", "dev=d, fence=3:30, ring=r"),
              (1.006, "drm_sched_job_queue", "dev=d, fence=3:31, ring=r"),
              (1.009, "drm_sched_job_done", "fence=3:30 signaled"),
              (1.010, "drm_sched_job_run", "dev=d, fence=3:31, ring=r"),
              (1.014, "drm_sched_job_done", "fence=3:31 signaled"),
              (1.016, "tracing_mark_write", "p2 vram->gtt end 8000000")]
        with open(os.path.join(d, "results", "p2-trace.txt"), "w") as f:
            f.write("# tracer: nop\n")
            for t, name, rest in ev:
                f.write("  vtgpu-bench-1 [000] ..... %11.6f: %s: %s\n"
                        % (t, name, rest))
        spec = importlib.util.spec_from_file_location("report", REPORT)
        report = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(report)
        r, = report.p2_breakdown(os.path.join(d, "results", "p2-trace.txt"))
        self.assertEqual((r["case"], r["jobs"]), ("vram->gtt", 2))
        self.assertAlmostEqual(r["total_ms"], 16.0)
        self.assertAlmostEqual(r["before_first_job_ms"], 4.0)
        self.assertAlmostEqual(r["ttm_pool_ms"], 2.0)
        # Busy 1.005-1.009 and 1.010-1.014; idle 1 ms between, from the
        # first queuing (1.004) to the last completion (1.014).
        self.assertAlmostEqual(r["engine_busy_ms"], 8.0)
        self.assertAlmostEqual(r["engine_idle_ms"], 2.0)
        self.assertAlmostEqual(r["after_last_job_ms"], 2.0)
        self.assertAlmostEqual(r["engine_bytes_per_s"] / 1e9, 1.0)


if __name__ == "__main__":
    unittest.main()
