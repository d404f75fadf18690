#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-only
"""Sum up a soak run (make soak, ci/soak.sh) and its figures.

Reads the parts of the soak in OUT (ci/soak.sh): gate/gate.txt, the guest
runs suites/, evict/ and the ioctl fuzzer's fuzz-N/ (results.json of
ci/judge.py, fuzz-N/seed) and the QEMU fuzz run's chunks qemu-fuzz-N/
(qemu-fuzz.log, qemu-fuzz.rc), and
writes OUT/summary.txt and OUT/summary.json: the passes of the igt suites
(passed, failed, skipped each), the ioctl fuzzer's calls and seed, the
eviction soak's bytes moved and wrong, kmemleak's unreferenced objects and
the QEMU fuzzer's executions and crashes. A part taken from an earlier
soak's records (its directory has "passed") says when it passed. Prints
the summary, ending with "N passed, N failed, N skipped"; exit status 0
only when nothing failed.

Counted: every test of the guest runs as the judge judged it, each mode of
the gate (provoked KASAN and kmemleak reports must fail their runs), the
QEMU fuzz run as one test, and as failures the parts and figures that are
missing: no gate, a guest that left no results, no eviction soak result, a
guest without a kmemleak scan (the soak kernel has kmemleak), fewer ioctl
calls or QEMU fuzz executions than asked for.
"""

import argparse
import json
import os
import re
import sys

from judge import read

MOVED = re.compile(r"moved (\d+) bytes, (\d+) bytes wrong")
CALLS = re.compile(r"^seed \d+: (\d+) calls in ", re.M)
KMEMLEAK = re.compile(r"kmemleak: (\d+) unreferenced objects")
QEMU_FUZZ = re.compile(r"^fuzz: (\d+) executions, (\d+) crashes$")
FAILED = ("fail", "crash", "timeout")


def tally(tests):
    c = {"passed": 0, "failed": 0, "skipped": 0}
    for t in tests:
        if t["status"] == "pass":
            c["passed"] += 1
        elif t["status"] == "skip":
            c["skipped"] += 1
        else:
            c["failed"] += 1
    return c


def pass_of(name):
    """The pass (1...) of a repeated test's name, or None."""
    m = re.search(r"#(\d+)$", name)
    return int(m.group(1)) if m else None


def recorded(out, part):
    """The note on a part taken from the records: when it passed."""
    when = read(os.path.join(out, part, "passed"))
    return " (recorded: passed %s)" % when.strip() if when else ""


def numbered(out, prefix):
    """The parts PREFIX-1, PREFIX-2... in OUT, in order."""
    return sorted((d for d in os.listdir(out)
                   if re.match(re.escape(prefix) + r"-\d+$", d)),
                  key=lambda d: int(d.rsplit("-", 1)[1]))


