#!/usr/bin/env python3
"""Runs rinban's whole benchmark suite and rewrites the results in benchmarks/README.md.

    benchmarks/report.py                   # everything, 60 s per plan and per peer solve (~45 min)
    benchmarks/report.py --time-limit 10   # the same with shorter limits (a quick look)
    benchmarks/report.py --only suite      # one part: machine, suite, plans, peer, deputies or compare
    benchmarks/report.py --stdout          # print the section instead of writing README.md

Parts, in order:
  machine  what the numbers were measured on (CPU, memory, OS, Swift, GLPK, commit)
  suite    the package-benchmark suite (targets ModelBuilding, Planning, Solving, WhatIf,
           Workbook), p50/p90
  plans    benchmarks/plan-table.sh: every bundled instance × engine, each plan scored
  peer     each bundled instance's rota model exported as MPS, solved by HiGHS (highspy,
           installed into benchmarks/.venv from PyPI when missing) and by glpsol, cold
  deputies the patient-deputy program of every bundled instance that has one: rinban's own
           solve (time to proven optimality) against HiGHS and glpsol on the exported model
  compare  issue 15's comparison: every bundled month, generated city networks of 60, 120,
           300 and 1,000 clinics and two fresh seeds of each other profile; `rinban plan`
           (auto, two threads) against HiGHS and CP-SAT (two threads) on each of the four
           exported programs, CP-SAT and HiGHS with one thread on the rota, and HiGHS at
           --long-limit (300 s, one thread) on the rota of the 40–90-clinic months (about
           2.5 hours at 60 s; --compare-instances limits it). Its raw results are kept in
           benchmarks/results/compare.json after every solve: a run that was stopped goes
           on where it stopped when started again on the same commit (--fresh starts over)

The measured section of README.md lies between the lines `<!-- report:begin -->` and
`<!-- report:end -->`; everything else in the file is left as it is. With --only, the
other parts keep their previous text. The file is replaced atomically. Exits 1 when a
part failed (a crashed benchmark, a plan that `rinban score` rejects); the section is
written anyway, with the failure in it.
"""
import argparse
import datetime
import glob
import hashlib
import json
import os
import platform
import re
import shutil
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
README = os.path.join(HERE, "README.md")
BEGIN, END = "<!-- report:begin -->", "<!-- report:end -->"
PARTS = ["machine", "suite", "plans", "peer", "deputies", "compare"]


def env_with_swift():
    env = dict(os.environ)
    if os.path.isdir("/opt/swift/usr/bin"):
        env["PATH"] = "/opt/swift/usr/bin:" + env.get("PATH", "")
    return env


def run(cmd, cwd=ROOT, check=True, **kw):
    print("+ " + " ".join(cmd), file=sys.stderr, flush=True)
    done = subprocess.run(cmd, cwd=cwd, env=env_with_swift(), text=True, capture_output=True, **kw)
    if check and done.returncode != 0:
        sys.stderr.write(done.stdout[-4000:] + done.stderr[-4000:])
        raise RuntimeError(f"{cmd[0]} exited with {done.returncode}")
    return done


def first_line(cmd):
    try:
        return run(cmd, check=False).stdout.strip().splitlines()[0]
    except (OSError, IndexError):
        return "unknown"


# MARK: machine

def host_facts():
    """CPU model, memory in GiB and the operating system, from /proc and /etc/os-release
    (server-latency.py describes its machine with these too)."""
    cpu = "unknown"
    for line in open("/proc/cpuinfo"):
        if line.startswith("model name"):
            cpu = line.split(":", 1)[1].strip()
            break
    mem_kb = 0
    for line in open("/proc/meminfo"):
        if line.startswith("MemTotal"):
            mem_kb = int(line.split()[1])
    osname = "unknown"
    if os.path.exists("/etc/os-release"):
        for line in open("/etc/os-release"):
            if line.startswith("PRETTY_NAME="):
                osname = line.split("=", 1)[1].strip().strip('"')
    return cpu, mem_kb / 1024 / 1024, osname


def machine():
    cpu, memory, osname = host_facts()
    glpk = first_line(["dpkg-query", "-W", "-f", "${Version}", "libglpk-dev"])
    commit = first_line(["git", "rev-parse", "--short", "HEAD"])
    # The results file itself is what a run rewrites: it does not make the measured code "changed".
    dirty = run(["git", "status", "--porcelain", "--untracked-files=no", "--", ".", ":!benchmarks/README.md",
                 ":!benchmarks/results"], check=False).stdout.strip()
    now = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    return "\n".join([
        "### Machine",
        "",
        f"* {os.cpu_count()} logical CPUs: {cpu}",
        f"* {memory:.1f} GiB memory",
        f"* {platform.system()} {platform.release()} {platform.machine()}; {osname}",
        f"* {first_line(['swift', '--version'])}, release builds",
        f"* GLPK from Debian's libglpk-dev {glpk}",
        f"* rinban commit {commit}{' (with local changes)' if dirty else ''}; measured {now}",
    ])


# MARK: suite

METRIC_UNIT = re.compile(r"^(.*?)(?: \((μs|ms|ns|s|K|M|G)\))?$")


