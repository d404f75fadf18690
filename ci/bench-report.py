#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-only
"""Turn make bench's guest runs into bench.json, bench.md and bench.png.

Usage: bench-report.py OUTDIR HOST.jsonl NAME=RUNDIR...

Each RUNDIR is a judged guest run of one kernel: vtgpu-bench's
results/bench.jsonl, and in results.json the eviction soak's rounds (P6).
The first run is the table's, its goals checked; the others (the lockdep
kernel) give a second ratio column. Every vtgpu number is a ratio against
a peer measured in the same guest boot (or, for the engine's ceiling, on
the host in the same run); the goals of issue 25 are checked against
those ratios and reported as met or not, never hidden.
"""

import json
import os
import re
import subprocess
import sys

SOAK_ROUND = re.compile(r"soak round \d+: moved (\d+) MiB in ([0-9.]+) s")

MEANING = {
    "P1": "first-touch pages/s through a fresh mapping (a write to each "
          "page), vtgpu BO in the named domain vs a vgem dumb BO, same "
          "prefault window and madvise() hint; anon_ratio is vs anonymous "
          "memory",
    "P2": "bytes/s of BO moves between VRAM and GTT (4 x 15 MiB; "
          "VRAM->GTT by evicting VRAM, which includes allocating and "
          "binding the GTT pages; GTT->VRAM by a job on each BO) on the "
          "engine vs the same moves done by the CPU (move_with_cpu)",
    "P2-host": "the engine's move bandwidth vs the host's memcpy (QEMU "
               "runs the engine's copies as memcpy on the host: the "
               "ceiling)",
    "P3": "latency of another thread's mmap()+munmap() while a fault "
          "waits ~1 s for a BO's move behind a busy engine: with the "
          "VM_FAULT_RETRY path (mmap_lock dropped) vs vtgpu.fault_blocking "
          "(mmap_lock held); lower is better",
    "P4": "BO create + mmap + first touch + munmap + close per second, "
          "64 KiB, vs vgem dumb BOs",
    "P5": "userptr BO over 1 MiB of anonymous memory, created and used by "
          "one 1 MiB copy job, per second, vs a udmabuf of a 1 MiB memfd "
          "imported and used the same way",
    "P1-madvise": "faults taken to stream through 16 MiB under "
                  "MADV_SEQUENTIAL divided by those under MADV_RANDOM",
    "P6": "bytes/s an eviction soak (vtgpu_evict@soak: BOs of every kind "
          "over twice VRAM, moved between visible and invisible VRAM, GTT "
          "and system memory, every byte checked) moves, run to move the "
          "case's amount (it stops at the first check past it), vs the "
          "host's memcpy",
    "shmem THP": "vtgpu-bench sets the guest's shmem_enabled to never: "
                 "vgem's faults map one page each, as vtgpu's",
}


def load(path):
    with open(path) as f:
        return [json.loads(line) for line in f if line.strip()]


def goal(row):
    """(text, met) for the rows issue 25 sets a goal for, else None."""
    b, case, ratio = row["bench"], row["case"], row["ratio"]
    if b == "P1":
        return ">= 1.0x vgem", ratio >= 1.0
    if b == "P2" and row["peer"] == "cpu-memcpy-move":
        return ">= 3x CPU move", ratio >= 3.0
    if b == "P2-host":
        return ">= 50% of host memcpy", ratio >= 0.5
    if b == "P3" and case == "p99":
        return "<= 10 ms with RETRY", row["value"] <= 0.010
    if b == "P4":
        return ">= 2x vgem", ratio >= 2.0
    if b == "P5":
        return ">= 1.0x udmabuf", ratio >= 1.0
    if b == "P1-madvise":
        return "<= 1/16", ratio <= 1 / 16
    return None


def fmt(v, unit):
    if unit == "s":
        return "%.3f ms" % (v * 1e3)
    if unit == "bytes/s":
        return "%.0f MB/s" % (v / 1e6)
    if unit == "ratio":
        return "%.4f" % v
    return "%.0f %s" % (v, unit)


def derived(rows, host):
    """Rows computed from others: engine vs host, SEQ vs RANDOM faults."""
    out = []
    for r in rows:
        if r["bench"] == "P2" and host:
            out.append({"bench": "P2-host", "case": r["case"],
                        "unit": "bytes/s", "value": r["value"],
                        "peer": "host-memcpy", "peer_value": host,
                        "ratio": r["value"] / host})
    for dom in ("vram", "gtt", "system"):
        f = {r["case"].split()[-1]: r.get("faults") for r in rows
             if r["bench"] == "P1" and r["case"].startswith(dom + " ")
             and "prefault=16" in r["case"]}
        if f.get("sequential") is not None and f.get("random"):
            out.append({"bench": "P1-madvise", "case": dom, "unit": "ratio",
                        "value": f["sequential"] / f["random"],
                        "peer": "faults seq/random",
                        "peer_value": 1.0,
                        "ratio": f["sequential"] / f["random"]})
    return out


