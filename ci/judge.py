#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-only
"""Judge a guest run: per-test verdicts plus a scan of the kernel log.

Reads the run directory written by ci/guest-run.sh (results/status,
results/out/, results/dmesg.txt, results/complete) and the host's
console.log and qemu.rc. Any kernel report (lockdep, WARN, BUG, Oops,
KASAN, kmemleak...) fails the test during which it was printed, or a
"kernel@log" entry when no test was running. A guest that never finished
is reported as hung (killed; "boot-hung", written by ci/run-guest.sh,
says it was at boot) or crashed. Writes results.json and
results.txt into the run directory, prints the table, the failures and the
reports, and ends with "N passed, N failed, N skipped". Exit status 0 only
when nothing failed.
"""

import argparse
import json
import os
import re
import sys

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
MARKER = re.compile(r"vtgpu-run: (begin|end) (\S+)")
REPORT_LINES = 40

# Exit codes: igt's (igt_core.h) and timeout(1)'s.
IGT_SUCCESS, IGT_SKIP, IGT_FAILURE = 0, 77, 98
TIMED_OUT = (124, 137)


def read(path):
    try:
        with open(path, errors="replace") as f:
            return f.read()
    except FileNotFoundError:
        return None


def verdict(name, rc, output):
    """Map a test's exit code (and igt's own words) to a status."""
    if rc in TIMED_OUT:
        return "timeout"
    if re.search(r"Subtest \S+: CRASH", output) or rc > 128:
        return "crash"
    if rc == IGT_SUCCESS:
        return "pass"
    if rc == IGT_SKIP and name.startswith("igt@"):
        return "skip"
    return "fail"


def scan_log(text):
    """Return (reports, last_begun): reports as (test, lines) pairs."""
    reports = []
    current = None
    lines = [TIMESTAMP.sub("", l) for l in text.splitlines()]
    i = 0
    while i < len(lines):
        line = lines[i]
        m = MARKER.search(line)
        if m:
            current = m.group(2) if m.group(1) == "begin" else None
        elif REPORT.search(line):
            # A WARN's own message stands between "cut here" and WARNING:.
            block = [lines[i - 1]] if i > 1 and "cut here" in lines[i - 2] \
                else []
            j = i
            while j < len(lines) and len(block) < REPORT_LINES:
                if j > i and MARKER.search(lines[j]):
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


def judge(run, timeout):
    res = os.path.join(run, "results")
    tests = []
    by_name = {}
    for line in (read(os.path.join(res, "status")) or "").splitlines():
        name, rc, secs = line.split("\t")
        out = read(os.path.join(res, "out", name + ".txt")) or ""
        t = {"name": name, "status": verdict(name, int(rc), out),
             "exit": int(rc), "seconds": int(secs), "output": out,
             "reports": []}
        tests.append(t)
        by_name[name] = t

    complete = read(os.path.join(res, "complete")) is not None
    log = read(os.path.join(res, "dmesg.txt"))
    if log is None:
        log = read(os.path.join(run, "console.log")) or ""
    reports, running = scan_log(log)

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
        if running and running not in by_name:
            t = {"name": running, "status": "timeout" if hung else "crash",
                 "exit": None, "seconds": 0, "output": why, "reports": []}
            tests.append(t)
        tests.append({"name": "guest@complete",
                      "status": "timeout" if hung else "crash", "exit": None,
                      "seconds": 0, "output": why, "reports": []})
    return tests


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
