#!/usr/bin/env python3
"""D1 from Python against D1 in C++, in the same run (docs/performance.md, "Python").

  PYTHONPATH=build/python /usr/bin/python3 bench/python_bench.py [--build build] [--cases 1000000]

Rows: one `Decision.evaluate` call (a dict in, a Python value out) and one JSON-text call; a
batch of --cases dicts through `evaluate_batch` on one thread and on every core, per case; and
the C++ reference from policy_bench in this run: BM_D1_Interp_Json (a case's JSON text to a
decision, one thread), the same work the package does per case. The goal: a batch within 3x of
the C++ per-case cost.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import pathlib
import subprocess
import tempfile
import time

import policylang

ROOT = pathlib.Path(__file__).resolve().parents[1]
D1 = "hk.employment.part_time_on_campus_allowed"
AS_OF = datetime.date(2025, 9, 1)


def per_call_us(fn, cases, calls):
    best = float("inf")
    for _ in range(3):
        start = time.perf_counter()
        for i in range(calls):
            fn(cases[i % len(cases)])
        best = min(best, (time.perf_counter() - start) / calls * 1e6)
    return best


def cpp_ns(build: pathlib.Path) -> float:
    with tempfile.TemporaryDirectory() as tmp:
        out = pathlib.Path(tmp) / "bench.json"
        subprocess.run(
            [str(build / "bench/policy_bench"), "--benchmark_filter=^BM_D1_Interp_Json$",
             "--benchmark_repetitions=3", f"--benchmark_out={out}", "--benchmark_out_format=json"],
            check=True, capture_output=True,
        )
        runs = [b for b in json.loads(out.read_text())["benchmarks"] if b.get("run_type") == "iteration"]
        return min(b["real_time"] for b in runs)  # ns


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--build", default=str(ROOT / "build"))
    parser.add_argument("--cases", type=int, default=1_000_000)
    parser.add_argument("--calls", type=int, default=20_000)
    args = parser.parse_args()

    policies = policylang.PolicySet.load([str(ROOT / "policies")])
    d1 = policies.decision(D1)
    cases = []
    for path in sorted((ROOT / "examples/cases").glob("hk_*.json")):
        case = json.loads(path.read_text())
        d1.evaluate(case, as_of=AS_OF)  # every one evaluates
        cases.append(case)
    texts = [json.dumps(c) for c in cases]

    call = per_call_us(lambda c: d1.evaluate(c, as_of=AS_OF).value, cases, args.calls)
    call_text = per_call_us(lambda t: d1.evaluate(t, as_of=AS_OF).value, texts, args.calls)
    batch = [cases[i % len(cases)] for i in range(args.cases)]
    rows = []
    for threads in (1, os.cpu_count() or 1):
        start = time.perf_counter()
        values = d1.evaluate_batch(batch, as_of=AS_OF, threads=threads)
        seconds = time.perf_counter() - start
        assert len(values) == args.cases
        rows.append((threads, seconds / args.cases * 1e6, seconds))
    cpp_us = cpp_ns(pathlib.Path(args.build)) / 1000

    print(f"D1 from Python, {datetime.date.today()}, {os.cpu_count()} cores")
    print(f"{'row':<46}{'us/case':>10}{'x C++':>8}")
    print(f"{'C++ BM_D1_Interp_Json (JSON text -> value)':<46}{cpp_us:>10.2f}{1:>8.2f}")
    print(f"{'Python evaluate(dict) per call':<46}{call:>10.2f}{call / cpp_us:>8.2f}")
    print(f"{'Python evaluate(json text) per call':<46}{call_text:>10.2f}{call_text / cpp_us:>8.2f}")
    for threads, us, seconds in rows:
        label = f"Python evaluate_batch, {args.cases:,} dicts, {threads} thread(s)"
        print(f"{label:<46}{us:>10.2f}{us / cpp_us:>8.2f}   ({seconds:.1f} s)")


if __name__ == "__main__":
    main()