def parse_markdown(text):
    """{target: {benchmark: {metric: {"unit", "p50", "p90", "samples"}}}} from --format markdown."""
    results, target, bench = {}, None, None
    for line in text.splitlines():
        if line.startswith("## ") and not line.startswith("## Baseline"):
            target = line[3:].strip()
            results.setdefault(target, {})
        elif line.startswith("### ") and target:
            bench = line[4:].strip()
            results[target][bench] = {}
        elif line.startswith("| ") and bench and not line.startswith("| Metric"):
            cells = [c.strip() for c in line.strip().strip("|").split("|")]
            if len(cells) != 9:
                continue
            name = cells[0].rstrip(" *")
            m = METRIC_UNIT.match(name)
            metric, unit = m.group(1), m.group(2) or ""
            results[target][bench][metric] = {"unit": unit, "p50": float(cells[3]), "p90": float(cells[5]),
                                              "samples": int(cells[8])}
    return results


SCALE = {"ns": 1e-6, "μs": 1e-3, "ms": 1.0, "s": 1e3}
COUNT = {"": 1, "K": 1e3, "M": 1e6, "G": 1e9}


def ms(entry, key="p50"):
    return entry[key] * SCALE.get(entry["unit"], 1.0)


def fmt_ms(value):
    if value >= 10_000:
        return f"{value / 1000:.1f} s"
    if value >= 100:
        return f"{value:.0f} ms"
    if value >= 1:
        return f"{value:.2f} ms"
    return f"{value * 1000:.0f} µs"


def wall(b):
    return b.get("Time (wall clock)")


def mallocs(b):
    e = b.get("Malloc (total)")
    return "–" if e is None else f"{e['p50'] * COUNT.get(e['unit'], 1):,.0f}"


def rss(b):
    e = b.get("Memory (resident peak)")
    if e is None:
        return "–"
    scale = {"": 1 / 1e6, "K": 1 / 1e3, "M": 1, "G": 1e3}.get(e["unit"], 1)
    return f"{e['p50'] * scale:.0f} MB"


def plain_table(benchmarks):
    """One row per benchmark: wall p50/p90, mallocs, peak RSS, samples."""
    rows = ["| benchmark | wall p50 | wall p90 | mallocs p50 | peak RSS p50 | samples |", "|---|---:|---:|---:|---:|---:|"]
    for name, b in benchmarks.items():
        w = wall(b)
        rows.append(f"| {name} | {fmt_ms(ms(w))} | {fmt_ms(ms(w, 'p90'))} | {mallocs(b)} | {rss(b)} | {w['samples']} |")
    return rows + [""]


def stage_bench(planning, stage, clinics):
    """The Planning benchmark of one stage at one size ("rota model  300 clinics")."""
    return next((b for name, b in planning.items() if name.startswith(stage) and re.search(rf"\b{clinics} clinics", name)), None)


def suite_section(results, shapes, cover_line=None, workbook_lines=()):
    out = []
    mb = results.get("ModelBuilding", {})
    if mb:
        out += ["### Modelling layer: building a model and loading it into GLPK (`ModelBuilding`)", ""]
        out += plain_table(mb)
    pl = results.get("Planning", {})
    if pl:
        out += ["### Scaling study: generated city instances, 30 → 1,000 clinics (`Planning`)", ""]
        if shapes:
            out += ["| clinics | members | physicians (active) | JSON bytes | slots | eligible pairs |",
                    "|---:|---:|---:|---:|---:|---:|"]
            for s in shapes:
                out.append(f"| {s['clinics']} | {int(s['members']):,} | {int(s['physicians']):,} ({int(s['active']):,}) "
                           f"| {int(s['bytes']):,} | {int(s['slots']):,} | {int(s['eligible']):,} |")
            out.append("")
        stages = ["parse+validate", "slots+eligibility", "rota model", "greedy construction", "subgradient 10 steps"]
        sizes = sorted({int(re.search(r"(\d+) clinics", n).group(1)) for n in pl if re.search(r"(\d+) clinics", n)})
        out += ["Wall-clock p50 · mallocs p50 · peak RSS p50 of the benchmark process.", "",
                "| clinics | " + " | ".join(stages) + " |", "|---:|" + "---|" * len(stages)]
        for n in sizes:
            cells = []
            for stage in stages:
                b = stage_bench(pl, stage, n)
                cells.append("–" if b is None or wall(b) is None else f"{fmt_ms(ms(wall(b)))} · {mallocs(b)} · {rss(b)}")
            out.append(f"| {n} | " + " | ".join(cells) + " |")
        out.append("")
        growth = growth_lines(pl, sizes, shapes, stages)
        if growth:
            out += growth + [""]
    wi = results.get("WhatIf", {})
    if wi:
        out += ["### What-if and cover (`WhatIf`)", "",
                "`whatif`: one absence (examples/harada-away.yaml) against the published Tokushima plan "
                "(examples/tokushima-2026-12.published.json), whole re-plan including load sharing and beds. "
                "`cover`: one slot of the largest bundled instance (city-300-2027-09) whose member falls ill"
                + (f" ({cover_line})" if cover_line else "") + "; *one slot* includes building the rota problem "
                "with the plan as baseline, *ranking only* does not.", ""]
        out += plain_table(wi)
    wb = results.get("Workbook", {})
    if wb:
        out += ["### The office's files: workbook, CSV folder and rota workbook (`Workbook`)", "",
                "*workbook write*: `InstanceWorkbook.make` + `XLSXWriter.data(for:)`, the .xlsx as bytes in memory; "
                "*workbook read*: those bytes through `XLSXReader` and `InstanceWorkbook.read(sheets:file:)`, "
                "validation included; *json read*: `InstanceDecoder.load` on the JSON file, for comparison; "
                "*csv read*: the committed CP932 folder `Tests/RinbanWorkbookTests/Fixtures/tokushima-csv-cp932`; "
                "*rota workbook write*: `RotaWorkbook.make` + `XLSXWriter.data(for:)` with the published Tokushima plan.", ""]
        if workbook_lines:
            out += [f"* {line}" for line in workbook_lines] + [""]
        out += plain_table(wb)
    so = results.get("Solving", {})
    if so:
        names = sorted({n.split(" ", 2)[-1] for n in so if n.startswith("load ")})
        out += ["### Bundled instances: pipeline stages and GLPK on the whole rota (`Solving`)", "",
                "load, greedy and model: wall-clock p50. GLPK: one branch-and-cut on the whole rota model "
                "with a 20 s limit, *cold* (no start) and *warm* (from the greedy plan, as `--engine glpk`); "
                "*first incumbent* is when GLPK's own search found its first integer solution, *gap* is at "
                "the end (0.00 % = proven optimal, and then the seconds are the time to optimality).", "",
                "| instance | load | greedy | rota model | GLPK cold: first incumbent | cold: gap · seconds | "
                "warm: gap · seconds | peak RSS (warm) |",
                "|---|---:|---:|---:|---:|---:|---:|---:|"]
        for name in names:
            def get(prefix):
                return so.get(f"{prefix} {name}", {})
            def solve_cell(b):
                w = wall(b)
                if w is None:
                    return "–"
                gap = b.get("gap at end (0.01%)")
                gap_text = "no bound" if gap is None else f"{gap['p50'] / 100:.2f} %"
                if b.get("objective (x100)") is None:
                    gap_text = "no incumbent"
                return f"{gap_text} · {ms(w) / 1000:.1f} s"
            # The plugin prints "first incumbent (ms)": the parser reads "(ms)" as the unit.
            first = get("GLPK cold").get("first incumbent")
            first_text = "none" if first is None else fmt_ms(ms(first))
            out.append(f"| {name} | {fmt_ms(ms(wall(get('load'))))} | {fmt_ms(ms(wall(get('greedy'))))} "
                       f"| {fmt_ms(ms(wall(get('rota model'))))} | {first_text} | {solve_cell(get('GLPK cold'))} "
                       f"| {solve_cell(get('GLPK warm'))} | {rss(get('GLPK warm'))} |")
        out.append("")
    return out


