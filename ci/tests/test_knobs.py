#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-only
"""The ci scripts refuse bad numeric knobs before they build or boot
anything, with a message naming the knob."""

import os
import shutil
import subprocess
import tempfile
import unittest

CI = os.path.join(os.path.dirname(__file__), "..")

# script: (knobs that must be at least 1, knobs that may be 0)
SCRIPTS = {
    "run-guest.sh": (("GUEST_TIMEOUT", "BOOT_TIMEOUT", "SUBTEST_TIMEOUT"),
                     ()),
    "soak.sh": (("QEMU_FUZZ_CHUNK", "FUZZ_PART", "GUEST_TIMEOUT",
                 "SUBTEST_TIMEOUT"),
                ("SOAK_N", "FUZZ_CALLS", "QEMU_FUZZ_RUNS", "SOAK_SEED")),
    "fuzz-qemu.sh": (("FUZZ_WORKERS",),
                     ("FUZZ_RUNS", "FUZZ_SEED", "FUZZ_TIMEOUT",
                      "FUZZ_MAX_LEN")),
}
NOT_NUMBERS = ("10s", "-1", "1e3", "60 ", "0x10", "010")


class KnobsTest(unittest.TestCase):
    def run_script(self, script, knob, value):
        """Runs a copy of SCRIPT beside lib.sh alone: one whose check has
        gone fails at its first build step, at once, instead of building
        and booting. Not under /tmp: run-guest.sh refuses such a cache,
        for a reason other than the one tested here."""
        with tempfile.TemporaryDirectory(dir=os.path.expanduser("~")) as d:
            ci = os.path.join(d, "ci")
            cache = os.path.join(d, "cache")
            os.makedirs(ci)
            os.makedirs(cache)
            for f in (script, "lib.sh"):
                shutil.copy(os.path.join(CI, f), ci)
            env = dict(os.environ, VTGPU_CACHE=cache,
                       VTGPU_OUT=os.path.join(d, "out"), **{knob: value})
            p = subprocess.run(["bash", os.path.join(ci, script)], env=env,
                               text=True, stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, timeout=30)
            made = sorted(os.listdir(cache)) + sorted(
                f for f in os.listdir(d) if f not in ("ci", "cache"))
            return p, made

    def check_refused(self, script, knob, value, least):
        with self.subTest(script=script, knob=knob, value=value):
            p, made = self.run_script(script, knob, value)
            self.assertEqual(p.returncode, 1, p.stderr)
            self.assertIn("%s must be a whole number of at least %d, "
                          "got '%s'" % (knob, least, value), p.stderr)
            self.assertEqual(made, [])

    def test_not_numbers_refused(self):
        for script, (positive, natural) in SCRIPTS.items():
            for knob in positive + natural:
                for value in NOT_NUMBERS:
                    self.check_refused(script, knob, value,
                                       1 if knob in positive else 0)

    def test_zero_refused_where_it_means_no_limit(self):
        for script, (positive, _) in SCRIPTS.items():
            for knob in positive:
                self.check_refused(script, knob, "0", 1)


if __name__ == "__main__":
    unittest.main()
