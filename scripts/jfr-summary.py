#!/usr/bin/env python3
"""A JFR recording of a trial, summed up as text: where the CPU went, by thread pool.

    scripts/jfr-summary.py RECORDING.jfr [TITLE] > summary.txt

Record a forked trial with the JDK's own flight recorder, for instance
    java -jar harness/target/harness.jar run workload-a --engine sofajraft ... \\
      --jvm-arg=-XX:StartFlightRecording=filename=trial.jfr,settings=scripts/threads.jfc
(settings=profile adds execution samples, but not on SOFAJRaft: its SIGUSR2 handler breaks the
sampler, see threads.jfc), then run this over it. It reads the recording with the JDK's
`jfr print --json` and prints: the machine's and the JVM's CPU (jdk.CPULoad, medians), context
switches a second (jdk.ThreadContextSwitchRate), the threads' CPU summed by pool
(jdk.ThreadCPULoad; digits in a thread's name folded to #, so that the 8 groups' log writers are
one line), live and peak thread counts, how many CPU samples each pool's threads gave (a pool
with more threads gives more), garbage-collection pauses, and execution samples by thread pool
and top frame (jdk.ExecutionSample; where there are none or few, it says so).
"""
import json
import re
import statistics
import subprocess
import sys
from collections import Counter

EVENTS = "jdk.CPULoad,jdk.ThreadCPULoad,jdk.ThreadContextSwitchRate,jdk.ExecutionSample,jdk.GarbageCollection,jdk.JavaThreadStatistics"


def fold(name):
    return re.sub(r"\d+", "#", name or "?")


def seconds(d):
    """A JFR duration as jfr print --json writes it: ISO-8601 (PT0.0012S) or a number of ns."""
    if isinstance(d, (int, float)):
        return d / 1e9
    m = re.fullmatch(r"PT(?:(\d+)H)?(?:(\d+)M)?(?:([\d.]+)S)?", d or "")
    if not m:
        return 0.0
    h, mi, s = m.groups()
    return int(h or 0) * 3600 + int(mi or 0) * 60 + float(s or 0)


def thread_name(t):
    if not t:
        return "?"
    return t.get("javaName") or t.get("osName") or "?"


def main():
    if len(sys.argv) < 2:
        sys.exit("usage: jfr-summary.py RECORDING.jfr [TITLE]")
    path = sys.argv[1]
    try:
        raw = subprocess.run(["jfr", "print", "--json", "--events", EVENTS, path], check=True, capture_output=True, text=True).stdout
    except FileNotFoundError:
        sys.exit("jfr-summary: the JDK's jfr tool is not on PATH")
    except subprocess.CalledProcessError as e:
        sys.exit("jfr-summary: jfr print failed on %s: %s" % (path, e.stderr.strip()))
    events = json.loads(raw)["recording"]["events"]
    by_type = {}
    for e in events:
        by_type.setdefault(e["type"], []).append(e["values"])

    title = sys.argv[2] if len(sys.argv) > 2 else path
    print("# JFR summary: %s" % title)
    cpu = by_type.get("jdk.CPULoad", [])
    print("\n## CPU (jdk.CPULoad, median over the recording, % of the machine)")
    for k in ("jvmUser", "jvmSystem", "machineTotal"):
        vals = [v[k] for v in cpu if k in v]
        print("%-12s %s" % (k, "%.1f" % (100 * statistics.median(vals)) if vals else "no samples"))

    rates = [v["switchRate"] for v in by_type.get("jdk.ThreadContextSwitchRate", []) if "switchRate" in v]
    print("\n## Context switches (jdk.ThreadContextSwitchRate, per second: median, max)")
    print("%.0f %.0f" % (statistics.median(rates), max(rates)) if rates else "no samples")

    load = Counter()
    for v in by_type.get("jdk.ThreadCPULoad", []):
        load[fold(thread_name(v.get("eventThread")))] += v.get("user", 0) + v.get("system", 0)
    total = sum(load.values())
    print("\n## CPU by thread pool (jdk.ThreadCPULoad summed, share of all threads' CPU; digits folded to #)")
    for name, x in load.most_common(25):
        print("%6.1f%%  %s" % (100 * x / total, name))
    threads = Counter(fold(thread_name(v.get("eventThread"))) for v in by_type.get("jdk.ThreadCPULoad", []))
    stats = by_type.get("jdk.JavaThreadStatistics", [])
    if stats:
        print("\n## Threads: %d live at the end (%d at most)" % (stats[-1].get("activeCount", 0), max(s.get("peakCount", 0) for s in stats)))
    if threads:
        print("\n## Thread CPU samples by pool (a pool's count grows with its threads)")
        for name, n in threads.most_common(15):
            print("%6d  %s" % (n, name))

    gcs = by_type.get("jdk.GarbageCollection", [])
    pauses = [seconds(v.get("sumOfPauses")) for v in gcs]
    print("\n## Garbage collection: %d collections, %.3f s of pauses in all, longest %.1f ms"
          % (len(gcs), sum(pauses), 1000 * max(pauses) if pauses else 0))

    samples = by_type.get("jdk.ExecutionSample", [])
    print("\n## Execution samples (jdk.ExecutionSample): %d" % len(samples))
    if not samples:
        print("(none: the recording's settings sample no execution, as scripts/threads.jfc)")
    elif len(samples) < 200:
        print("(too few to read much into: JFR's sampler took few samples in this process)")
    by_thread = Counter(fold(thread_name(v.get("sampledThread"))) for v in samples)
    frames = Counter()
    for v in samples:
        fr = (v.get("stackTrace") or {}).get("frames") or []
        if fr:
            m = fr[0].get("method", {})
            frames["%s.%s" % (m.get("type", {}).get("name", "?"), m.get("name", "?"))] += 1
    if samples:
        print("-- by thread pool")
        for name, n in by_thread.most_common(15):
            print("%6.1f%%  %s" % (100 * n / len(samples), name))
        print("-- top frames")
        for name, n in frames.most_common(15):
            print("%6.1f%%  %s" % (100 * n / len(samples), name))


if __name__ == "__main__":
    main()
