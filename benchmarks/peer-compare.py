#!/usr/bin/env python3
"""Solve exported rinban models with HiGHS, for comparison with GLPK on the same file.

    python3 -m venv .venv && .venv/bin/pip install highspy
    rinban plan INSTANCE -o plan.json --export-model model.mps --engine greedy --only rota
    .venv/bin/python benchmarks/peer-compare.py 60 model.mps [more.mps ...]
    .venv/bin/python benchmarks/peer-compare.py --json 60 model.mps      # one JSON object per line

Prints one Markdown row per file: HiGHS status, objective, bound, gap and seconds (one
thread, the given time limit). `report.py` runs it for every bundled instance. Not part of
the Swift build.
"""
import json
import sys
import time

import highspy


def solve(path: str, limit: float) -> dict:
    h = highspy.Highs()
    h.setOptionValue("output_flag", False)
    h.setOptionValue("threads", 1)
    h.setOptionValue("time_limit", limit)
    h.readModel(path)
    began = time.monotonic()
    h.run()
    seconds = time.monotonic() - began
    info = h.getInfo()
    has_solution = info.primal_solution_status == 2  # kSolutionStatusFeasible
    objective = info.objective_function_value if has_solution else None
    bound = info.mip_dual_bound
    bound = bound if abs(bound) < 1e30 else None
    gap = None
    if objective is not None and bound is not None:
        gap = abs(objective - bound) / max(abs(objective), 1)
    return {"model": path, "solver": f"HiGHS {highspy.Highs().version()}",
            "status": h.modelStatusToString(h.getModelStatus()),
            "objective": objective, "bound": bound, "gap": gap, "seconds": seconds}


def main() -> None:
    args = sys.argv[1:]
    as_json = bool(args) and args[0] == "--json"
    if as_json:
        args = args[1:]
    limit = float(args[0])
    if not as_json:
        print("| model | HiGHS status | objective | bound | gap | seconds |")
        print("|---|---|---:|---:|---:|---:|")
    for path in args[1:]:
        r = solve(path, limit)
        if as_json:
            print(json.dumps(r), flush=True)
            continue
        fmt = lambda v: "–" if v is None else f"{v:.2f}"
        gap = "–" if r["gap"] is None else f"{100 * r['gap']:.2f}%"
        print(f"| {path} | {r['status']} | {fmt(r['objective'])} | {fmt(r['bound'])} | {gap} | {r['seconds']:.1f} |")


if __name__ == "__main__":
    main()