def slope(xs, ys):
    import math
    lx, ly = [math.log(x) for x in xs], [math.log(y) for y in ys]
    mx, my = sum(lx) / len(lx), sum(ly) / len(ly)
    return sum((a - mx) * (b - my) for a, b in zip(lx, ly)) / sum((a - mx) ** 2 for a in lx)


def growth_lines(pl, sizes, shapes, stages):
    if len(sizes) < 2:
        return []
    pairs = {int(s["clinics"]): int(s["eligible"]) for s in shapes}
    lines = ["Growth (least-squares slope of log time against log size over all sizes):", ""]
    for stage in stages:
        times = []
        for n in sizes:
            b = stage_bench(pl, stage, n)
            if b is None or wall(b) is None:
                return []
            times.append(ms(wall(b)))
        per_pair = ""
        if all(n in pairs for n in sizes):
            per_pair = (f", {slope([pairs[n] for n in sizes], times):.2f} in eligible pairs; "
                        f"{times[-1] * 1e6 / pairs[sizes[-1]]:.0f} ns per pair at {sizes[-1]:,} clinics")
        lines.append(f"* {stage}: slope {slope(sizes, times):.2f} in clinics{per_pair}; "
                     f"{sizes[-1]:,} clinics in {fmt_ms(times[-1])}")
    return lines


def workbook_sizes(text):
    """One line per instance from the Workbook target's WORKBOOK and ROTAWORKBOOK lines (each
    benchmark runs in its own process, so each prints its fixture again)."""
    instances, rotas = set(), set()
    for line in text.splitlines():
        words = line.split()
        if len(words) < 3 or words[0] not in ("WORKBOOK", "ROTAWORKBOOK"):
            continue
        f = dict(kv.split("=", 1) for kv in words[2:] if "=" in kv)
        if words[0] == "WORKBOOK":
            instances.add(f"{words[1]}: {int(f['members']):,} members; JSON {int(f['json']):,} bytes, workbook "
                          f"{int(f['xlsx']):,} bytes ({f['sheets']} sheets, {int(f['cells']):,} cells)")
        else:
            rotas.add(f"{words[1]}, rota workbook: {int(f['xlsx']):,} bytes, {f['sheets']} sheets, "
                      f"{int(f['assignments']):,} assignments")
    return sorted(instances) + sorted(rotas)


def suite():
    done = run(["./run.sh", "--no-progress", "--format", "markdown"], cwd=HERE, check=False)
    text = done.stdout + "\n" + done.stderr
    # Each benchmark of the Planning target runs in its own process, so each prints the shape again.
    shapes = list({s["clinics"]: s for s in (dict(kv.split("=") for kv in line.split()[1:])
                                             for line in text.splitlines() if line.startswith("SHAPE "))}.values())
    results = parse_markdown(done.stdout)
    cover = next((line[6:].strip() for line in text.splitlines() if line.startswith("COVER ")), None)
    workbook = workbook_sizes(text)
    out = suite_section(results, shapes, cover, workbook)
    failed = done.returncode != 0 or not results
    if failed:
        out += [f"**The suite failed** (exit status {done.returncode}); its last lines:", "", "```",
                *text.strip().splitlines()[-15:], "```", ""]
    return out, failed


