#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-only
"""Judge a guest run: per-test verdicts plus a scan of the kernel log.

Reads the run directory ci/run-guest.sh made and the guest wrote: the
checks of ci/guest-run.sh (results/status, results/out/), the igt tests
from igt_runner's results (results/igt/N/results.json for each list
igt/runs/N.txt, made from the journal with igt_results when the guest
stopped before igt_runner wrote it), results/dmesg.txt, results/complete
and the host's console.log and qemu.rc. igt's own verdicts stand, with
dmesg-warn and dmesg-fail (kernel messages of warning level or worse while
the test ran) counted as failures; on top, any kernel report (lockdep,
WARN, BUG, Oops, KASAN, kmemleak...) fails the test during which it was
printed ("[IGT]" and "vtgpu-run:" lines in the log say which), or a
"kernel@log" entry when no test was running. A guest that never finished
is reported as hung (killed; "boot-hung", written by ci/run-guest.sh,
says it was at boot) or crashed. Writes results.json, results.txt and
junit.xml (JUnit XML, for CI systems) into the run directory, prints the
table, the failures and the reports, and ends with "N passed, N failed,
N skipped". Exit status 0 only when nothing failed.
"""

import argparse
import glob
import json
import os
import re
import subprocess
import sys
from xml.sax.saxutils import escape, quoteattr

# A line that starts a kernel report. Lockdep's reports begin with
# "WARNING: possible ..." or "WARNING: inconsistent ...", KASAN's with
# "BUG: KASAN:", DEBUG_ATOMIC_SLEEP's with "BUG: sleeping function".
REPORT = re.compile(
    r"(WARNING:|BUG:|kernel BUG at|Oops|general protection fault|"
    r"Kernel panic|UBSAN:|DEBUG_LOCKS_WARN_ON|"
    r"kmemleak: \d+ new suspected memory leak|"
    r"INFO: task .* blocked for more than|rcu: INFO: .* detected stall|"
    r"possible circular locking dependency|possible recursive locking|"
    r"inconsistent lock state)")
TIMESTAMP = re.compile(r"^\[\s*\d+\.\d+\]\s?")
MARKER = re.compile(r"vtgpu-run: (begin|end) (\S+)(?: (\S+))?")
# igt_core's lines in the kernel log, around each test it runs.
IGT_MARKER = re.compile(r"\[IGT\] (\S+): (executing|starting subtest (\S+)|"
                        r"starting dynamic subtest (\S+)|"
                        r"finished subtest (\S+),|exiting)")
REPORT_LINES = 40

# timeout(1)'s exit codes: the command timed out, or was killed after.
TIMED_OUT = (124, 137)

# igt_runner's verdicts, as this judge counts them.
IGT_STATUS = {"pass": "pass", "skip": "skip", "fail": "fail",
              "crash": "crash", "timeout": "timeout", "incomplete": "crash",
              "abort": "fail", "notrun": "fail", "warn": "fail",
              "dmesg-warn": "fail", "dmesg-fail": "fail"}
# A kernel message igt_runner keeps in a test's "dmesg": "<LEVEL> [TIME] ".
IGT_DMESG_WARN = re.compile(r"^<[0-4]> ")
# Warnings of the emulated machine, not of the kernel under test, that
# make igt_runner say dmesg-warn: a TCG guest on a busy host can take
# milliseconds in one hrtimer interrupt (printed once per boot).
TCG_WARNINGS = re.compile(r"^<[0-4]> \[[ \d.]+\] hrtimer: interrupt took \d+ ns$")
# A test that provokes kernel errors tells igt_runner to ignore them
# (igt_emit_ignore_dmesg_regex()): those do not make its dmesg-warn.
IGT_IGNORE = re.compile(r"^<\d> \[[ \d.]+\] \[IGT\] add ignored dmesg regex: (.*)$")


def ignored_by_test(dmesg):
    """The regexes a test's kernel log told igt_runner to ignore."""
    return [re.compile(m.group(1)) for m in
            map(IGT_IGNORE.match, dmesg.splitlines()) if m]


def read(path):
    try:
        with open(path, errors="replace") as f:
            return f.read()
    except FileNotFoundError:
        return None


def verdict(rc):
    """A check's status from its exit code (timeout(1)'s for a hang)."""
    if rc in TIMED_OUT:
        return "timeout"
    if rc > 128:
        return "crash"
    return "pass" if rc == 0 else "fail"


