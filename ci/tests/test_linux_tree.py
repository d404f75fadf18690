#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-only
"""Unit tests of ci/linux-tree.sh's checks of a KERNEL_SRC tree."""

import os
import shutil
import subprocess
import tempfile
import unittest

TOP = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..")
LINUX_TREE = os.path.join(TOP, "ci", "linux-tree.sh")

GIT_ID = ["-c", "user.name=t", "-c", "user.email=t@localhost"]


def make_tree(path, version, patchlevel, ttm_bo_h):
    """A git tree with what linux-tree.sh reads: Makefile and ttm_bo.h."""
    os.makedirs(os.path.join(path, "include", "drm", "ttm"))
    with open(os.path.join(path, "Makefile"), "w") as f:
        f.write("VERSION = %d\nPATCHLEVEL = %d\nSUBLEVEL = 0\n" %
                (version, patchlevel))
    with open(os.path.join(path, "include", "drm", "ttm", "ttm_bo.h"),
              "w") as f:
        f.write(ttm_bo_h)
    subprocess.run(["git", "init", "-q", path], check=True)
    subprocess.run(["git", "-C", path, "add", "-A"], check=True)
    subprocess.run(["git", "-C", path] + GIT_ID +
                   ["commit", "-q", "-m", "tree"], check=True)


class LinuxTreeTest(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.mkdtemp()
        self.cache = os.path.join(self.dir, "cache")
        os.makedirs(self.cache)

    def tearDown(self):
        shutil.rmtree(self.dir)

    def run_tree(self, src):
        env = dict(os.environ, KERNEL_SRC=src, VTGPU_CACHE=self.cache,
                   VTGPU_OUT=os.path.join(self.dir, "out"))
        return subprocess.run([LINUX_TREE], env=env, capture_output=True,
                              text=True)

    def test_old_tree_refused_in_one_line(self):
        src = os.path.join(self.dir, "linux-6.6")
        make_tree(src, 6, 6, "void ttm_bo_put(struct ttm_buffer_object *bo);\n")
        r = self.run_tree(src)
        self.assertNotEqual(r.returncode, 0)
        self.assertEqual(r.stdout, "")
        lines = r.stderr.splitlines()
        self.assertEqual(len(lines), 1, r.stderr)
        self.assertIn("Linux 6.6", lines[0])
        self.assertIn("lacks ttm_bo_fini()", lines[0])
        # Nothing was made of it in the cache, nothing written into it.
        self.assertFalse([d for d in os.listdir(self.cache)
                          if d.startswith("linux-")])
        st = subprocess.run(["git", "-C", src, "status", "--porcelain"],
                            capture_output=True, text=True, check=True)
        self.assertEqual(st.stdout, "")

    def test_not_a_git_tree_refused(self):
        src = os.path.join(self.dir, "plain")
        os.makedirs(src)
        r = self.run_tree(src)
        self.assertNotEqual(r.returncode, 0)
        self.assertIn("is not a git tree", r.stderr)


if __name__ == "__main__":
    unittest.main()
