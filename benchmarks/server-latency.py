#!/usr/bin/env python3
"""Page and API latency of the web server (`rinban serve`) on one month.

    benchmarks/server-latency.py --server .build/release/rinban-server
    benchmarks/server-latency.py --duration 5 --phases rest     # a quick look, no plan
    benchmarks/server-latency.py --write                         # also rewrite benchmarks/README.md

Starts the server binary on a fresh temporary data folder and a free loopback port, uploads
the instance (default: the 300-clinic city), plans it with the greedy engine, publishes the
draft and takes the first member's calendar link. Then it loads each route separately for a
fixed time with a closed loop of concurrent keep-alive connections (default 50 for 15 s):

  rest  the server does nothing else
  plan  while a run of the same month plans on the same machine (default `auto`, 60 s):
        one fresh run per route; the load starts --warmup seconds after the run started and
        must end while the run is still running; afterwards the run must end as "done"

The load generator is `wrk --latency` when it is on PATH (Debian: `apt-get install wrk`),
otherwise a Python one (processes of threads, one http.client keep-alive connection each;
force it with --generator python). Latency is from sending a request to reading the whole
response, as the generator sees it; p50 and p99 are over every completed request.

Any failed request counts: a status other than 2xx (wrk itself only counts >= 400; the
script first fetches every route once and requires 200), a socket error, or a request that
took longer than --timeout. The script exits 1 when there was any failure, a setup step went
wrong, or a plan run did not stay running through its measurement and end as "done".

Routes are URL paths with the placeholders {id} (the month) and {token} (the first member's
calendar token). A route ending in "?" is optional: it is measured only when it answers 200
at the time of the run, and skipped with a note otherwise (for routes that are being added).

With --write, the part of benchmarks/README.md between `<!-- server-latency:begin -->` and
`<!-- server-latency:end -->` is replaced by the results (machine, settings, table, notes);
everything else in the file stays as it is.
"""
import argparse
import datetime
import http.client
import json
import multiprocessing
import os
import platform
import re
import resource
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
README = os.path.join(HERE, "README.md")
BEGIN, END = "<!-- server-latency:begin -->", "<!-- server-latency:end -->"
DEFAULT_ROUTES = [
    "/months/{id}",
    "/months/{id}/draft.html",
    "/api/months/{id}/draft",
    "/ics/{token}.ics",
    "/api/months/{id}/draft/view?",
]
CLK_TCK = os.sysconf("SC_CLK_TCK")
# Every request is the office's: an API token made with `rinban-server users` on the fresh data folder.
AUTH = {}


def log(message):
    print(message, file=sys.stderr, flush=True)


# MARK: machine

def first_line(cmd):
    env = dict(os.environ)
    if os.path.isdir("/opt/swift/usr/bin"):
        env["PATH"] = "/opt/swift/usr/bin:" + env.get("PATH", "")
    try:
        done = subprocess.run(cmd, cwd=ROOT, env=env, text=True, capture_output=True)
        return (done.stdout or done.stderr).strip().splitlines()[0]
    except (OSError, IndexError):
        return "unknown"


def machine():
    sys.path.insert(0, HERE)
    from report import host_facts  # one description of the machine for every benchmark
    cpu, memory, osname = host_facts()
    commit = first_line(["git", "rev-parse", "--short", "HEAD"])
    dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no", "--", "Sources", "Package.swift"],
                           cwd=ROOT, text=True, capture_output=True).stdout.strip()
    return {
        "cpu": cpu, "cpus": os.cpu_count(), "memory": f"{memory:.1f} GiB",
        "os": f"{osname}; {platform.system()} {platform.release()} {platform.machine()}",
        "swift": first_line(["swift", "--version"]),
        "commit": commit + (" (Sources/ with uncommitted changes)" if dirty else ""),
        "when": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
    }


# MARK: server

