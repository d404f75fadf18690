#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-only
"""Cut an upstream patch series from the repository's current files.

    series.py MANIFEST PRISTINE_REPO OUTDIR

MANIFEST (ci/patches/*/series) says which patch adds which file, which
pieces of those files arrive only in later patches ("cuts"), and which
lines each patch adds to files of the pristine tree. From it, this builds
the tree after each patch on top of the pristine commit of PRISTINE_REPO
(a ci/pristine.sh repository; only git objects are written to it, never its
work tree or refs), commits each with its message (ID.msg next to the
manifest, the first line the subject) and writes `git format-patch
--cover-letter` output to OUTDIR, the cover letter filled in from
cover.msg. Author and sign-off come from the git config of the repository
this script is in; the dates from its HEAD commit, so the same files give
the same series.

It fails, naming the culprit, when a repository file that the manifest's
"covers" globs match is in no patch, when a cut or an anchor does not match
exactly once, or when a patch would change nothing.

Manifest syntax: lines before the first "@@@" line are comments; every
directive line starts with "@@@ ", and the text lines under a directive
(up to the next "@@@" line) are taken verbatim.

  @@@ covers GLOB...          repository files that must all be in a patch
  @@@ skip GLOB...            ...but these
  @@@ patch ID                starts a patch (patches are in file order)
  @@@ add TREEPATH [REPOPATH] the patch adds the file whole (REPOPATH
                              defaults to TREEPATH); later patches' cuts
                              are taken out of it
  @@@ kbuild TREEPATH         in that Makefile, a line naming X.o is kept
                              only once X.c has been added
  @@@ cut TREEPATH ID         the text below arrives in patch ID ("never":
                              in no patch); before it, the file lacks it...
  @@@ with                    ...or has the text below instead
  @@@ cut TREEPATH ID from    the lines from the text below...
  @@@ to                      ...to the first lines after it matching the
                              text below ("@@@ to EOF": the end of file)
  @@@ insert TREEPATH after   the patch inserts into a pristine file, after
  @@@ insert TREEPATH before  (or before) the lines below...
  @@@ append TREEPATH         (or at its end)...
  @@@ text                    ...the text below
  @@@ from REPOPATH           ...or the content of that repository file
  @@@ maintainers after       the first patch adds this MAINTAINERS entry
  @@@ maintainers before      after (or before) the lines below; each patch
  @@@ entry                   adds to it an "F:" line per file it adds

A cut's text is matched in the file as it is after the cuts of later
patches were taken out, so cuts may nest: a cut of an early patch may
contain the text of a later one, with the later text already taken out.
After the cuts, runs of blank lines are squeezed to one, and a file ends
with one newline.
"""

import fnmatch
import os
import re
import subprocess
import sys


class SeriesError(Exception):
    pass


def fail(msg):
    raise SeriesError(msg)


class Cut:
    def __init__(self, path, patch, lineno):
        self.path = path
        self.patch = patch
        self.lineno = lineno
        self.text = []
        self.with_text = None
        self.to = None          # range cut: end anchor lines, or "EOF"
        self.is_range = False
        self.function = None    # function cut: the definition's name

    def where(self):
        return "cut at manifest line %d (%s, %s%s)" % (
            self.lineno, self.path, self.patch,
            ", " + self.function if self.function else "")


class Edit:
    def __init__(self, kind, path, patch, lineno):
        self.kind = kind        # after, before, append
        self.path = path
        self.patch = patch
        self.lineno = lineno
        self.anchor = []
        self.text = None
        self.from_repo = None