def report(out, repeat, soak_bytes, fuzz_calls, qemu_fuzz_runs):
    fig = {"repeat": repeat}
    lines = []
    extra_failed = []

    # The guest runs: their tests together, each with a kmemleak scan.
    tests = []
    km_runs = []
    fuzz_parts = numbered(out, "fuzz")
    for part in ["suites", "evict"] + fuzz_parts:
        results = read(os.path.join(out, part, "results.json"))
        if results is None:
            lines.append("%s: no results" % part)
            extra_failed.append("%s: the guest left no results" % part)
            continue
        ts = json.loads(results).get("tests", [])
        lines.append("%s: guest run of %d tests%s" %
                     (part, len(ts), recorded(out, part)))
        tests += ts
        km_runs.append((part, [t for t in ts if t["name"] == "check@kmemleak"]))
    seeds = [(read(os.path.join(out, p, "seed")) or "?").strip()
             for p in fuzz_parts]

    # The suites, pass by pass (one pass: the tests without arguments).
    igt = [t for t in tests if t["name"].startswith("igt@")]
    passes = []
    for p in range(1, repeat + 1):
        if repeat > 1:
            ts = [t for t in igt if pass_of(t["name"]) == p]
        else:
            ts = [t for t in igt if ":" not in t["name"]]
        passes.append(tally(ts))
    fig["suite_passes"] = passes
    for p, c in enumerate(passes, 1):
        lines.append("suites pass %d/%d: %d passed, %d failed, %d skipped" %
                     (p, repeat, c["passed"], c["failed"], c["skipped"]))
        if not sum(c.values()):
            extra_failed.append("suites pass %d: no test ran" % p)

    # The ioctl fuzzer, over its guests.
    fuzz = [t for t in igt if t["name"].startswith("igt@vtgpu_fuzz@") and
            ":" in t["name"]]
    if fuzz:
        # The calls it made, as it counted them, not the ones asked for.
        c = tally(fuzz)
        calls = sum(int(m) for t in fuzz for m in CALLS.findall(t["output"]))
        fig["fuzz"] = {"calls": calls, "asked": fuzz_calls,
                       "guests": len(fuzz_parts), "seeds": seeds, **c}
        lines.append("ioctl fuzz: %d calls (%d asked for) in %d guests, "
                     "seeds %s: %d passed, %d failed, %d skipped" %
                     (calls, fuzz_calls, len(fuzz_parts), " ".join(seeds),
                      c["passed"], c["failed"], c["skipped"]))
        if calls < fuzz_calls:
            extra_failed.append("ioctl fuzz: %d calls, fewer than %d" %
                                (calls, fuzz_calls))
    else:
        fig["fuzz"] = None
        lines.append("ioctl fuzz: not run")
        if fuzz_calls:
            extra_failed.append("ioctl fuzz: not run, %d calls asked for" %
                                fuzz_calls)

    # The eviction soak.
    soak = [t for t in igt if t["name"].startswith("igt@vtgpu_evict@soak:")]
    m = None
    for t in soak:
        m = MOVED.search(t["output"]) or m
    if m:
        moved, wrong = int(m.group(1)), int(m.group(2))
        fig["evict"] = {"target": soak_bytes, "moved": moved, "wrong": wrong,
                        "status": soak[0]["status"]}
        lines.append("eviction soak: moved %d bytes (%.1f GiB, target %.1f "
                     "GiB), %d bytes wrong: %s" %
                     (moved, moved / 2**30, soak_bytes / 2**30, wrong,
                      soak[0]["status"]))
    else:
        fig["evict"] = None
        lines.append("eviction soak: no result")
        extra_failed.append("eviction soak: no \"moved N bytes\" line")

    # kmemleak, in each guest.
    leaks = []
    for part, km in km_runs:
        m = KMEMLEAK.search(km[0]["output"]) if km else None
        if m:
            leaks.append(int(m.group(1)))
        else:
            extra_failed.append("kmemleak: no scan in the %s guest" % part)
    fig["kmemleak"] = sum(leaks) if leaks else None
    lines.append("kmemleak: %s unreferenced objects (%d scans)" %
                 (fig["kmemleak"] if leaks else "no scan,", len(leaks)))

    # The gate: KASAN and kmemleak reports, provoked, failed their runs.
    gate = read(os.path.join(out, "gate", "gate.txt"))
    if gate is None:
        fig["gate"] = None
        lines.append("gate: not run")
        extra_failed.append("gate: not run (ci/test-gate.sh kasan leak)")
    else:
        g = {"passed": len(re.findall(r"^PASS gate", gate, re.M)),
             "failed": len(re.findall(r"^FAIL gate", gate, re.M))}
        fig["gate"] = g
        lines.append("gate: %d passed, %d failed (ci/test-gate.sh kasan "
                     "leak)%s" % (g["passed"], g["failed"],
                                  recorded(out, "gate")))
        if not g["passed"] and not g["failed"]:
            extra_failed.append("gate: no verdict in gate.txt")

    counts = tally(tests)
    counts["failed"] += len(extra_failed)
    if fig["gate"]:
        counts["passed"] += fig["gate"]["passed"]
        counts["failed"] += fig["gate"]["failed"]

    # The QEMU fuzz run, chunk by chunk.
    chunks = numbered(out, "qemu-fuzz")
    if not qemu_fuzz_runs:
        fig["qemu_fuzz"] = None
        lines.append("QEMU fuzz: not run")
    else:
        execs = crashes = 0
        ok = bool(chunks)
        for d in chunks:
            qlog = read(os.path.join(out, d, "qemu-fuzz.log")) or ""
            rc = int((read(os.path.join(out, d, "qemu-fuzz.rc")) or
                      "1").strip())
            last = (qlog.rstrip("\n").splitlines()[-1:] or [""])[0].strip()
            m = QEMU_FUZZ.match(last)
            chunk_ok = rc == 0 and m is not None and int(m.group(2)) == 0
            if m:
                execs += int(m.group(1))
                crashes += int(m.group(2))
            ok = ok and chunk_ok
            lines.append("QEMU fuzz %s: %s (exit %d)%s" %
                         (d[len("qemu-fuzz-"):], last or "no result line", rc,
                          recorded(out, d)))
        ok = ok and execs >= qemu_fuzz_runs
        fig["qemu_fuzz"] = {"executions": execs, "crashes": crashes,
                            "asked": qemu_fuzz_runs, "chunks": len(chunks)}
        lines.append("QEMU fuzz: %d executions (%d asked for), %d crashes: %s"
                     % (execs, qemu_fuzz_runs, crashes,
                        "pass" if ok else "FAIL"))
        counts["passed" if ok else "failed"] += 1

    for why in extra_failed:
        lines.append("FAIL " + why)
    failed_tests = [t["name"] for t in tests if t["status"] in FAILED]
    if failed_tests:
        lines.append("failed tests: " + " ".join(failed_tests))
    fig["counts"] = counts
    summary = "%d passed, %d failed, %d skipped" % (
        counts["passed"], counts["failed"], counts["skipped"])
    lines.append(summary)

    with open(os.path.join(out, "summary.json"), "w") as f:
        json.dump(fig, f, indent=1)
    with open(os.path.join(out, "summary.txt"), "w") as f:
        f.write("\n".join(lines) + "\n")
    print("\n".join(lines))
    return 1 if counts["failed"] else 0


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("out", help="the soak's results: its parts, the summary")
    ap.add_argument("--repeat", type=int, default=1)
    ap.add_argument("--soak-bytes", type=int, default=0)
    ap.add_argument("--fuzz-calls", type=int, default=0)
    ap.add_argument("--qemu-fuzz-runs", type=int, default=0)
    a = ap.parse_args()
    return report(a.out, a.repeat, a.soak_bytes, a.fuzz_calls,
                  a.qemu_fuzz_runs)


if __name__ == "__main__":
    sys.exit(main())