def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    def __init__(self, binary, port):
        self.port = port
        self.data = tempfile.mkdtemp(prefix="rinban-latency-")
        self.log = open(os.path.join(self.data, "server.log"), "w+")
        db = os.path.join(self.data, "db")
        subprocess.run([binary, "users", "add", "bench-office", "--role", "office", "--data", db], check=True, capture_output=True)
        token = subprocess.run([binary, "users", "token", "bench-office", "--data", db], check=True, capture_output=True, text=True)
        AUTH["Authorization"] = "Bearer " + token.stdout.strip()
        self.process = subprocess.Popen([binary, "serve", "--data", db, "--host", "127.0.0.1",
                                         "--port", str(port)], stdout=self.log, stderr=subprocess.STDOUT)
        deadline = time.time() + 60
        while True:
            if self.process.poll() is not None:
                raise RuntimeError(f"the server exited with {self.process.returncode}:\n{self.output()}")
            try:
                status, body, _ = request("GET", port, "/healthz", timeout=2)
                if status == 200 and body.strip() == b"ok":
                    break
            except OSError:
                pass
            if time.time() > deadline:
                raise RuntimeError("the server did not answer /healthz within 60 s:\n" + self.output())
            time.sleep(0.1)

    def output(self):
        self.log.flush()
        self.log.seek(0)
        return self.log.read()[-4000:]

    def thread_cpu(self):
        """{thread id: CPU seconds} of the server's threads."""
        seconds = {}
        root = f"/proc/{self.process.pid}/task"
        for tid in os.listdir(root) if os.path.isdir(root) else []:
            try:
                fields = open(f"{root}/{tid}/stat").read().rsplit(")", 1)[1].split()
                seconds[int(tid)] = (int(fields[11]) + int(fields[12])) / CLK_TCK
            except (OSError, IndexError):
                pass
        return seconds

    def rss_mb(self):
        try:
            for line in open(f"/proc/{self.process.pid}/status"):
                if line.startswith("VmHWM"):
                    return int(line.split()[1]) / 1024
        except OSError:
            pass
        return 0.0

    def stop(self):
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                log("the server did not stop within 30 s of SIGINT; killing it")
                self.process.kill()
                self.process.wait()
        code = self.process.returncode
        self.log.close()
        shutil.rmtree(self.data, ignore_errors=True)
        return code


def request(method, port, path, body=None, content_type="application/json", timeout=120):
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        headers = dict(AUTH, **({"Content-Type": content_type} if body is not None else {}))
        connection.request(method, path, body=body, headers=headers)
        response = connection.getresponse()
        return response.status, response.read(), dict(response.getheaders())
    finally:
        connection.close()


def api(method, port, path, body=None, expect=(200,)):
    data = None if body is None else (body if isinstance(body, bytes) else json.dumps(body).encode())
    started = time.monotonic()
    status, text, _ = request(method, port, path, body=data)
    seconds = time.monotonic() - started
    if status not in expect:
        raise RuntimeError(f"{method} {path} answered {status}: {text[:500]!r}")
    return json.loads(text) if text else None, seconds


def wait_for_run(port, run, timeout):
    deadline = time.time() + timeout
    while True:
        state, _ = api("GET", port, f"/api/runs/{run}")
        if state["state"] != "running":
            return state
        if time.time() > deadline:
            raise RuntimeError(f"run {run} still running after {timeout:.0f} s")
        time.sleep(0.25)


# MARK: load generators

UNITS = {"us": 1e-3, "ms": 1.0, "s": 1e3, "m": 60e3, "h": 3600e3}


def parse_duration_ms(text):
    m = re.fullmatch(r"([\d.]+)(us|ms|s|m|h)", text.strip())
    if not m:
        raise ValueError(f"cannot read the duration {text!r}")
    return float(m.group(1)) * UNITS[m.group(2)]


def run_wrk(url, args):
    cmd = ["wrk", "-t", str(args.threads), "-c", str(args.connections), "-d", f"{args.duration:g}s",
           "--timeout", f"{args.timeout:g}s", "--latency"] + [f for k, v in AUTH.items() for f in ("-H", f"{k}: {v}")] + [url]
    done = subprocess.run(cmd, text=True, capture_output=True)
    out = done.stdout
    if done.returncode != 0 or "requests in" not in out:
        raise RuntimeError(f"wrk failed ({done.returncode}):\n{out}\n{done.stderr}")
    result = {"raw": out}
    m = re.search(r"(\d+) requests in ([\d.]+)(\w+),", out)
    result["requests"] = int(m.group(1))
    result["seconds"] = parse_duration_ms(m.group(2) + m.group(3)) / 1000
    for pct in ("50", "99"):
        m = re.search(rf"^\s+{pct}%\s+(\S+)\s*$", out, re.M)
        result["p" + pct] = parse_duration_ms(m.group(1)) if m else None
    m = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
    socket_errors = dict(zip(("connect", "read", "write", "timeout"), map(int, m.groups()))) if m else {}
    m = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    result["bad_status"] = int(m.group(1)) if m else 0
    result["socket_errors"] = {k: v for k, v in socket_errors.items() if v}
    result["failures"] = result["bad_status"] + sum(socket_errors.values())
    # "requests" are the completed responses, whatever their status; socket errors never complete.
    result["ok"] = result["requests"] - result["bad_status"]
    return result