def soak_rows(run, host):
    """P6: each eviction soak's bytes moved per second, from its rounds."""
    with open(os.path.join(run, "results.json")) as f:
        tests = json.load(f)["tests"]
    out = []
    for t in tests:
        m = re.match(r"igt@vtgpu_evict@soak:VTGPU_SOAK_BYTES=(\S+)",
                     t["name"])
        rounds = SOAK_ROUND.findall(t.get("output", ""))
        if not m or not rounds or not host:
            continue
        moved, secs = int(rounds[-1][0]) << 20, float(rounds[-1][1])
        out.append({"bench": "P6", "case": m.group(1), "unit": "bytes/s",
                    "value": moved / secs, "peer": "host-memcpy",
                    "peer_value": host, "ratio": moved / secs / host,
                    "moved": moved, "seconds": secs, "soak": t["status"]})
    return out


TRACE_LINE = re.compile(r"^\s*\S.*?\s(\d+\.\d+): (\w+): (.*)$")


def intervals_total(spans):
    """Seconds covered by the union of (start, end) spans."""
    total, end = 0.0, None
    for a, b in sorted(spans):
        if end is None or a > end:
            total += b - a
            end = b
        elif b > end:
            total += b - end
            end = b
    return total


def p2_breakdown(path):
    """Where the time of vtgpu-bench's traced P2 round went, per direction.

    From the tracefs log of `vtgpu-bench --trace`: its trace_marker lines
    bound each direction; kprobes time TTM's page pool, the GART writes and
    SUBMIT; the scheduler's events give each job's queuing, start on the
    ring and completion. The engine is busy while some job started and is
    not done.
    """
    if not os.path.exists(path):
        return []
    out, cur = [], None
    for line in open(path):
        m = TRACE_LINE.match(line)
        if not m:
            continue
        t, ev, rest = float(m.group(1)), m.group(2), m.group(3)
        if ev == "tracing_mark_write" and rest.startswith("p2 "):
            words = rest.split()
            if words[2] == "begin":
                cur = {"dir": words[1], "begin": t, "calls": {},
                       "open": {}, "jobs": {}}
            elif cur:
                nbytes = int(words[3]) if len(words) > 3 else 0
                out.append(p2_summary(cur, t, nbytes))
                cur = None
        elif cur is None:
            continue
        elif ev in ("pool_alloc", "gart_bind", "submit"):
            cur["open"][ev] = t
        elif ev.endswith("_done") and ev[:-5] in cur["open"]:
            name = ev[:-5]
            cur["calls"][name] = cur["calls"].get(name, 0.0) + \
                t - cur["open"].pop(name)
        elif ev.startswith("drm_sched_job_"):
            fence = re.search(r"fence=(\d+:\d+)", rest).group(1)
            cur["jobs"].setdefault(fence, {})[ev[14:]] = t
    return out


def p2_summary(cur, end, nbytes):
    jobs = [j for j in cur["jobs"].values() if "run" in j and "done" in j]
    queued = [j["queue"] for j in cur["jobs"].values() if "queue" in j]
    busy = intervals_total([(j["run"], j["done"]) for j in jobs])
    last = max([j["done"] for j in jobs], default=end)
    first = min(queued, default=end)
    ms = 1e3
    return {"case": cur["dir"], "bytes": nbytes, "jobs": len(jobs),
            "total_ms": (end - cur["begin"]) * ms,
            "before_first_job_ms": (first - cur["begin"]) * ms,
            "ttm_pool_ms": cur["calls"].get("pool_alloc", 0.0) * ms,
            "gart_bind_ms": cur["calls"].get("gart_bind", 0.0) * ms,
            "submit_ioctl_ms": cur["calls"].get("submit", 0.0) * ms,
            "engine_busy_ms": busy * ms,
            "engine_idle_ms": (last - first - busy) * ms,
            "after_last_job_ms": (end - last) * ms,
            "engine_bytes_per_s": nbytes / busy if busy and nbytes else None}