class Manifest:
    def __init__(self, path):
        self.path = path
        self.dir = os.path.dirname(path)
        self.covers = []
        self.skips = []
        self.patches = []       # ids in order
        self.adds = {}          # id -> [(treepath, repopath)]
        self.kbuild = []
        self.cuts = []
        self.edits = []
        self.maint = None       # (kind, anchor lines, entry lines)
        self._parse()

    def _parse(self):
        with open(self.path) as f:
            lines = f.read().split("\n")
        if lines and lines[-1] == "":
            lines.pop()
        cur = None              # list the text lines go to
        patch = None
        obj = None
        maint = None
        for n, line in enumerate(lines, 1):
            if not line.startswith("@@@"):
                if cur is not None:
                    cur.append(line)
                continue
            words = line.split()[1:]
            if not words:
                fail("%s:%d: empty directive" % (self.path, n))
            d, args = words[0], words[1:]
            cur = None
            if d == "covers":
                self.covers += args
            elif d == "skip":
                self.skips += args
            elif d == "patch":
                if len(args) != 1 or args[0] in self.patches or \
                   args[0] == "never":
                    fail("%s:%d: bad patch id" % (self.path, n))
                patch = args[0]
                self.patches.append(patch)
                self.adds[patch] = []
            elif d == "add":
                if patch is None or len(args) not in (1, 2):
                    fail("%s:%d: add outside a patch" % (self.path, n))
                self.adds[patch].append((args[0], args[-1]))
            elif d == "kbuild":
                self.kbuild += args
            elif d == "cut":
                if len(args) >= 4 and args[2] == "function":
                    for name in args[3:]:
                        obj = Cut(args[0], args[1], n)
                        obj.function = name
                        self.cuts.append(obj)
                    obj = None
                    continue
                if len(args) not in (2, 3) or \
                   (len(args) == 3 and args[2] != "from"):
                    fail("%s:%d: cut PATH ID [from | function NAME...]"
                         % (self.path, n))
                obj = Cut(args[0], args[1], n)
                obj.is_range = len(args) == 3
                self.cuts.append(obj)
                cur = obj.text
            elif d == "with":
                if not isinstance(obj, Cut) or obj.is_range:
                    fail("%s:%d: with without a cut" % (self.path, n))
                obj.with_text = []
                cur = obj.with_text
            elif d == "to":
                if not isinstance(obj, Cut) or not obj.is_range:
                    fail("%s:%d: to without a cut ... from" % (self.path, n))
                if args == ["EOF"]:
                    obj.to = "EOF"
                else:
                    obj.to = []
                    cur = obj.to
            elif d in ("insert", "append"):
                if patch is None:
                    fail("%s:%d: %s outside a patch" % (self.path, n, d))
                if d == "insert" and (len(args) != 2 or
                                      args[1] not in ("after", "before")):
                    fail("%s:%d: insert PATH after|before" % (self.path, n))
                obj = Edit(args[1] if d == "insert" else "append", args[0],
                           patch, n)
                self.edits.append(obj)
                cur = obj.anchor
            elif d == "text":
                if not isinstance(obj, Edit):
                    fail("%s:%d: text without an insert" % (self.path, n))
                obj.text = []
                cur = obj.text
            elif d == "from":
                if not isinstance(obj, Edit) or len(args) != 1:
                    fail("%s:%d: from without an insert" % (self.path, n))
                obj.from_repo = args[0]
            elif d == "maintainers":
                if patch is None or self.maint or \
                   args not in (["after"], ["before"]):
                    fail("%s:%d: maintainers after|before, once, in a patch"
                         % (self.path, n))
                maint = [args[0], [], []]
                self.maint = maint
                cur = maint[1]
            elif d == "entry":
                if maint is None:
                    fail("%s:%d: entry without maintainers" % (self.path, n))
                cur = maint[2]
            elif d == "#":
                pass
            else:
                fail("%s:%d: unknown directive %s" % (self.path, n, d))
        for block in [c.text for c in self.cuts] + \
                [c.with_text for c in self.cuts] + \
                [e.anchor for e in self.edits] + \
                [e.text for e in self.edits] + \
                (self.maint[1:] if self.maint else []):
            while isinstance(block, list) and block and block[-1] == "":
                block.pop()
        for c in self.cuts:
            if c.patch != "never" and c.patch not in self.patches:
                fail("%s: unknown patch %s" % (c.where(), c.patch))
            if c.is_range and c.to is None:
                fail("%s: cut ... from without to" % c.where())
        for e in self.edits:
            if e.text is None and e.from_repo is None:
                fail("manifest line %d: insert without text or from"
                     % e.lineno)
        if not self.patches:
            fail("%s: no patches" % self.path)

    def order(self, patch_id):
        if patch_id == "never":
            return len(self.patches)
        return self.patches.index(patch_id)


