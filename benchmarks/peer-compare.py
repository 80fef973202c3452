#!/usr/bin/env python3
"""Solve exported rinban models with HiGHS and CP-SAT, for comparison on the same file.

    python3 -m venv .venv && .venv/bin/pip install highspy ortools
    rinban plan INSTANCE -o plan.json --export-model model.mps --engine greedy --only rota
    .venv/bin/python benchmarks/peer-compare.py 60 model.mps [more.mps ...]
    .venv/bin/python benchmarks/peer-compare.py --solver cpsat --threads 2 60 model.mps
    .venv/bin/python benchmarks/peer-compare.py --json 60 model.mps      # one JSON object per line

`--solver highs|cpsat|all` (default highs), `--threads N` (default 1). Prints one Markdown
row per file and solver: status, objective, bound, gap and wall-clock seconds of the
solve (reading the file not included) at the given time limit. HiGHS is `highspy`;
CP-SAT is OR-Tools' `model_builder` reading the MPS file and solving it with
`Solver("sat")` (`num_workers` = threads).

CP-SAT solves integer programs only: OR-Tools turns the model's continuous variables (the
fairness deviations d, e, z) into scaled integers and rounds fractional coefficients (the
envelope chords), so the value it reports is that of another model. On tiny.json it
reports "optimal 15582.26" where the true optimum is 15401.48. This script therefore
re-evaluates CP-SAT's answer: its integer variables are fixed in HiGHS and the
continuous ones optimised (a linear program), which gives the true objective of the rota
CP-SAT found (15415.48 on tiny.json). That value is the `objective` reported; CP-SAT's own
value is kept as `reported`, and its bound, which belongs to the scaled model and is not
a bound of this one, is left out. `report.py` runs this for every instance. Not part of
the Swift build.
"""
import json
import sys
import time


def solve_highs(path: str, limit: float, threads: int) -> dict:
    import highspy

    h = highspy.Highs()
    h.setOptionValue("output_flag", False)
    h.setOptionValue("threads", threads)
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
    return result(path, f"HiGHS {h.version()}", threads, h.modelStatusToString(h.getModelStatus()),
                  objective, bound, seconds)


def solve_cpsat(path: str, limit: float, threads: int) -> dict:
    import ortools
    from ortools.linear_solver.python import model_builder as mb

    model = mb.Model()
    if not model.import_from_mps_file(path):
        return result(path, f"CP-SAT {ortools.__version__}", threads, "could not read the file", None, None, 0)
    solver = mb.Solver("sat")
    solver.set_time_limit_in_seconds(limit)
    solver.set_solver_specific_parameters(f"num_workers:{threads}")
    began = time.monotonic()
    status = solver.solve(model)
    seconds = time.monotonic() - began
    found = status in (mb.SolveStatus.OPTIMAL, mb.SolveStatus.FEASIBLE)
    objective = None
    if found:
        values = {v.name: solver.value(v) for v in model.get_variables()}
        objective = evaluate_integers(path, values)
    r = result(path, f"CP-SAT {ortools.__version__}", threads, status.name.lower(), objective, None, seconds)
    r["reported"] = solver.objective_value if found else None
    return r


def evaluate_integers(path: str, values: dict):
    """The best objective of the model with its integer variables fixed at `values`
    (a linear program in the continuous ones, solved by HiGHS); None if infeasible."""
    import highspy

    h = highspy.Highs()
    h.setOptionValue("output_flag", False)
    h.readModel(path)
    lp = h.getLp()
    integrality = list(lp.integrality_)
    for i, name in enumerate(lp.col_names_):
        if integrality and integrality[i] != highspy.HighsVarType.kContinuous:
            v = round(values[name])
            h.changeColBounds(i, v, v)
    h.run()
    if h.getModelStatus() != highspy.HighsModelStatus.kOptimal:
        return None
    return h.getInfo().objective_function_value


def result(path, solver, threads, status, objective, bound, seconds) -> dict:
    gap = None
    if objective is not None and bound is not None:
        gap = abs(objective - bound) / max(abs(objective), 1)
    return {"model": path, "solver": solver, "threads": threads, "status": status,
            "objective": objective, "bound": bound, "gap": gap, "seconds": seconds}


SOLVERS = {"highs": solve_highs, "cpsat": solve_cpsat}


def main() -> None:
    args = sys.argv[1:]
    as_json = False
    solvers = ["highs"]
    threads = 1
    while args and args[0].startswith("--"):
        flag = args.pop(0)
        if flag == "--json":
            as_json = True
        elif flag == "--solver":
            name = args.pop(0)
            solvers = list(SOLVERS) if name == "all" else [name]
        elif flag == "--threads":
            threads = int(args.pop(0))
        else:
            sys.exit(f"unknown option {flag}")
    limit = float(args[0])
    if not as_json:
        print("| model | solver | threads | status | objective | bound | gap | seconds |")
        print("|---|---|---:|---|---:|---:|---:|---:|")
    for path in args[1:]:
        for name in solvers:
            r = SOLVERS[name](path, limit, threads)
            if as_json:
                print(json.dumps(r), flush=True)
                continue
            fmt = lambda v: "–" if v is None else f"{v:.2f}"
            gap = "–" if r["gap"] is None else f"{100 * r['gap']:.2f}%"
            print(f"| {path} | {r['solver']} | {threads} | {r['status']} | {fmt(r['objective'])} | {fmt(r['bound'])} "
                  f"| {gap} | {r['seconds']:.1f} |", flush=True)


if __name__ == "__main__":
    main()