# MARK: plans

def plans(limit):
    done = run(["benchmarks/plan-table.sh", str(limit)], check=False)
    lines = [f"### Planning the bundled instances: `benchmarks/plan-table.sh {limit}`", "",
             f"`rinban plan --engine E --time-limit {limit}` on every bundled instance, each plan checked by "
             "`rinban score` and the independent checker `../shared/tools/rinban_check.py` (column *score*). "
             "*objective* and *bound* cover every term (rota, load sharing, beds, deputies); *seconds* is the whole "
             "run; *deputies* is the deputy program's status and solver time; *peak RSS* is the process's "
             "(`/usr/bin/time`).", ""]
    lines += done.stdout.strip().splitlines()
    if done.returncode != 0:
        lines += ["", f"**{done.stderr.strip().splitlines()[-1] if done.stderr.strip() else 'plan-table.sh failed'}**"]
    return lines + [""], done.returncode != 0


# MARK: peer

def highs_python():
    venv = os.path.join(HERE, ".venv")
    python = os.path.join(venv, "bin", "python")
    if not os.path.exists(python):
        run([sys.executable, "-m", "venv", venv], check=False)
    if run([python, "-c", "import highspy"], check=False).returncode != 0:
        run([python, "-m", "pip", "install", "--quiet", "highspy"], check=False)
    return python if run([python, "-c", "import highspy"], check=False).returncode == 0 else None


GLPSOL_LINE = re.compile(r"^[+*]\s*\d+: mip =\s+(\S+|not found yet) [<>]=\s+(\S+|tree is empty)")


def glpsol(path, limit):
    began = time.monotonic()
    done = run(["glpsol", "--freemps", path, "--tmlim", str(int(limit))], check=False)
    seconds = time.monotonic() - began
    objective = bound = None
    for line in done.stdout.splitlines():
        m = GLPSOL_LINE.match(line.strip())
        if m:
            objective = None if m.group(1).startswith("not") else float(m.group(1))
            bound = None if m.group(2).startswith("tree") else float(m.group(2))
    optimal = "INTEGER OPTIMAL SOLUTION FOUND" in done.stdout
    if optimal and objective is not None:
        bound = objective
    status = "optimal" if optimal else ("time limit" if "TIME LIMIT" in done.stdout else f"exit {done.returncode}")
    return {"status": status, "objective": objective, "bound": bound, "seconds": seconds}


def peer_cell(r):
    if r is None:
        return "–"
    if r["objective"] is None:
        return f"{r['status']}, no incumbent, bound {r['bound']:.2f}, {r['seconds']:.1f} s" if r["bound"] is not None \
            else f"{r['status']}, nothing found, {r['seconds']:.1f} s"
    if r["status"].lower() == "optimal":
        return f"optimal {r['objective']:.2f} in {r['seconds']:.1f} s"
    gap = "" if r["bound"] is None else f", bound {r['bound']:.2f} ({100 * abs(r['objective'] - r['bound']) / max(abs(r['objective']), 1):.1f} %)"
    return f"{r['status']}: {r['objective']:.2f}{gap}, {r['seconds']:.1f} s"


def peer_tools():
    """HiGHS's Python (or None), the release rinban (built), and an empty set for HiGHS versions."""
    python = highs_python()
    run(["swift", "build", "-c", "release", "--product", "rinban"])
    return python, os.path.join(ROOT, ".build", "release", "rinban"), set()


def peer(limit):
    python, rinban, versions = peer_tools()
    lines = ["### Peer comparison: the same rota model in HiGHS and in glpsol", "",
             "Each instance's whole rota program (rota terms only; load sharing, beds and deputies are separate, "
             "small programs) exported with `rinban plan INSTANCE --only rota --engine greedy --export-model M.mps`, "
             f"then solved cold (no start) with a {limit} s limit by HiGHS (highspy, one thread) and by "
             "GLPK's own `glpsol --freemps M.mps`. Wall-clock seconds include reading the file.", "",
             "| instance | columns | rows | HiGHS | glpsol (GLPK 5.0) |", "|---|---:|---:|---|---|"]
    lines += peer_rows(rinban, python, "rota", limit, versions, bundled())
    if versions:
        lines += ["", f"HiGHS version: {', '.join(sorted(versions))}."]
    return lines + [""], False


def deputies(limit):
    python, rinban, versions = peer_tools()
    lines = ["### Patient deputies: rinban, HiGHS and glpsol on the deputy program", "",
             "Every bundled instance with home-care patients. *rinban* is `rinban plan INSTANCE --only deputies` "
             "(the greedy designation, then GLPK from it) with the solver time its progress line reports; the same "
             "program exported with `--only deputies --engine greedy --export-model M.mps` is solved cold with a "
             f"{limit} s limit by HiGHS (highspy, one thread) and by `glpsol --freemps M.mps` (wall clock including "
             "reading the file).", "",
             "| instance | columns | rows | rinban | HiGHS | glpsol (GLPK 5.0) |", "|---|---:|---:|---|---|---|"]
    lines += peer_rows(rinban, python, "deputies", limit, versions,
                       [path for path in bundled() if "deputies" in json.load(open(path))])
    lines += ["", "Generated networks (`rinban generate --profile P --seed 2027 --clinics N`, fixed seeds), "
              "the same way. The Nagasaki profile keeps its five districts at every size, so its larger "
              "networks give each patient hundreds of eligible deputies.", "",
              "| network | columns | rows | rinban | HiGHS | glpsol (GLPK 5.0) |", "|---|---:|---:|---|---|---|"]
    with tempfile.TemporaryDirectory() as tmp:
        generated = []
        for profile, clinics in GENERATED_DEPUTIES:
            path = os.path.join(tmp, f"{profile}-{clinics}.json")
            run([rinban, "generate", "--profile", profile, "--seed", "2027", "--clinics", str(clinics), "-o", path],
                check=False)
            if os.path.exists(path):
                generated.append(path)
        lines += peer_rows(rinban, python, "deputies", limit, versions, generated)
    if versions:
        lines += ["", f"HiGHS version: {', '.join(sorted(versions))}."]
    return lines + [""], False