def find_once(lines, needle, what, start=0):
    """Index of the one place at or after start where needle occurs."""
    if not needle:
        fail("%s: empty text" % what)
    hits = [i for i in range(start, len(lines) - len(needle) + 1)
            if lines[i:i + len(needle)] == needle]
    if len(hits) != 1:
        fail("%s: matches %d times, not once:\n    %s" %
             (what, len(hits), "\n    ".join(needle[:3])))
    return hits[0]


def find_definition(lines, name, what):
    """[start, end) of a top-level C definition with its leading comment."""
    pat = re.compile(r"^([A-Za-z_].*\W)?%s\s*(\(|\[\]\s*=|=|\{)"
                     % re.escape(name))
    hits = [i for i, line in enumerate(lines)
            if pat.match(line) and not line.rstrip().endswith(";")]
    if len(hits) != 1:
        fail("%s: %d definitions of %s, not one" % (what, len(hits), name))
    start = hits[0]
    # The return type on a line of its own.
    while start > 0 and re.match(r"^[A-Za-z_]", lines[start - 1]) and \
            not lines[start - 1].rstrip().endswith((";", "}", "{", "*/")):
        start -= 1
    if start > 0 and lines[start - 1].rstrip().endswith("*/"):
        start -= 1
        while start >= 0 and not lines[start].startswith("/*"):
            start -= 1
        if start < 0:
            fail("%s: no start of the comment before %s" % (what, name))
    for end in range(hits[0], len(lines)):
        if lines[end] in ("}", "};"):
            return start, end + 1
    fail("%s: no end of %s" % (what, name))


def squeeze(lines):
    out = []
    for line in lines:
        if line.strip() == "" and (not out or out[-1].strip() == ""):
            continue
        out.append(line)
    while out and out[-1].strip() == "":
        out.pop()
    return out


