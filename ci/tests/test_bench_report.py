#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-only
"""Unit tests of ci/bench-report.py on synthetic results."""

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


class BenchReportTest(unittest.TestCase):
    def report(self, rows, host=4e9):
        d = tempfile.mkdtemp()
        with open(os.path.join(d, "host.jsonl"), "w") as f:
            f.write(json.dumps({"bench": "host", "case": "memcpy",
                                "unit": "bytes/s", "value": host}) + "\n")
        with open(os.path.join(d, "bench.jsonl"), "w") as f:
            for r in rows:
                f.write(json.dumps(r) + "\n")
        out = subprocess.run([sys.executable, REPORT, d,
                              os.path.join(d, "host.jsonl"),
                              os.path.join(d, "bench.jsonl")],
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
            self.assertIn("| P4 | gtt | 10 ops/s | vgem | 5 ops/s | 2 |",
                          f.read())


if __name__ == "__main__":
    unittest.main()