# Generated networks for the deputies' scaling rows: (profile, clinics).
GENERATED_DEPUTIES = [("city", 60), ("city", 120), ("city", 300), ("city", 1000), ("nagasaki", 120), ("nagasaki", 300)]


def bundled():
    return sorted(glob.glob(os.path.join(ROOT, "instances", "*.json")))


def peer_rows(rinban, python, part, limit, versions, instances):
    """One Markdown row per instance: the exported program of `part` in HiGHS and glpsol."""
    lines = []
    with tempfile.TemporaryDirectory() as tmp:
        for instance in instances:
            name = os.path.basename(instance)[:-5]
            mps = os.path.join(tmp, name + ".mps")
            run([rinban, "plan", instance, "-o", os.path.join(tmp, name + ".plan.json"), "--only", part,
                 "--engine", "greedy", "--quiet", "--export-model", mps], check=False)
            if not os.path.exists(mps):
                lines.append(f"| {name} | | | export failed | |" + (" |" if part != "rota" else ""))
                continue
            columns, rows = mps_size(mps)
            h = None
            if python:
                done = run([python, os.path.join(HERE, "peer-compare.py"), "--json", str(limit), mps], check=False)
                if done.returncode == 0 and done.stdout.strip():
                    h = json.loads(done.stdout.strip().splitlines()[-1])
                    versions.add(h.pop("solver"))
            g = glpsol(mps, limit) if shutil.which("glpsol") else None
            cells = [name, f"{columns:,}", f"{rows:,}"]
            if part != "rota":
                cells.append(own_deputies(rinban, instance, tmp, limit))
            cells += [peer_cell(h) if python else "HiGHS not installed",
                      peer_cell(g) if g else "glpsol not installed (apt-get install glpk-utils)"]
            lines.append("| " + " | ".join(cells) + " |")
    return lines


def own_deputies(rinban, instance, tmp, limit):
    """rinban's own deputies solve: the progress line of `plan --only deputies`."""
    done = run([rinban, "plan", instance, "-o", os.path.join(tmp, "own.plan.json"), "--only", "deputies",
                "--time-limit", str(limit)], check=False)
    for line in done.stderr.splitlines():
        m = re.search(r"deputies\s+objective (\S+)\s+bound (\S+)\s+(optimal|open) in (\S+) s", line)
        if m:
            return f"{m.group(3)} {float(m.group(1)):.2f} in {float(m.group(4)):.3f} s"
    return "no result"


def mps_size(path):
    section, columns, rows, last = None, 0, 0, None
    for line in open(path):
        if not line.startswith(" "):
            section = line.split()[0] if line.strip() else section
            continue
        fields = line.split()
        if section == "ROWS" and fields[0] != "N":
            rows += 1
        elif section == "COLUMNS" and fields[0] != "MARKER" and "'MARKER'" not in fields and fields[0] != last:
            columns, last = columns + 1, fields[0]
    return columns, rows


# MARK: compare (issue 15)

DEFAULT_WEIGHTS = {"uncovered": 1000, "fairness": 10, "maxDeviation": 20, "holidayFairness": 10, "neighbor": 3,
                   "avoid": 50, "spread": 5, "stability": 20, "loadMax": 1, "overflow": 100, "transfer": 2,
                   "remoteStation": 1, "bedOverload": 100, "outsideGroup": 5, "bedDistance": 2, "respiteRejected": 50,
                   "respiteDelay": 1, "undeputed": 500, "deputyDistance": 2, "deputyFairness": 5, "deputyChange": 10,
                   "deputyGap": 3}
PROGRAM_TERMS = {
    "rota": ["uncovered", "fairness", "maxDeviation", "holidayFairness", "neighbor", "avoid", "spread", "stability"],
    "stations": ["loadMax", "overflow", "transfer", "remoteStation"],
    "beds": ["bedOverload", "outsideGroup", "bedDistance", "respiteRejected", "respiteDelay"],
    "deputies": ["undeputed", "deputyDistance", "deputyFairness", "deputyChange", "deputyGap"],
}
COMPARE_GENERATED = [("city", 60, 2027), ("city", 120, 2027), ("city", 300, 2027), ("city", 1000, 2027)] + [
    (profile, None, seed) for profile in ["tokushima", "nagasaki", "shizuoka", "fukuoka-minami", "takamatsu"]
    for seed in (2, 3)]


def program_values(instance_path, plan_path):
    """The weighted value of each of the four programs in a plan (SPEC section 5)."""
    weights = dict(DEFAULT_WEIGHTS)
    weights.update(json.load(open(instance_path)).get("weights", {}))
    terms = json.load(open(plan_path))["objective"]["terms"]
    return {p: sum(weights[t] * terms.get(t, 0) for t in ts) for p, ts in PROGRAM_TERMS.items()}