def breakdown_md(name, rows, host):
    if not rows:
        return []
    lines = ["", "Where P2's time goes (%s kernel; one traced round of 4 "
             "moves of 15 MiB, after the measured ones):" % name, "",
             "| direction | total | before the first job | TTM page pool "
             "| GART writes | SUBMIT ioctls | engine busy | engine idle "
             "| after the last job | engine busy bandwidth |",
             "|" + " --- |" * 10]
    for r in rows:
        bw = r["engine_bytes_per_s"]
        lines.append("| %s | %s |" % (r["case"], " | ".join(
            "%.1f ms" % r[k] for k in (
                "total_ms", "before_first_job_ms", "ttm_pool_ms",
                "gart_bind_ms", "submit_ioctl_ms", "engine_busy_ms",
                "engine_idle_ms", "after_last_job_ms"))) +
            (" %.0f MB/s (%.0f%% of host memcpy) |" %
             (bw / 1e6, 100 * bw / host) if bw and host else " - |"))
    return lines


def run_rows(run, host):
    rows = load(os.path.join(run, "results", "bench.jsonl"))
    rows += derived(rows, host)
    return rows + soak_rows(run, host)


def main():
    outdir, host_path = sys.argv[1:3]
    runs = [a.split("=", 1) for a in sys.argv[3:]]
    host_rows = load(host_path)
    host = host_rows[0]["value"] if host_rows else None
    rows = run_rows(runs[0][1], host)
    columns = [name for name, _ in runs[1:]]
    for name, run in runs[1:]:
        other = {(r["bench"], r["case"], r["peer"]): r["ratio"]
                 for r in run_rows(run, host)}
        for r in rows:
            r.setdefault("other", {})[name] = other.get(
                (r["bench"], r["case"], r["peer"]))
    for r in rows:
        g = goal(r)
        if g:
            r["goal"], r["met"] = g

    with open(os.path.join(outdir, "bench.json"), "w") as f:
        json.dump({"host_memcpy": host, "kernel": runs[0][0],
                   "runs": dict(runs), "results": rows,
                   "p2_breakdown": {
                       name: p2_breakdown(os.path.join(run, "results",
                                                       "p2-trace.txt"))
                       for name, run in runs},
                   "meaning": MEANING}, f, indent=1)

    head = ["bench", "case", "vtgpu", "peer", "peer value",
            "ratio (%s)" % runs[0][0]]
    head += ["ratio (%s)" % c for c in columns] + ["goal"]
    lines = ["| " + " | ".join(head) + " |",
             "|" + " --- |" * len(head)]
    for r in rows:
        g = ""
        if "goal" in r:
            g = "%s: %s" % (r["goal"], "met" if r["met"] else "**not met**")
        if r.get("soak", "pass") != "pass":
            g = "**soak %s**" % r["soak"]
        other = ["-" if r["other"][c] is None else "%.3g" % r["other"][c]
                 for c in columns]
        lines.append("| " + " | ".join(
            [r["bench"], r["case"], fmt(r["value"], r["unit"]), r["peer"],
             fmt(r["peer_value"], r["unit"]), "%.3g" % r["ratio"]] +
            other + [g]) + " |")
    lines.append("")
    breakdowns = {name: p2_breakdown(os.path.join(run, "results",
                                                  "p2-trace.txt"))
                  for name, run in runs}
    for name, _ in runs:
        lines += breakdown_md(name, breakdowns[name], host)
    lines.append("")
    for k in sorted(MEANING):
        lines.append("- **%s**: %s." % (k, MEANING[k]))
    md = "\n".join(lines) + "\n"
    with open(os.path.join(outdir, "bench.md"), "w") as f:
        f.write(md)
    print(md)

    # The plot: every ratio on a log scale, the goal line at 1.
    dat = os.path.join(outdir, "bench.dat")
    with open(dat, "w") as f:
        for i, r in enumerate(rows):
            if r["ratio"] > 0:
                f.write('%d "%s %s" %g\n' % (i, r["bench"], r["case"],
                                              r["ratio"]))
    script = """
set terminal pngcairo size 1600,900 noenhanced
set output '%s'
set title 'vtgpu vs its peer, same boot (ratio, log scale; P3: RETRY/blocking latency, lower is better)'
set logscale y
set style fill solid 0.6
set boxwidth 0.8
set xtics rotate by -60 font ',8'
set grid ytics
set key off
plot '%s' using 1:3:xtic(2) with boxes, 1 with lines lc rgb 'red'
""" % (os.path.join(outdir, "bench.png"), dat)
    try:
        subprocess.run(["gnuplot"], input=script, text=True, check=True)
    except (OSError, subprocess.CalledProcessError) as e:
        print("bench-report: no plot: %s" % e, file=sys.stderr)

    met = sum(1 for r in rows if r.get("met"))
    missed = sum(1 for r in rows if "goal" in r and not r["met"])
    print("goals: %d met, %d not met; %s" % (met, missed, outdir))


if __name__ == "__main__":
    main()
