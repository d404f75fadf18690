#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-only
"""Unit tests of ci/igt-lists.sh with stand-in test binaries."""

import os
import subprocess
import tempfile
import unittest

LISTS = os.path.join(os.path.dirname(__file__), "..", "igt-lists.sh")

# A stand-in igt binary: --list-subtests prints its subtests, or for a
# test without any exits 79 as igt_simple_main does.
BINARY = """#!/bin/sh
[ "$1" = --list-subtests ] || exit 1
[ -z "%s" ] && exit 79
printf '%%s\\n' %s
"""


def read(*path):
    with open(os.path.join(*path)) as f:
        return f.read()


class IgtListsTest(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.mkdtemp()
        self.root = os.path.join(self.dir, "root")
        os.makedirs(self.root)
        for name, subtests in (("a", "x y snap"), ("b", "")):
            path = os.path.join(self.root, name)
            with open(path, "w") as f:
                f.write(BINARY % (subtests, subtests))
            os.chmod(path, 0o755)

    def lists(self, **env):
        out = os.path.join(self.dir, "runs")
        e = dict(os.environ, VTGPU_CACHE=self.dir, **env)
        p = subprocess.run(["bash", LISTS, self.root, out], env=e,
                           capture_output=True, text=True)
        runs = []
        if p.returncode == 0:
            for n in sorted(f[:-4] for f in os.listdir(out)
                            if f.endswith(".txt")):
                runs.append((n, read(out, n + ".txt").split(),
                             read(out, n + ".env").split(),
                             read(out, n + ".suffix").strip()))
        return p.returncode, runs, p.stderr

    def test_one_run(self):
        rc, runs, _ = self.lists(TESTS="a b")
        self.assertEqual(rc, 0)
        self.assertEqual(runs, [("01", ["igt@a@x", "igt@a@y", "igt@a@snap",
                                        "igt@b"], [], "")])

    def test_passes_each_a_run(self):
        rc, runs, _ = self.lists(TESTS="a@x b", REPEAT="3")
        self.assertEqual(rc, 0)
        self.assertEqual([(n, s) for n, _, _, s in runs],
                         [("01", "#1"), ("02", "#2"), ("03", "#3")])
        for _, tests, _, _ in runs:
            self.assertEqual(tests, ["igt@a@x", "igt@b"])

    def test_environment_entries_run_alone(self):
        rc, runs, _ = self.lists(TESTS="a@x:V=1,W=2 b", EXTRA_TESTS="a@y")
        self.assertEqual(rc, 0)
        self.assertEqual(runs, [
            ("01", ["igt@a@x"], ["V=1", "W=2"], ":V=1,W=2"),
            ("02", ["igt@b"], [], ""),
            ("03", ["igt@a@y"], [], "")])

    def test_exclude(self):
        rc, runs, _ = self.lists(TESTS="a", EXCLUDE="a@*nap b@x")
        self.assertEqual(rc, 0)
        self.assertEqual(runs[0][1], ["igt@a@x", "igt@a@y"])

    def test_globs_are_not_paths(self):
        # A glob matching a file where the script runs is still a glob.
        open(os.path.join(self.dir, "a@x"), "w").close()
        e = dict(os.environ, VTGPU_CACHE=self.dir, TESTS="a@*")
        out = os.path.join(self.dir, "runs")
        p = subprocess.run(["bash", LISTS, self.root, out], env=e,
                           cwd=self.dir, capture_output=True, text=True)
        self.assertEqual(p.returncode, 0, p.stderr)
        with open(os.path.join(out, "01.txt")) as f:
            self.assertEqual(len(f.read().split()), 3)

    def test_bad_entries_fail(self):
        for tests, why in (("c", "no igt test c"),
                           ("a@z", "matches no subtest"),
                           ("b@x", "has no subtests")):
            rc, _, err = self.lists(TESTS=tests)
            self.assertNotEqual(rc, 0, tests)
            self.assertIn(why, err)


if __name__ == "__main__":
    unittest.main()