def compare_instances(rinban, tmp, limit_to):
    """(name, path, clinics) of the bundled months and the generated networks."""
    found = [(os.path.basename(p)[:-5], p) for p in bundled()]
    for profile, clinics, seed in COMPARE_GENERATED:
        name = f"{profile}-{clinics or 'own'}-seed{seed}"
        path = os.path.join(tmp, name + ".json")
        cmd = [rinban, "generate", "--profile", profile, "--seed", str(seed), "-o", path]
        if clinics:
            cmd += ["--clinics", str(clinics)]
        run(cmd, check=False)
        if os.path.exists(path):
            found.append((name, path))
    if limit_to:
        found = [f for f in found if any(k in f[0] for k in limit_to)]
    return [(name, path, len(json.load(open(path)).get("clinics", []))) for name, path in found]


def peer_json(python, args):
    done = run([python, os.path.join(HERE, "peer-compare.py"), "--json"] + args, check=False)
    rows = [json.loads(line) for line in done.stdout.splitlines() if line.startswith("{")]
    return rows


COMPARE_RESULTS = os.path.join(HERE, "results", "compare.json")
PROGRAMS = ["rota", "stations", "beds", "deputies"]


def code_commit():
    """The commit measured: the last one that changed anything but the results (so that
    committing results between two sittings of one run does not end it), and whether
    anything but the results differs from it."""
    commit = first_line(["git", "log", "-1", "--format=%h", "--", ".", ":!benchmarks/README.md", ":!benchmarks/results"])
    dirty = run(["git", "status", "--porcelain", "--untracked-files=no", "--", ".", ":!benchmarks/README.md",
                 ":!benchmarks/results"], check=False).stdout.strip()
    return commit + ("+local changes" if dirty else "")


PEER_KEYS = ["peers." + p for p in ["rota", "stations", "beds", "deputies"]] + ["highs1", "cpsat1", "highsLong"]


def model_of(key):
    """The program whose exported model a peer result belongs to."""
    return key.split(".", 1)[1] if key.startswith("peers.") else "rota"


def load_compare(commit, limit, long_limit, fresh):
    """The raw results of an earlier compare run of the same code and limits (the run goes on
    where it stopped), or a new record. A new record keeps the earlier run's peer results
    as `reusable`: the peers see only the exported model, so a result is used again when
    the new code exports a byte-identical model (same SHA-256) and the limits are the same."""
    old = None
    if os.path.exists(COMPARE_RESULTS):
        try:
            old = json.load(open(COMPARE_RESULTS))
        except (OSError, ValueError):
            old = None
    same_limits = old is not None and (old.get("limit"), old.get("longLimit")) == (limit, long_limit)
    if not fresh and same_limits and old.get("commit") == commit and "+" not in commit:
        return old
    state = {"commit": commit, "limit": limit, "longLimit": long_limit, "machine": list(host_facts()),
             "instances": {}, "reusable": {}}
    if not fresh and same_limits:
        for name, entry in old.get("instances", {}).items():
            for key in PEER_KEYS:
                value, sha = entry.get(key), (entry.get("models") or {}).get(model_of(key))
                if value and sha and "failed" not in value:
                    origin = value.get("measuredAt", old.get("commit"))
                    state["reusable"].setdefault(name, {})[key] = dict(value, sha256=sha, measuredAt=origin)
    return state


def sha256(path):
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def reuse(state, name, key, sha):
    """An earlier run's peer result for the byte-identical model, or None."""
    value = state.get("reusable", {}).get(name, {}).get(key)
    if value and value.get("sha256") == sha:
        return {k: v for k, v in value.items() if k != "sha256"}
    return None


def save_compare(state):
    os.makedirs(os.path.dirname(COMPARE_RESULTS), exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=os.path.dirname(COMPARE_RESULTS), prefix=".compare.", suffix=".tmp")
    with os.fdopen(fd, "w") as f:
        json.dump(state, f, indent=1, sort_keys=True)
        f.write("\n")
    os.replace(tmp, COMPARE_RESULTS)


def export_program(rinban, path, program, mps, tmp):
    run([rinban, "plan", path, "-o", os.path.join(tmp, os.path.basename(mps) + ".plan.json"), "--only", program,
         "--engine", "greedy", "--quiet", "--export-model", mps], check=False)
    return os.path.exists(mps)


def plan_once(rinban, path, plan, limit):
    """rinban plan at the limit (auto, two threads) under /usr/bin/time: the plan's
    record for the comparison, or None when it failed."""
    timed = ["/usr/bin/time", "-f", "RSS %M"] if os.path.exists("/usr/bin/time") else []
    done = run(timed + [rinban, "plan", path, "-o", plan, "--time-limit", str(limit), "--quiet"], check=False)
    if done.returncode not in (0, 3) or not os.path.exists(plan):
        return {"failed": f"plan failed (status {done.returncode})"}
    score = run([rinban, "score", path, plan], check=False)
    document = json.load(open(plan))
    rss = re.search(r"^RSS (\d+)", done.stderr, re.M)
    return {"total": document["objective"]["total"], "bound": document["solver"].get("bound"),
            "gap": document["solver"].get("gap"), "status": document["solver"].get("status"),
            "programs": program_values(path, plan), "scored": score.returncode in (0, 3),
            "rssMB": int(rss.group(1)) / 1024 if rss else None}