def scan_log(text, suffixes=None):
    """Return (reports, last_begun): reports as (test, lines) pairs.

    "vtgpu-run: begin/end NAME" brackets a check, or an igt_runner run
    ("igt-run N", whose test names get suffixes[N]); igt_core's "[IGT]"
    lines inside it say which test runs. A report between a binary's start
    and its subtest's is the subtest's: igt_runner runs one per start.
    """
    reports = []
    current = None
    suffix = ""
    binary = subtest = None
    start = 0
    lines = [TIMESTAMP.sub("", l) for l in text.splitlines()]
    i = 0
    while i < len(lines):
        line = lines[i]
        m = MARKER.search(line)
        g = IGT_MARKER.search(line)
        if m:
            begin = m.group(1) == "begin"
            current = None
            if m.group(2) == "igt-run":
                suffix = (suffixes or {}).get(m.group(3), "") if begin else ""
            elif begin:
                current = m.group(2)
        elif g:
            what = g.group(2)
            binary = g.group(1)
            if what == "executing":
                subtest = None
                current = "igt@%s%s" % (binary, suffix)
                start = len(reports)
            elif g.group(3):
                subtest = g.group(3)
                name = "igt@%s@%s%s" % (binary, subtest, suffix)
                # Reports of this start so far are the subtest's.
                reports[start:] = [(name if t == current else t, b)
                                   for t, b in reports[start:]]
                current = name
            elif g.group(4):
                current = "igt@%s@%s@%s%s" % (binary, subtest, g.group(4),
                                              suffix)
            elif g.group(5) and subtest and g.group(5) != subtest:
                current = "igt@%s@%s%s" % (binary, subtest, suffix)
            elif what == "exiting":
                current = None
        elif REPORT.search(line):
            # A WARN's own message stands between "cut here" and WARNING:.
            block = [lines[i - 1]] if i > 1 and "cut here" in lines[i - 2] \
                else []
            j = i
            while j < len(lines) and len(block) < REPORT_LINES:
                if j > i and (MARKER.search(lines[j]) or
                              IGT_MARKER.search(lines[j])):
                    break
                block.append(lines[j])
                j += 1
                if "---[ end trace" in block[-1]:
                    break
            reports.append((current or "kernel@log", block))
            i = j
            continue
        i += 1
    return reports, current


def igt_runs(run):
    """[(N, suffix, tests)] of the igt_runner runs, tests as dicts."""
    runs = []
    for lst in sorted(glob.glob(os.path.join(run, "igt", "runs", "*.txt"))):
        n = os.path.basename(lst)[:-len(".txt")]
        suffix = (read(lst[:-len(".txt")] + ".suffix") or "").strip()
        rdir = os.path.join(run, "results", "igt", n)
        path = os.path.join(rdir, "results.json")
        tool = os.path.join(run, "igt", "runner", "igt_results")
        if not os.path.exists(path) and os.path.isdir(rdir) and \
                os.access(tool, os.X_OK):
            # The guest stopped first: results from igt_runner's journal.
            subprocess.run([tool, rdir], capture_output=True)
        tests = []
        try:
            # Tests' output is bytes, not always UTF-8.
            with open(path, errors="replace") as f:
                results = json.load(f)
        except (OSError, ValueError):
            results = {"tests": {}}
        for name, r in sorted(results.get("tests", {}).items(),
                              key=lambda kv: kv[1].get("time", {})
                              .get("start", 0)):
            status = IGT_STATUS.get(r.get("result"), "fail")
            # igt's stderr without the debug log it repeats a failure in.
            err = re.sub(r"\*\*\*\* DEBUG \*\*\*\*.*?\*\*\*\*  END  \*\*\*\*\n?",
                         "", r.get("err") or "", flags=re.S)
            out = (r.get("out") or "") + err
            warns = [l for l in (r.get("dmesg") or "").splitlines()
                     if IGT_DMESG_WARN.match(l)]
            if r.get("result") in ("dmesg-warn", "dmesg-fail") and warns:
                out += "\nkernel messages of warning level:\n" + \
                    "\n".join(warns[:25]) + "\n"
            # A dmesg-warn of the emulator's warnings alone, beside what
            # the test expected, is the test's own pass (dmesg-fail stays
            # a failure).
            ignored = ignored_by_test(r.get("dmesg") or "")
            if r.get("result") == "dmesg-warn" and warns and \
                    all(TCG_WARNINGS.match(l) or
                        any(i.search(l) for i in ignored) for l in warns):
                status = "pass"
            t = r.get("time", {})
            tests.append({"name": name + suffix, "status": status,
                          "igt-result": r.get("result"), "exit": None,
                          "seconds": int(t.get("end", 0) - t.get("start", 0)),
                          "output": out, "reports": []})
        # What igt_runner was given and did not report did not run.
        log = read(os.path.join(run, "results", "igt-%s.log" % n)) or ""
        for line in (read(lst) or "").split():
            if any(k == line or k.startswith(line + "@")
                   for k in results.get("tests", {})):
                continue
            tests.append({"name": line + suffix, "status": "fail",
                          "igt-result": "notrun", "exit": None,
                          "seconds": 0, "reports": [],
                          "output": "not run by igt_runner\n" +
                          "\n".join(log.splitlines()[-10:])})
        runs.append((n, suffix, tests))
    return runs


