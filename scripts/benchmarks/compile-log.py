#!/usr/bin/env python3
"""Compiler time by the code it compiled, from the JVM's compilation logs.

Usage: compile-log.py LOG...   (logs of -XX:+UnlockDiagnosticVMOptions -XX:+LogCompilation -XX:LogFile=LOG)

Prints, per compiler (C1: tiers 1-3, C2: tier 4) and group of classes, the mean number of tasks and
their mean duration per log (a compiler thread's wall time: on a busy machine more than its CPU), and
the C2 tasks that took longest. Run it on the baseline's logs and on memwatch's, from the same rounds.
"""
import collections
import re
import sys

GROUPS = [
    ("io.memwatch.shaded.", "memwatch's libraries"),
    ("io.memwatch.collector.", "memwatch"),
    ("io.memwatch.agent.", "memwatch"),
    ("jdk.jfr.", "jdk.jfr"),
    ("jdk.internal.org.objectweb.asm.", "the JDK's ASM"),
    ("java.lang.invoke.", "java.lang.invoke"),
    ("sun.util.locale.", "sun.util.locale"),
    ("com.", "the workload and its libraries"),
    ("io.memwatch.benchmarks.", "the workload and its libraries"),
]


def group(method):
    for prefix, name in GROUPS:
        if method.startswith(prefix):
            return name
    return "the rest of the JDK"


def read(path, tasks, millis, longest):
    current = None
    with open(path, errors="replace") as log:
        for line in log:
            line = line.lstrip()
            if line.startswith("<task "):
                method = re.search(r"method='([^']*)'", line)
                stamp = re.search(r"stamp='([\d.]+)'", line)
                level = re.search(r"level='(\d)'", line)
                if method and stamp:
                    compiler = "C1" if level and level.group(1) != "4" else "C2"
                    current = (method.group(1), float(stamp.group(1)), compiler)
            elif line.startswith("<task_done") and current:
                took = float(re.search(r"stamp='([\d.]+)'", line).group(1)) - current[1]
                key = (current[2], group(current[0]))
                tasks[key] += 1
                millis[key] += took * 1000
                if current[2] == "C2":
                    longest[current[0]] += took * 1000
                current = None


def main(paths):
    tasks, millis, longest = collections.Counter(), collections.Counter(), collections.Counter()
    for path in paths:
        read(path, tasks, millis, longest)
    runs = len(paths)
    print(f"{'compiler':8} {'group':32} {'tasks':>7} {'ms':>7}   (means of {runs} logs)")
    for key in sorted(tasks):
        print(f"{key[0]:8} {key[1]:32} {tasks[key] / runs:7.0f} {millis[key] / runs:7.0f}")
    for compiler in ("C1", "C2"):
        total = sum(v for k, v in millis.items() if k[0] == compiler) / runs
        count = sum(v for k, v in tasks.items() if k[0] == compiler) / runs
        print(f"{compiler} in all: {count:.0f} tasks, {total:.0f} ms")
    print("longest C2 tasks (ms per log):")
    for method, ms in longest.most_common(6):
        print(f"  {ms / runs:6.0f}  {method[:120]}")


if __name__ == "__main__":
    if len(sys.argv) < 2:
        sys.exit("usage: compile-log.py LOG...")
    main(sys.argv[1:])