class Series:
    def __init__(self, manifest, top, pristine):
        self.m = manifest
        self.top = top
        self.pristine = pristine
        self.added_in = {}      # treepath -> patch index
        self.repo_of = {}
        for i, p in enumerate(manifest.patches):
            for tree, repo in manifest.adds[p]:
                if tree in self.added_in:
                    fail("%s is added twice" % tree)
                self.added_in[tree] = i
                self.repo_of[tree] = repo
        self.basename = {}
        for tree in self.added_in:
            self.basename.setdefault(os.path.basename(tree), []).append(tree)
        for c in manifest.cuts:
            c.path = self.resolve(c.path, c.where())
            if c.patch != "never" and \
               self.added_in[c.path] >= manifest.order(c.patch):
                fail("%s: the file is not there before %s" %
                     (c.where(), c.patch))
        manifest.kbuild = [self.resolve(k, "kbuild") for k in manifest.kbuild]

    def resolve(self, path, what):
        if path in self.added_in:
            return path
        cands = self.basename.get(path, [])
        if len(cands) != 1:
            fail("%s: %s names no one file of the series" % (what, path))
        return cands[0]

    def check_coverage(self):
        repo_files = git(self.top, "ls-files", "--cached", "--others",
                         "--exclude-standard").split("\n")
        used = set(self.repo_of.values())
        for e in self.m.edits:
            if e.from_repo:
                used.add(e.from_repo)
        missing = [f for f in repo_files if f and f not in used and
                   any(fnmatch.fnmatch(f, g) for g in self.m.covers) and
                   not any(fnmatch.fnmatch(f, g) for g in self.m.skips)]
        if missing:
            fail("files in no patch of %s (add them to it):\n    %s" %
                 (self.m.path, "\n    ".join(sorted(missing))))
        for tree, repo in self.repo_of.items():
            if not os.path.isfile(os.path.join(self.top, repo)):
                fail("%s: no such file in the repository" % repo)

    def repo_text(self, repo):
        with open(os.path.join(self.top, repo)) as f:
            return f.read().split("\n")[:-1]

    def pristine_text(self, path):
        return git_raw(self.pristine, "show",
                       "pristine:" + path).split("\n")[:-1]

    def file_at(self, tree, k):
        """The added file tree as it is after patch k."""
        lines = self.repo_text(self.repo_of[tree])
        cuts = [c for c in self.m.cuts
                if c.path == tree and self.m.order(c.patch) > k]
        cuts.sort(key=lambda c: (-self.m.order(c.patch), c.lineno))
        for c in cuts:
            if c.function:
                i, end = find_definition(lines, c.function, c.where())
                lines[i:end] = []
                continue
            i = find_once(lines, c.text, c.where())
            if c.is_range:
                if c.to == "EOF":
                    end = len(lines)
                else:
                    end = None
                    for x in range(i + len(c.text),
                                   len(lines) - len(c.to) + 1):
                        if lines[x:x + len(c.to)] == c.to:
                            end = x + len(c.to)
                            break
                    if end is None:
                        fail("%s: no end after the start" % c.where())
                lines[i:end] = []
            else:
                lines[i:i + len(c.text)] = c.with_text or []
        if tree in self.m.kbuild:
            lines = self.kbuild_at(lines, k)
        if cuts or tree in self.m.kbuild:
            lines = squeeze(lines)
        return lines

    def kbuild_at(self, lines, k):
        out = []
        for line in lines:
            objs = re.findall(r"([\w-]+)\.o\b", line)
            if any(self.src_absent(o, k) for o in objs):
                continue
            out.append(line)
        # A continued line followed by nothing any more.
        for i, line in enumerate(out):
            if line.endswith("\\") and (i + 1 == len(out) or
                                        out[i + 1].strip() == ""):
                out[i] = line[:-1].rstrip()
        return out

    def src_absent(self, obj, k):
        for tree, i in self.added_in.items():
            if os.path.basename(tree) == obj + ".c":
                return i > k
        return False

    def maintainers_at(self, k, base):
        kind, anchor, entry = self.m.maint
        files = sorted(t for t, i in self.added_in.items() if i <= k)
        # "F:" as the entry's other fields: a tab (Linux) or a space (QEMU).
        sep = "\t" if any(re.match(r"^[A-Z]:\t", e) for e in entry) else " "
        block = [line.replace("@AUTHOR@", self.author) for line in entry] + \
            ["F:" + sep + f for f in files] + [""]
        i = find_once(base, anchor, "maintainers anchor")
        at = i + len(anchor) if kind == "after" else i
        return base[:at] + block + base[at:]

    def tree_at(self, k):
        """{treepath: lines} of the files patches 0..k add or change."""
        files = {}
        for tree, i in self.added_in.items():
            if i <= k:
                files[tree] = self.file_at(tree, k)
        for e in self.m.edits:
            if self.m.order(e.patch) > k:
                continue
            if e.path not in files:
                files[e.path] = self.pristine_text(e.path)
            lines = files[e.path]
            text = e.text if e.text is not None else \
                self.repo_text(e.from_repo)
            if e.kind == "append":
                if lines and lines[-1].strip():
                    lines.append("")
                lines += text
                continue
            i = find_once(lines, e.anchor, "insert at manifest line %d (%s)"
                          % (e.lineno, e.path))
            at = i + len(e.anchor) if e.kind == "after" else i
            lines[at:at] = text
        if self.m.maint and self.m.order(self.m.patches[0]) <= k:
            if "MAINTAINERS" not in files:
                files["MAINTAINERS"] = self.pristine_text("MAINTAINERS")
            files["MAINTAINERS"] = self.maintainers_at(k, files["MAINTAINERS"])
        return files


def git_raw(cwd, *args, env=None, stdin=None):
    r = subprocess.run(["git", "-C", cwd] + list(args), env=env,
                       input=stdin, capture_output=True, text=True)
    if r.returncode:
        fail("git %s: %s" % (" ".join(args), r.stderr.strip()))
    return r.stdout


