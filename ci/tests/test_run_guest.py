#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-only
"""ci/run-guest.sh refuses bad knobs before it builds or boots anything."""

import os
import subprocess
import tempfile
import unittest

RUN_GUEST = os.path.join(os.path.dirname(__file__), "..", "run-guest.sh")


class RunGuestArgsTest(unittest.TestCase):
    def run_guest(self, **knobs):
        # Not under /tmp: run-guest.sh refuses such a cache, for a reason
        # other than the one tested here.
        with tempfile.TemporaryDirectory(dir=os.path.expanduser("~")) as cache:
            env = dict(os.environ, VTGPU_CACHE=cache, **knobs)
            p = subprocess.run(["bash", RUN_GUEST], env=env, text=True,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               timeout=60)
            return p, os.listdir(cache)

    def test_timeouts_must_be_numbers(self):
        for knob in ("GUEST_TIMEOUT", "BOOT_TIMEOUT", "SUBTEST_TIMEOUT"):
            for bad in ("10s", "-1", "1e3", "60 "):
                with self.subTest(knob=knob, value=bad):
                    p, made = self.run_guest(**{knob: bad})
                    self.assertEqual(p.returncode, 1)
                    self.assertIn("%s must be a number, got '%s'" %
                                  (knob, bad), p.stderr)
                    self.assertEqual(made, [])


if __name__ == "__main__":
    unittest.main()