def one_thread_jobs(state, instances):
    """The rota solves with one thread that are still missing: (seconds, name, key, args)."""
    jobs = []
    for name, _, clinics in instances:
        entry = state["instances"].get(name, {})
        if "rotaModel" not in entry:
            continue
        for key, solver, limit in [("highs1", "highs", state["limit"]), ("cpsat1", "cpsat", state["limit"])] + (
                [("highsLong", "highs", state["longLimit"])] if 40 <= clinics <= 90 else []):
            if key not in entry:
                jobs.append((limit, name, key, ["--solver", solver, "--threads", "1", str(limit)]))
    return sorted(jobs, key=lambda j: -j[0])


def compare(limit, long_limit, limit_to, fresh=False, publish=lambda lines: None):
    """Issue 15's comparison. The raw results go to benchmarks/results/compare.json after
    every solve, so a run that is stopped goes on where it stopped when started again with
    the same code and limits (--fresh starts over). Every solve with two threads (the plan
    and each program's peers) runs alone; the rota's one-thread solves run two at a time,
    one per core, afterwards."""
    python, rinban, _ = peer_tools()
    if python and run([python, "-c", "import ortools"], check=False).returncode != 0:
        run([python, "-m", "pip", "install", "--quiet", "ortools"], check=False)
    state = load_compare(code_commit(), limit, long_limit, fresh)
    lock = __import__("threading").Lock()

    def record(name, key, value):
        with lock:
            state["instances"].setdefault(name, {})[key] = value
            save_compare(state)
            publish(compare_table(state, names))

    with tempfile.TemporaryDirectory() as tmp:
        instances = compare_instances(rinban, tmp, limit_to)
        names = [name for name, _, _ in instances]
        for name, path, clinics in instances:
            entry = state["instances"].setdefault(name, {})
            entry["clinics"] = clinics
            if "plan" not in entry:
                record(name, "plan", plan_once(rinban, path, os.path.join(tmp, name + ".plan.json"), limit))
            for program in PROGRAMS:
                key = "peers." + program
                if key in entry:
                    continue
                mps = os.path.join(tmp, f"{name}.{program}.mps")
                if not python or not export_program(rinban, path, program, mps, tmp):
                    record(name, key, {"failed": "no model" if python else "no HiGHS"})
                    continue
                sha = sha256(mps)
                record(name, "models", dict(entry.get("models") or {}, **{program: sha}))
                if program == "rota":
                    record(name, "rotaModel", dict(zip(["columns", "rows"], mps_size(mps))))
                earlier = reuse(state, name, key, sha)
                if earlier is None:
                    rows = peer_json(python, ["--solver", "all", "--threads", "2", str(limit), mps])
                    earlier = {r["solver"].split()[0]: {k: r[k] for k in ("objective", "status", "seconds")}
                               for r in rows}
                record(name, key, earlier)
                os.remove(mps)
            # One-thread rota solves of an identical rota model measured before.
            for key in ["highs1", "cpsat1", "highsLong"]:
                earlier = reuse(state, name, key, (entry.get("models") or {}).get("rota"))
                if key not in entry and earlier is not None:
                    record(name, key, earlier)
        jobs = one_thread_jobs(state, instances) if python else []
        paths = {name: path for name, path, _ in instances}
        models = {}
        for name in sorted({job[1] for job in jobs}):
            mps = os.path.join(tmp, f"{name}.rota.mps")
            if export_program(rinban, paths[name], "rota", mps, tmp):
                models[name] = mps

        def solve(job):
            _, name, key, args = job
            if name in models:
                rows = peer_json(python, args + [models[name]])
                record(name, key, {k: rows[0][k] for k in ("objective", "status", "seconds")} if rows
                       else {"failed": "no answer"})

        from concurrent.futures import ThreadPoolExecutor
        with ThreadPoolExecutor(max_workers=2) as pool:
            list(pool.map(solve, jobs))
        lines = compare_table(state, names)
    failed = any("failed" in e.get("plan", {}) or not e.get("plan", {}).get("scored", True)
                 for n, e in state["instances"].items() if n in names)
    return lines, failed