def _python_worker(port, path, threads, duration, timeout, queue, auth):
    latencies, failures, lock = [], {}, threading.Lock()
    deadline = time.monotonic() + duration

    def one():
        mine, errors = [], {}
        connection = None
        while time.monotonic() < deadline:
            if connection is None:
                connection = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
            started = time.monotonic()
            try:
                connection.request("GET", path, headers=auth)
                response = connection.getresponse()
                response.read()
                elapsed = (time.monotonic() - started) * 1000
                if 200 <= response.status < 300:
                    mine.append(elapsed)
                else:
                    errors[f"status {response.status}"] = errors.get(f"status {response.status}", 0) + 1
                if response.will_close:
                    connection.close()
                    connection = None
            except socket.timeout:
                errors["timeout"] = errors.get("timeout", 0) + 1
                connection.close()
                connection = None
            except (OSError, http.client.HTTPException) as error:
                key = type(error).__name__
                errors[key] = errors.get(key, 0) + 1
                connection.close()
                connection = None
        if connection is not None:
            connection.close()
        with lock:
            latencies.extend(mine)
            for key, value in errors.items():
                failures[key] = failures.get(key, 0) + value

    workers = [threading.Thread(target=one) for _ in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    queue.put((latencies, failures))


def run_python(port, path, args):
    processes = max(1, min(args.connections, args.threads))
    per = [args.connections // processes + (1 if i < args.connections % processes else 0) for i in range(processes)]
    queue = multiprocessing.Queue()
    started = time.monotonic()
    workers = [multiprocessing.Process(target=_python_worker, args=(port, path, n, args.duration, args.timeout, queue, dict(AUTH)))
               for n in per]
    for worker in workers:
        worker.start()
    latencies, failures = [], {}
    for _ in workers:
        mine, errors = queue.get()
        latencies.extend(mine)
        for key, value in errors.items():
            failures[key] = failures.get(key, 0) + value
    for worker in workers:
        worker.join()
    seconds = time.monotonic() - started
    latencies.sort()

    def pct(p):
        if not latencies:
            return None
        return latencies[min(len(latencies) - 1, max(0, int(round(p / 100 * len(latencies) + 0.5)) - 1))]

    bad_status = sum(v for k, v in failures.items() if k.startswith("status"))
    return {"requests": len(latencies) + sum(failures.values()), "ok": len(latencies), "seconds": seconds,
            "p50": pct(50), "p99": pct(99), "bad_status": bad_status,
            "socket_errors": {k: v for k, v in failures.items() if not k.startswith("status")},
            "failures": sum(failures.values()), "raw": ""}


def busy_seconds():
    """CPU seconds the whole machine has been busy (all CPUs, /proc/stat)."""
    fields = [int(x) for x in open("/proc/stat").readline().split()[1:]]
    idle = fields[3] + (fields[4] if len(fields) > 4 else 0)
    return (sum(fields[:8]) - idle) / CLK_TCK


def measure(server, path, args, plan_threads_after=None):
    """Loads one path. With plan_threads_after (the server's thread ids just before a run was
    started), CPU of threads created since then is the plan's, the rest is serving."""
    before_cpu, before_children = server.thread_cpu(), resource.getrusage(resource.RUSAGE_CHILDREN)
    before_busy = busy_seconds()
    started = time.monotonic()
    if args.generator == "wrk":
        result = run_wrk(f"http://127.0.0.1:{server.port}{path}", args)
    else:
        result = run_python(server.port, path, args)
    wall = time.monotonic() - started
    after_children = resource.getrusage(resource.RUSAGE_CHILDREN)
    after_cpu = server.thread_cpu()
    busy = (busy_seconds() - before_busy) / wall
    used = {tid: seconds - before_cpu.get(tid, 0.0) for tid, seconds in after_cpu.items()}
    if plan_threads_after is None:
        result["server_cpu"], result["plan_cpu"] = sum(used.values()) / wall, None
    else:
        result["server_cpu"] = sum(v for tid, v in used.items() if tid in plan_threads_after) / wall
        result["plan_cpu"] = sum(v for tid, v in used.items() if tid not in plan_threads_after) / wall
    result["generator_cpu"] = ((after_children.ru_utime + after_children.ru_stime)
                               - (before_children.ru_utime + before_children.ru_stime)) / wall
    # Whatever else ran on the machine meanwhile (another build would spoil the numbers).
    result["other_cpu"] = max(0.0, busy - result["server_cpu"] - (result["plan_cpu"] or 0) - result["generator_cpu"])
    result["rate"] = result["ok"] / result["seconds"] if result["seconds"] else 0.0
    return result


# MARK: the benchmark

def setup(server, args, notes):
    port = server.port
    with open(args.instance, "rb") as f:
        instance = f.read()
    created, seconds = api("POST", port, "/api/months?name=" + urllib.parse.quote(os.path.basename(args.instance)),
                           instance, expect=(201,))
    month = created["id"]
    notes.append(f"upload of {os.path.basename(args.instance)} ({len(instance):,} bytes): {seconds:.2f} s")
    started, _ = api("POST", port, f"/api/months/{month}/runs", {"engine": "greedy", "timeLimit": 5}, expect=(202,))
    run = wait_for_run(port, started["id"], 120)
    if run["state"] != "done":
        raise RuntimeError(f"the greedy run ended {run['state']}: {run.get('message')}")
    notes.append(f"greedy run (the draft the rest phase reads): objective {run.get('incumbent') or 0:.2f}, "
                 f"{run.get('seconds', 0):.1f} s")
    _, seconds = api("POST", port, f"/api/months/{month}/publish", {"note": "bench"}, expect=(201,))
    notes.append(f"publish: {seconds:.2f} s")
    members, seconds = api("GET", port, f"/api/months/{month}/members")
    notes.append(f"`GET /api/months/{{id}}/members` ({len(members)} members, first call, makes every member's "
                 f"calendar token): {seconds:.2f} s")
    _, seconds = api("GET", port, f"/api/months/{month}/members")
    notes.append(f"`GET /api/months/{{id}}/members` again: {seconds:.2f} s")
    token_path = urllib.parse.urlparse(members[0]["icsUrl"]).path
    token = re.fullmatch(r"/ics/(.+)\.ics", token_path).group(1)
    return month, token


def resolve_routes(server, month, token, args, notes):
    routes = []
    for template in args.routes:
        optional = template.endswith("?")
        template = template.rstrip("?")
        path = template.replace("{id}", str(month)).replace("{token}", token)
        started = time.monotonic()
        status, body, headers = request("GET", server.port, path)
        seconds = time.monotonic() - started
        if status != 200:
            if optional:
                notes.append(f"`GET {template}` answered {status} when this was run: not measured")
                log(f"skipping {template}: {status}")
                continue
            raise RuntimeError(f"GET {path} answered {status}: {body[:300]!r}")
        routes.append({"template": template, "path": path, "bytes": len(body), "single": seconds,
                       "type": headers.get("Content-Type", headers.get("content-type", "")).split(";")[0]})
    return routes


def phase_rest(server, routes, args):
    rows = []
    for route in routes:
        log(f"rest: {route['template']} for {args.duration:g} s")
        rows.append(dict(route=route, phase="rest", **measure(server, route["path"], args)))
        time.sleep(1)
    return rows


def phase_plan(server, month, routes, args, notes, problems):
    rows = []
    port = server.port
    for route in routes:
        threads_before = set(server.thread_cpu())
        started, _ = api("POST", port, f"/api/months/{month}/runs",
                         {"engine": args.plan_engine, "timeLimit": args.plan_seconds}, expect=(202,))
        run_id, run_started = started["id"], time.monotonic()
        time.sleep(args.warmup)
        log(f"plan (run {run_id}): {route['template']} for {args.duration:g} s")
        result = measure(server, route["path"], args, plan_threads_after=threads_before)
        measured_until = time.monotonic() - run_started
        state, _ = api("GET", port, f"/api/runs/{run_id}")
        if state["state"] != "running":
            problems.append(f"run {run_id} was already {state['state']} when the load on {route['template']} ended "
                            f"({measured_until:.1f} s after it started)")
        final = wait_for_run(port, run_id, args.plan_seconds * 3 + 120)
        if final["state"] != "done":
            problems.append(f"run {run_id} ended {final['state']}: {final.get('message')}")
        result["run"] = {"id": run_id, "state": final["state"], "seconds": final.get("seconds"),
                         "incumbent": final.get("incumbent"), "window": (args.warmup, measured_until)}
        rows.append(dict(route=route, phase=f"plan ({args.plan_engine} {args.plan_seconds:g} s)", **result))
        time.sleep(1)
    return rows


# MARK: output

def ms(value):
    if value is None:
        return "–"
    if value >= 1000:
        return f"{value / 1000:.2f} s"
    if value >= 100:
        return f"{value:.0f} ms"
    if value >= 10:
        return f"{value:.1f} ms"
    return f"{value:.2f} ms"


def percent(share):
    return "–" if share is None else f"{share * 100:.0f} %"


def failures_text(row):
    if not row["failures"]:
        return "0"
    parts = []
    if row["bad_status"]:
        parts.append(f"{row['bad_status']} non-2xx")
    parts += [f"{v} {k}" for k, v in row["socket_errors"].items()]
    return f"**{row['failures']}** ({', '.join(parts)})"


def table(rows):
    lines = ["| route | phase | response | requests | req/s | p50 | p99 | failures | CPU: serving · plan · load generator |",
             "|---|---|---:|---:|---:|---:|---:|---:|---|"]
    for row in sorted(rows, key=lambda r: [x["template"] for x in ROUTE_ORDER].index(r["route"]["template"])):
        route = row["route"]
        size = f"{route['bytes'] / 1024:,.1f} kB" if route["bytes"] >= 1024 else f"{route['bytes']} B"
        lines.append(f"| `GET {route['template']}` | {row['phase']} | {size} | {row['requests']:,} | {row['rate']:,.1f} | "
                     f"{ms(row['p50'])} | {ms(row['p99'])} | {failures_text(row)} | "
                     f"{percent(row['server_cpu'])} · {percent(row['plan_cpu'])} · {percent(row['generator_cpu'])} |")
    return "\n".join(lines)


ROUTE_ORDER = []


def section(info, args, rows, notes, problems, generator_version, peak_rss):
    plan_rows = [r for r in rows if "run" in r]
    text = [
        f"Measured {info['when']} with `benchmarks/server-latency.py` on rinban {info['commit']}.",
        "",
        f"* Machine: {info['cpus']} logical CPUs ({info['cpu']}), {info['memory']} memory, {info['os']}",
        f"* {info['swift']}, `rinban-server` built with `swift build -c release`",
        f"* Instance `{os.path.relpath(args.instance, ROOT)}`; load generator {generator_version}, "
        f"{args.connections} concurrent keep-alive connections ("
        f"{f'{args.threads} threads' if args.generator == 'wrk' else f'{args.threads} processes of threads'}), {args.duration:g} s per route and phase, "
        f"request timeout {args.timeout:g} s",
        "* The server, the load generator and (in the plan phase) GLPK share the same "
        f"{info['cpus']} CPUs. *CPU* is how much of one CPU each used during the load (so {info['cpus'] * 100} % is "
        "the whole machine): *serving* is the server process without the plan, *plan* the server's threads "
        "created after the run was started (the run's thread and its helpers), *load generator* the "
        f"{'wrk process' if args.generator == 'wrk' else 'Python processes'}.",
        "",
        table(rows),
        "",
        "*requests* is how many requests completed in the time, *req/s* the successful ones per second; p50 and p99 are over every "
        "completed request (send to last byte of the response). *response* is the size of one response body.",
    ]
    if plan_rows:
        windows = ", ".join(f"run {r['run']['id']}: {r['run']['state']} in {r['run']['seconds']:.1f} s, "
                            f"load {r['run']['window'][0]:.0f}–{r['run']['window'][1]:.1f} s"
                            for r in plan_rows)
        text += ["", f"Plan phase: a fresh `POST /api/months/{{id}}/runs` "
                     f"`{{\"engine\":\"{args.plan_engine}\",\"timeLimit\":{args.plan_seconds:g}}}` for each route, "
                     f"the load started {args.warmup:g} s after the run and ended while it was still running ({windows})."]
    if rows:
        worst = max(rows, key=lambda r: r["other_cpu"])
        text += ["", f"Other processes on the machine used at most {percent(worst['other_cpu'])} of one CPU during "
                     f"any measurement (the highest: `{worst['route']['template']}`, {worst['phase']})."]
    text += ["", "Setup (single requests, for reference):", ""] + [f"* {n}" for n in notes]
    text += [f"* peak resident memory of the server over the whole script: {peak_rss:.0f} MB"]
    if problems:
        text += ["", "**Problems:**", ""] + [f"* {p}" for p in problems]
    return "\n".join(text)


def write_readme(body):
    text = open(README).read()
    block = f"{BEGIN}\n{body}\n{END}"
    if BEGIN in text and END in text:
        head, rest = text.split(BEGIN, 1)
        _, tail = rest.split(END, 1)
        text = head + block + tail
    else:
        text = text.rstrip("\n") + "\n\n## Server latency (`rinban serve`)\n\n" + block + "\n"
    temporary = README + ".tmp"
    with open(temporary, "w") as f:
        f.write(text)
    os.replace(temporary, README)
    log(f"wrote {os.path.relpath(README, ROOT)}")


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--server", default=os.path.join(ROOT, ".build/release/rinban-server"),
                        help="the rinban-server binary (default: .build/release/rinban-server)")
    parser.add_argument("--instance", default=os.path.join(ROOT, "instances/city-300-2027-09.json"))
    parser.add_argument("--routes", default=",".join(DEFAULT_ROUTES),
                        help="comma-separated paths with {id} and {token}; a trailing ? makes a route optional "
                             "(default: %(default)s)")
    parser.add_argument("--phases", default="rest,plan", help="rest, plan or both (default: %(default)s)")
    parser.add_argument("--duration", type=float, default=15, help="seconds of load per route and phase")
    parser.add_argument("--connections", type=int, default=50, help="concurrent keep-alive connections")
    parser.add_argument("--threads", type=int, default=2, help="wrk threads (or Python processes)")
    parser.add_argument("--timeout", type=float, default=30, help="a request slower than this is a failure")
    parser.add_argument("--plan-engine", default="auto")
    parser.add_argument("--plan-seconds", type=float, default=60, help="timeLimit of the run in the plan phase")
    parser.add_argument("--warmup", type=float, default=3, help="seconds between starting the run and the load")
    parser.add_argument("--generator", choices=["auto", "wrk", "python"], default="auto")
    parser.add_argument("--write", action="store_true", help="replace the results section of benchmarks/README.md")
    args = parser.parse_args()
    args.routes = [r.strip() for r in args.routes.split(",") if r.strip()]
    phases = {p.strip() for p in args.phases.split(",")}
    if not phases <= {"rest", "plan"}:
        parser.error("--phases takes rest, plan or rest,plan")
    if "plan" in phases and args.warmup + args.duration + 3 > args.plan_seconds:
        parser.error("--warmup + --duration must end at least 3 s before --plan-seconds")
    if args.generator == "auto":
        args.generator = "wrk" if shutil.which("wrk") else "python"
    generator_version = (first_line(["wrk", "--version"]).split(" Copyright")[0].strip()
                         if args.generator == "wrk" else f"Python {platform.python_version()} (http.client)")
    if not os.access(args.server, os.X_OK):
        sys.exit(f"no server binary at {args.server}; build it with "
                 "`swift build -c release --product rinban-server` or pass --server")

    info = machine()
    rows, notes, problems = [], [], []
    server = Server(os.path.abspath(args.server), free_port())
    log(f"server pid {server.process.pid} on port {server.port}, data {server.data}")
    try:
        month, token = setup(server, args, notes)
        routes = resolve_routes(server, month, token, args, notes)
        ROUTE_ORDER.extend(routes)
        for route in routes:
            notes.append(f"`GET {route['template']}` once, before the load: {route['single'] * 1000:.0f} ms, "
                         f"{route['bytes']:,} bytes of {route['type']}")
        if "rest" in phases:
            rows += phase_rest(server, routes, args)
        if "plan" in phases:
            rows += phase_plan(server, month, routes, args, notes, problems)
        peak_rss = server.rss_mb()
    except Exception as error:  # noqa: BLE001 – reported, then exit 1
        problems.append(f"{type(error).__name__}: {error}")
        peak_rss = server.rss_mb()
        log(server.output())
    finally:
        code = server.stop()
        if code not in (0, -signal.SIGINT):
            problems.append(f"the server exited with {code} after SIGINT")

    for row in rows:
        if row["failures"]:
            problems.append(f"{row['failures']} failed requests on {row['route']['template']} ({row['phase']})")
        if row.get("raw"):
            log(f"--- {row['route']['template']} ({row['phase']})\n{row['raw'].rstrip()}")
    body = section(info, args, rows, notes, problems, generator_version, peak_rss)
    print(body)
    if args.write:
        write_readme(body)
    if problems:
        log("FAILED:\n" + "\n".join(problems))
        sys.exit(1)


if __name__ == "__main__":
    main()