def git(cwd, *args, env=None, stdin=None):
    return git_raw(cwd, *args, env=env, stdin=stdin).rstrip("\n")


def read_msg(path):
    if not os.path.isfile(path):
        fail("no message %s" % path)
    with open(path) as f:
        text = f.read().strip("\n")
    subject, _, body = text.partition("\n")
    if not subject or (body and not body.startswith("\n")):
        fail("%s: subject line, blank line, body" % path)
    return subject, body.strip("\n")


def main():
    if len(sys.argv) != 4:
        print(__doc__, file=sys.stderr)
        sys.exit(2)
    manifest, pristine, outdir = sys.argv[1:]
    top = git(os.path.dirname(os.path.abspath(__file__)), "rev-parse",
              "--show-toplevel")
    m = Manifest(manifest)
    s = Series(m, top, pristine)
    s.check_coverage()

    name = git(top, "config", "user.name")
    email = git(top, "config", "user.email")
    s.author = "%s <%s>" % (name, email)
    date = git(top, "log", "-1", "--format=%cI")
    env = dict(os.environ, GIT_AUTHOR_NAME=name, GIT_AUTHOR_EMAIL=email,
               GIT_COMMITTER_NAME=name, GIT_COMMITTER_EMAIL=email,
               GIT_AUTHOR_DATE=date, GIT_COMMITTER_DATE=date,
               GIT_INDEX_FILE=os.path.join(outdir, ".index"))
    os.makedirs(outdir, exist_ok=True)
    for f in os.listdir(outdir):
        if f.endswith(".patch") or f == ".index":
            os.unlink(os.path.join(outdir, f))

    base = git(pristine, "rev-parse", "pristine^{commit}")
    git(pristine, "read-tree", base, env=env)
    parent, tree = base, git(pristine, "write-tree", env=env)
    for k, p in enumerate(m.patches):
        # One update-index per patch: each rewrites the whole index.
        entries = []
        for path, lines in sorted(s.tree_at(k).items()):
            blob = git(pristine, "hash-object", "-w", "--stdin",
                       "--path", path, stdin="\n".join(lines) + "\n")
            entries.append("100644 %s\t%s\n" % (blob, path))
        git(pristine, "update-index", "--add", "--index-info", env=env,
            stdin="".join(entries))
        new_tree = git(pristine, "write-tree", env=env)
        if new_tree == tree:
            fail("patch %s changes nothing" % p)
        subject, body = read_msg(os.path.join(m.dir, p + ".msg"))
        msg = subject + "\n\n" + (body + "\n\n" if body else "") + \
            "Signed-off-by: %s <%s>\n" % (name, email)
        parent = git(pristine, "commit-tree", new_tree, "-p", parent,
                     "-F", "-", env=env, stdin=msg).strip()
        tree = new_tree
    os.unlink(env["GIT_INDEX_FILE"])

    subject, body = read_msg(os.path.join(m.dir, "cover.msg"))
    git(pristine, "format-patch", "-q", "--cover-letter", "--base", base,
        "--no-signature", "-o", outdir, "%s..%s" % (base, parent), env=env)
    cover = os.path.join(outdir, "0000-cover-letter.patch")
    with open(cover) as f:
        text = f.read()
    if "*** SUBJECT HERE ***" not in text or "*** BLURB HERE ***" not in text:
        fail("%s: no placeholders to fill" % cover)
    text = text.replace("*** SUBJECT HERE ***", subject)
    text = text.replace("*** BLURB HERE ***",
                        body.replace("@BASE@", os.environ.get(
                            "SERIES_BASE", "the pristine tree")))
    with open(cover, "w") as f:
        f.write(text)
    print("%s: %d patches and a cover letter in %s" %
          (os.path.basename(m.dir), len(m.patches), outdir))


if __name__ == "__main__":
    try:
        main()
    except SeriesError as e:
        print("series.py: error: %s" % e, file=sys.stderr)
        sys.exit(1)