def compare_table(state, names):
    limit, long_limit = state["limit"], state["longLimit"]
    fmt = lambda v: "…" if v is None else f"{v:,.2f}"
    lines = [f"### Against HiGHS and CP-SAT: every program, bundled and fresh months, {limit} s", "",
             f"`rinban plan INSTANCE --time-limit {limit}` (engine auto, two threads) against the best of HiGHS and "
             f"CP-SAT given each of the four programs exported with `--only P --engine greedy --export-model` "
             f"(cold, {limit} s, two threads each, every one of these solves alone on the machine). CP-SAT's "
             "objective is that of its integer answer with the continuous variables re-optimised by HiGHS (see "
             "peer-compare.py). *peers* is the sum over the programs of the better peer; a program no peer "
             "answered counts rinban's own value there. Each cell of a program is *rinban · HiGHS · CP-SAT*. "
             f"*rota, 1 thread* is HiGHS · CP-SAT with one thread; *HiGHS {long_limit} s* is the rota alone, "
             "one thread, for the 40–90-clinic months; these one-thread solves ran two at a time, one per core. "
             "*RSS* is the plan's peak resident memory (`/usr/bin/time`). The months are the bundled ones, "
             "`city` networks of 60, 120, 300 and 1,000 clinics (seed 2027) and seeds 2 and 3 of every other "
             f"profile. Code: commit {state['commit']}; raw results in `benchmarks/results/compare.json`. "
             "A peer solve of a model byte-identical (SHA-256) to one an earlier run on this machine exported, "
             "at the same limits, is taken from that run (its commit is `measuredAt` in the raw results). "
             "… marks a solve not yet made, – a solver that returned no answer.", "",
             "| instance | clinics | rinban total | bound (gap) | peers | rinban ≤ peers | rota | stations | beds "
             f"| deputies | rota, 1 thread | HiGHS {long_limit} s | RSS |",
             "|---|---:|---:|---:|---:|---|---|---|---|---|---|---|---:|"]
    for name in names:
        e = state["instances"].get(name)
        if e is None:
            continue
        plan = e.get("plan", {})
        if "failed" in plan:
            lines.append(f"| {name} | {e.get('clinics', '')} | {plan['failed']} |" + " |" * 10)
            continue
        own = plan.get("programs", {})
        cells, peers_total, complete = {}, 0.0, True
        for program in PROGRAMS:
            peers = e.get("peers." + program)
            mine = own.get(program)
            if peers is None:
                complete = False
                cells[program] = f"{fmt(mine)} · … · …"
                continue
            h = (peers.get("HiGHS") or {}).get("objective")
            c = (peers.get("CP-SAT") or {}).get("objective")
            best = min([v for v in (h, c) if v is not None], default=None)
            peers_total += best if best is not None else (mine or 0)
            answer = lambda v: "–" if v is None else fmt(v)
            cells[program] = f"{fmt(mine)} · {answer(h)} · {answer(c)}" if "failed" not in peers \
                else f"{fmt(mine)} · {peers['failed']}"
        total = plan.get("total")
        if total is None:
            verdict, peers_text = "…", "…"
        elif complete:
            verdict = "yes" if total <= peers_total + 1e-6 * max(1, peers_total) else "**no**"
            peers_text = fmt(peers_total)
        else:
            verdict, peers_text = "…", "…"
        if plan and not plan.get("scored", True):
            verdict += " (**rejected by rinban score**)"
        gap = "–" if plan.get("gap") is None else f"{100 * plan['gap']:.1f} %"
        value = lambda key: ("–" if e[key].get("objective") is None else fmt(e[key]["objective"])) if key in e else "…"
        long_cell = value("highsLong") if 40 <= e.get("clinics", 0) <= 90 else "–"
        rss = "…" if plan.get("rssMB") is None else f"{plan['rssMB']:.0f} MB"
        lines.append(f"| {name} | {e.get('clinics', '')} | {fmt(total)} | {fmt(plan.get('bound'))} ({gap}) "
                     f"| {peers_text} | {verdict} | {cells['rota']} | {cells['stations']} | {cells['beds']} "
                     f"| {cells['deputies']} | {value('highs1')} · {value('cpsat1')} | {long_cell} | {rss} |")
    return lines + [""]


# MARK: README

def current_parts():
    text = open(README).read()
    if BEGIN not in text or END not in text:
        return text, {}
    inside = text.split(BEGIN, 1)[1].split(END, 1)[0]
    parts, name = {}, None
    for line in inside.splitlines():
        m = re.match(r"<!-- part:(\w+) -->", line)
        if m:
            name = m.group(1)
            parts[name] = []
        elif name:
            parts[name].append(line)
    return text, {k: "\n".join(v).strip("\n") for k, v in parts.items()}


def write_readme(parts):
    text, _ = current_parts()
    body = "\n\n".join(f"<!-- part:{name} -->\n{parts[name]}" for name in PARTS if name in parts)
    section = f"{BEGIN}\n{body}\n{END}"
    if BEGIN in text and END in text:
        text = text.split(BEGIN, 1)[0] + section + text.split(END, 1)[1]
    else:
        text = text.rstrip("\n") + "\n\n## Results\n\n" + section + "\n"
    fd, tmp = tempfile.mkstemp(dir=HERE, prefix=".README.", suffix=".tmp")
    with os.fdopen(fd, "w") as f:
        f.write(text)
    os.replace(tmp, README)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--time-limit", type=float, default=60, help="seconds per plan and per peer solve (60)")
    parser.add_argument("--only", action="append", choices=PARTS, help="run only this part (repeatable)")
    parser.add_argument("--stdout", action="store_true", help="print the section instead of writing README.md")
    parser.add_argument("--long-limit", type=float, default=300, help="HiGHS's longer limit on 40–90-clinic rotas (300)")
    parser.add_argument("--compare-instances", action="append", help="compare: only instances whose name contains this")
    parser.add_argument("--fresh", action="store_true",
                        help="compare: start over instead of going on from benchmarks/results/compare.json")
    args = parser.parse_args()
    wanted = args.only or PARTS
    limit = int(args.time_limit) if args.time_limit == int(args.time_limit) else args.time_limit
    _, parts = current_parts()
    failed = False
    parts["machine"] = machine()

    def publish(lines):
        """A long part's table so far, written as each of its solves ends."""
        if not args.stdout:
            parts["compare"] = "\n".join(lines).strip("\n")
            write_readme(parts)
    for part in wanted:
        if part == "machine":
            continue
        lines, bad = {"suite": suite, "plans": lambda: plans(limit), "peer": lambda: peer(limit),
                      "deputies": lambda: deputies(limit),
                      "compare": lambda: compare(limit, int(args.long_limit), args.compare_instances, args.fresh,
                                                 publish)}[part]()
        parts[part] = "\n".join(lines).strip("\n")
        failed |= bad
    if args.stdout:
        print("\n\n".join(parts[p] for p in PARTS if p in parts))
    else:
        write_readme(parts)
        print(f"wrote {os.path.relpath(README)}", file=sys.stderr)
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
