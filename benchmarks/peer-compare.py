#!/usr/bin/env python3
"""Solve exported rinban models with HiGHS, for comparison with GLPK on the same file.

    python3 -m venv /tmp/venv && /tmp/venv/bin/pip install highspy
    rinban plan INSTANCE -o plan.json --export-model model.mps --engine glpk --time-limit 60
    /tmp/venv/bin/python benchmarks/peer-compare.py 60 model.mps [more.mps ...]

Prints one Markdown row per file: HiGHS status, objective, bound, gap and seconds (one
thread, the given time limit). Not part of the Swift build.
"""
import sys
import time

import highspy


def main() -> None:
    limit = float(sys.argv[1])
    print("| model | HiGHS status | objective | bound | gap | seconds |")
    print("|---|---|---:|---:|---:|---:|")
    for path in sys.argv[2:]:
        h = highspy.Highs()
        h.setOptionValue("output_flag", False)
        h.setOptionValue("threads", 1)
        h.setOptionValue("time_limit", limit)
        h.readModel(path)
        began = time.monotonic()
        h.run()
        seconds = time.monotonic() - began
        info = h.getInfo()
        status = h.modelStatusToString(h.getModelStatus())
        objective = info.objective_function_value
        bound = info.mip_dual_bound
        gap = (objective - bound) / max(abs(objective), 1)
        print(f"| {path} | {status} | {objective:.2f} | {bound:.2f} | {100 * gap:.2f}% | {seconds:.1f} |")


if __name__ == "__main__":
    main()