def judge(run, timeout):
    res = os.path.join(run, "results")
    tests = []
    by_name = {}
    for line in (read(os.path.join(res, "status")) or "").splitlines():
        name, rc, secs = line.split("\t")
        out = read(os.path.join(res, "out", name + ".txt")) or ""
        t = {"name": name, "status": verdict(int(rc)),
             "exit": int(rc), "seconds": int(secs), "output": out,
             "reports": []}
        tests.append(t)
        by_name[name] = t

    suffixes = {}
    for n, suffix, igt_tests in igt_runs(run):
        suffixes[n] = suffix
        for t in igt_tests:
            tests.append(t)
            by_name[t["name"]] = t

    complete = read(os.path.join(res, "complete")) is not None
    log = read(os.path.join(res, "dmesg.txt"))
    if log is None:
        log = read(os.path.join(run, "console.log")) or ""
    reports, running = scan_log(log, suffixes)

    for name, block in reports:
        t = by_name.get(name)
        if t is None:
            t = {"name": name, "status": "fail", "exit": None, "seconds": 0,
                 "output": "", "reports": []}
            tests.append(t)
            by_name[name] = t
        t["reports"].append(block)
        if t["status"] in ("pass", "skip"):
            t["status"] = "fail"

    if not complete:
        qemu_rc = (read(os.path.join(run, "qemu.rc")) or "?").strip()
        hung = qemu_rc == "137"
        boot = read(os.path.join(run, "boot-hung"))
        if hung and boot is not None:
            why = "hung at boot: no init after %s s" % boot.strip()
        elif hung:
            why = "hung: killed after %d s" % timeout
        else:
            why = "guest stopped before the run completed (qemu exit %s)" \
                % qemu_rc
        # igt_results calls the test the guest stopped in incomplete.
        for t in tests:
            if hung and t.get("igt-result") == "incomplete":
                t["status"] = "timeout"
        if running and running not in by_name:
            t = {"name": running, "status": "timeout" if hung else "crash",
                 "exit": None, "seconds": 0, "output": why, "reports": []}
            tests.append(t)
        tests.append({"name": "guest@complete",
                      "status": "timeout" if hung else "crash", "exit": None,
                      "seconds": 0, "output": why, "reports": []})
    return tests


# What XML 1.0 does not allow, even escaped: control characters.
XML_INVALID = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


def junit(tests, path):
    """Write the verdicts as JUnit XML: a test case per test, its class the
    binary (igt.vtgpu_basic) or the kind (check, kernel, guest)."""
    bad = ("fail", "crash", "timeout")
    cases = []
    for t in tests:
        kind, _, rest = t["name"].partition("@")
        binary, _, sub = rest.partition("@")
        cls, name = ("%s.%s" % (kind, binary), sub) if kind == "igt" and sub \
            else (kind, rest)
        body = ""
        text = t["output"] + "".join(
            "\nkernel report:\n" + "\n".join(b) for b in t["reports"])
        if t["status"] in bad:
            body = "<failure type=%s message=%s>%s</failure>" % (
                quoteattr(t["status"]), quoteattr(t["status"]),
                escape(XML_INVALID.sub("?", text[-20000:])))
        elif t["status"] == "skip":
            body = "<skipped/>"
        cases.append('  <testcase classname=%s name=%s time="%d">%s'
                     '</testcase>' % (quoteattr(cls), quoteattr(name),
                                      t["seconds"], body))
    with open(path, "w") as f:
        f.write('<?xml version="1.0" encoding="UTF-8"?>\n'
                '<testsuites>\n<testsuite name="vtgpu" tests="%d" '
                'failures="%d" skipped="%d">\n%s\n</testsuite>\n'
                '</testsuites>\n' % (
                    len(tests), sum(t["status"] in bad for t in tests),
                    sum(t["status"] == "skip" for t in tests),
                    "\n".join(cases)))


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("run", help="run directory")
    ap.add_argument("--timeout", type=int, default=0,
                    help="the guest timeout, for the report")
    args = ap.parse_args()

    tests = judge(args.run, args.timeout)
    count = {s: sum(t["status"] == s for t in tests)
             for s in ("pass", "fail", "crash", "timeout", "skip")}
    failed = count["fail"] + count["crash"] + count["timeout"]
    summary = "%d passed, %d failed, %d skipped" % (
        count["pass"], failed, count["skip"])

    table = ["%-8s %5s  %s" % ("STATUS", "SECS", "TEST")]
    table += ["%-8s %5d  %s" % (t["status"].upper(), t["seconds"], t["name"])
              for t in tests]
    with open(os.path.join(args.run, "results.json"), "w") as f:
        json.dump({"run": args.run, "summary": summary, "counts": count,
                   "tests": tests}, f, indent=1)
    with open(os.path.join(args.run, "results.txt"), "w") as f:
        f.write("\n".join(table) + "\n" + summary + "\n")
    junit(tests, os.path.join(args.run, "junit.xml"))

    print("\n".join(table))
    for t in tests:
        if t["status"] in ("pass", "skip"):
            continue
        print("\n--- %s: %s" % (t["name"], t["status"].upper()))
        for line in t["output"].splitlines()[-25:]:
            print("    " + line)
        for block in t["reports"]:
            print("    kernel report:")
            for line in block:
                print("    | " + line)
    print("\nresults: %s/results.json" % args.run)
    print(summary)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
