#!/usr/bin/env python3
"""Members and leaders at once: availability answers and calendar reads on `rinban serve`.

    benchmarks/server-load.py --server .build-latency/release/rinban-server
    benchmarks/server-load.py --members 30 --leaders 5 --duration 15     # a quick look
    benchmarks/server-load.py --write                                    # also rewrite benchmarks/README.md

Starts the server binary on a fresh temporary data folder and a free loopback port, uploads
the instance (default: the 300-clinic city), plans it with the greedy engine, publishes it
and opens availability collection. Then it signs people in as they would: --members members
open their personal links (made with `POST /api/months/{id}/links`), --leaders leaders of the
instance's blocks (accounts made with `rinban-server users add`, signed in through the form).

For --duration seconds, on one keep-alive connection each:

  members  answer their availability (`POST /api/months/{id}/mine/availability`: one to four
           random days 不可, sometimes a shift 避けたい, a note), then think for a random time
           (uniform, mean --think seconds), and answer again: each answer replaces the last
  leaders  read their blocks' calendar (`GET /api/months/{id}/published/1/view`), look at it
           for a random time (mean --leader-think seconds) and read again, with the cover of a
           slot of their block every fifth read

Afterwards it checks that no write was lost: every member's marks in the office's grid are
exactly their last answer that was answered 200; the collection lists every member who
answered once with their last note; the audit trail holds one `availability.answer` entry
per answer that was answered 200. Any failed request (a status other than 200, a socket
error, a request slower than --timeout) or lost write makes the script exit 1.

With --write, the part of benchmarks/README.md between `<!-- server-load:begin -->` and
`<!-- server-load:end -->` is replaced by the results.
"""
import argparse
import csv
import datetime
import http.client
import importlib.util
import io
import json
import os
import random
import re
import subprocess
import sys
import threading
import time
import urllib.parse

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
BEGIN, END = "<!-- server-load:begin -->", "<!-- server-load:end -->"

# The latency benchmark's server harness, machine facts and README writer.
_spec = importlib.util.spec_from_file_location("server_latency", os.path.join(HERE, "server-latency.py"))
latency = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(latency)
log, api, request = latency.log, latency.api, latency.request


def session_from(headers):
    match = re.search(r"rinban_session=([^;,\s]+)", headers.get("Set-Cookie", headers.get("set-cookie", "")))
    if not match:
        raise RuntimeError(f"no session cookie in {headers}")
    return "rinban_session=" + match.group(1)


def csrf_of(port, cookie, path):
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    connection.request("GET", path, headers={"Cookie": cookie})
    page = connection.getresponse().read().decode()
    connection.close()
    return re.search(r'name="csrf-token" content="([^"]+)"', page).group(1)


def no_auth(method, port, path, body=None, content_type=None):
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    headers = {"Content-Type": content_type} if content_type else {}
    connection.request(method, path, body=body, headers=headers)
    response = connection.getresponse()
    response.read()
    connection.close()
    return response.status, dict(response.getheaders())


class Tally:
    def __init__(self):
        self.lock = threading.Lock()
        self.latencies = []
        self.failures = {}
        self.samples = []

    def add(self, milliseconds=None, failure=None, sample=None):
        with self.lock:
            if failure:
                self.failures[failure] = self.failures.get(failure, 0) + 1
                if sample and len(self.samples) < 3:
                    self.samples.append(sample)
            else:
                self.latencies.append(milliseconds)

    def summary(self, seconds):
        values = sorted(self.latencies)

        def pct(p):
            return values[min(len(values) - 1, int(round(p / 100 * (len(values) - 1))))] if values else None
        return {"ok": len(values), "per_second": len(values) / seconds, "p50": pct(50), "p99": pct(99), "max": values[-1] if values else None,
                "failures": dict(self.failures), "samples": list(self.samples)}


def timed(connection_box, port, method, path, body, headers, tally, timeout):
    """One request on a keep-alive connection; returns the status (None on error)."""
    started = time.monotonic()
    try:
        if connection_box[0] is None:
            connection_box[0] = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
        connection_box[0].request(method, path, body=body, headers=headers)
        response = connection_box[0].getresponse()
        text = response.read()
        elapsed = (time.monotonic() - started) * 1000
        if response.status == 200:
            tally.add(elapsed)
        else:
            tally.add(failure=f"status {response.status}", sample=text[:400].decode("utf-8", "replace"))
        if response.will_close:
            connection_box[0].close()
            connection_box[0] = None
        return response.status
    except Exception as error:  # socket errors and timeouts are failures, never the end of the run
        tally.add(failure=type(error).__name__)
        if connection_box[0] is not None:
            connection_box[0].close()
        connection_box[0] = None
        return None


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--server", default=os.path.join(ROOT, ".build/release/rinban-server"))
    parser.add_argument("--instance", default=os.path.join(ROOT, "instances/city-300-2027-09.json"))
    parser.add_argument("--members", type=int, default=100)
    parser.add_argument("--leaders", type=int, default=20)
    parser.add_argument("--duration", type=float, default=60)
    parser.add_argument("--think", type=float, default=2.0, help="mean seconds a member waits between answers")
    parser.add_argument("--leader-think", type=float, default=1.0, help="mean seconds a leader looks at the calendar between reads")
    parser.add_argument("--timeout", type=float, default=30)
    parser.add_argument("--seed", type=int, default=20261203)
    parser.add_argument("--write", action="store_true")
    args = parser.parse_args()
    rng = random.Random(args.seed)
    info = latency.machine()
    server = latency.Server(args.server, latency.free_port())
    port = server.port
    notes, problems = [], []
    try:
        with open(args.instance, "rb") as f:
            created, seconds = api("POST", port, "/api/months?name=" + urllib.parse.quote(os.path.basename(args.instance)), f.read(),
                                   expect=(201,))
        month = created["id"]
        started, _ = api("POST", port, f"/api/months/{month}/runs", {"engine": "greedy", "timeLimit": 5}, expect=(202,))
        latency.wait_for_run(port, started["id"], 180)
        api("POST", port, f"/api/months/{month}/publish", {"note": "load"}, expect=(201,))
        api("PUT", port, f"/api/months/{month}/collection", {"deadline": "2099-12-31"})
        view, _ = api("GET", port, f"/api/months/{month}/published/1/view")
        dates = [d["date"] for d in view["dates"]]
        instance, _ = api("GET", port, f"/api/months/{month}/instance")
        pinned = {}
        for pin in instance.get("pins", []):
            # The pinned date, and the next one (a whole day away also blocks a night that starts the evening before).
            day = datetime.date.fromisoformat(pin["date"])
            pinned.setdefault(pin["member"], set()).update({day.isoformat(), (day + datetime.timedelta(days=1)).isoformat()})
        shifts = sorted({c["shift"] for c in view["columns"]})

        log("signing people in")
        links, seconds = api("POST", port, f"/api/months/{month}/links", expect=(201,))
        notes.append(f"links for all {len(links)} members of the month made in one request: {seconds:.2f} s")
        members = []
        for link in links[:args.members]:
            status, headers = no_auth("GET", port, urllib.parse.urlparse(link["link"]).path)
            cookie = session_from(headers)
            members.append({"id": link["member"], "headers": {"Cookie": cookie, "X-CSRF-Token": csrf_of(port, cookie, "/me"),
                                                              "Content-Type": "application/json"}})
        blocks = sorted({c for column in view["columns"] for c in column["blocks"]})
        leaders = []
        for i in range(args.leaders):
            block = blocks[i % len(blocks)]
            name = f"leader-{i}"
            out = subprocess.run([args.server, "users", "add", name, "--role", "leader", "--blocks", block, "--data",
                                  os.path.join(server.data, "db")], check=True, capture_output=True, text=True).stdout
            password = out.strip().splitlines()[-1]
            status, headers = no_auth("POST", port, "/login", f"name={name}&password={password}".encode(),
                                      "application/x-www-form-urlencoded")
            cookie = session_from(headers)
            slot = next(((d, c) for d in range(len(dates)) for c, column in enumerate(view["columns"])
                         if block in column["blocks"] and view["cells"][d][c] and view["cells"][d][c]["members"]), None)
            cover = None
            if slot:
                column = view["columns"][slot[1]]
                cover = (f"/api/months/{month}/published/1/cover?duty={column['duty']}&area={column['area']}"
                         f"&date={dates[slot[0]]}&shift={column['shift']}&exclude={view['cells'][slot[0]][slot[1]]['members'][0]}")
            leaders.append({"headers": {"Cookie": cookie}, "cover": cover})
        notes.append(f"{len(members)} members signed in through their links, {len(leaders)} leaders of "
                     f"{min(len(blocks), args.leaders)} blocks through the sign-in form")

        member_tally, leader_tally, cover_tally = Tally(), Tally(), Tally()
        last = {}       # member -> (marks, note) of their last answer answered 200
        answered = {"count": 0}
        lock = threading.Lock()
        deadline = time.monotonic() + args.duration

        def member_loop(member, seed):
            mine = random.Random(seed)
            box = [None]
            while time.monotonic() < deadline:
                # A member does not answer away a duty the office pinned (the page tells them to call).
                free = [d for d in dates if d not in pinned.get(member["id"], set())]
                days = mine.sample(free, mine.randint(1, 4))
                marks = [{"date": d, "kind": "unavailable"} for d in days]
                if shifts and mine.random() < 0.5:
                    other = mine.choice([d for d in dates if d not in days])
                    marks.append({"date": other, "shift": mine.choice(shifts), "kind": "avoid"})
                note = f"answer {mine.randint(0, 10**6)}"
                body = json.dumps({"marks": marks, "note": note}).encode()
                status = timed(box, port, "POST", f"/api/months/{month}/mine/availability", body, member["headers"], member_tally,
                               args.timeout)
                if status == 200:
                    with lock:
                        last[member["id"]] = (marks, note)
                        answered["count"] += 1
                time.sleep(mine.uniform(0, 2 * args.think))

        def leader_loop(leader, seed):
            mine = random.Random(seed)
            box, reads = [None], 0
            while time.monotonic() < deadline:
                reads += 1
                if leader["cover"] and reads % 5 == 0:
                    timed(box, port, "GET", leader["cover"], None, leader["headers"], cover_tally, args.timeout)
                else:
                    timed(box, port, "GET", f"/api/months/{month}/published/1/view", None, leader["headers"], leader_tally, args.timeout)
                time.sleep(mine.uniform(0, 2 * args.leader_think))

        log(f"load: {len(members)} members and {len(leaders)} leaders for {args.duration:g} s")
        cpu_before = sum(server.thread_cpu().values())
        threads = [threading.Thread(target=member_loop, args=(m, rng.random())) for m in members]
        threads += [threading.Thread(target=leader_loop, args=(l, rng.random())) for l in leaders]
        began = time.monotonic()
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        elapsed = time.monotonic() - began
        cpu = sum(server.thread_cpu().values()) - cpu_before

        log("checking for lost writes")
        grid, _ = api("GET", port, f"/api/months/{month}/availability")
        by_member = {}
        for mark in grid["marks"]:
            by_member.setdefault(mark["member"], set()).add((mark["date"], mark.get("shift"), mark["kind"]))
        lost = []
        for member, (marks, _) in last.items():
            expected = {(m["date"], m.get("shift"), m["kind"]) for m in marks}
            if by_member.get(member, set()) != expected:
                lost.append(member)
        collection, _ = api("GET", port, f"/api/months/{month}/collection")
        notes_seen = {a["member"]: a["note"] for a in collection["answered"]}
        wrong_notes = [m for m, (_, note) in last.items() if notes_seen.get(m) != note]
        status, text, _ = request("GET", port, "/api/audit?format=csv")
        rows = list(csv.reader(io.StringIO(text.decode("utf-8-sig"))))
        audit_answers = sum(1 for row in rows[1:] if len(row) > 3 and row[3] == "availability.answer")
        checks = {
            "members whose marks are their last answer": f"{len(last) - len(lost)} of {len(last)}",
            "members listed as answered with their last note": f"{len(last) - len(wrong_notes)} of {len(last)}",
            "audit entries `availability.answer` / answers answered 200": f"{audit_answers} / {answered['count']}",
        }
        if lost:
            problems.append(f"lost writes: the grid of {len(lost)} members is not their last answer ({', '.join(lost[:5])} …)")
        if wrong_notes:
            problems.append(f"{len(wrong_notes)} members' notes are not their last")
        if audit_answers != answered["count"]:
            problems.append(f"{audit_answers} audit entries for {answered['count']} answers")
        results = {"members": member_tally.summary(elapsed), "leaders": leader_tally.summary(elapsed), "cover": cover_tally.summary(elapsed)}
        for name, result in results.items():
            if result["failures"]:
                problems.append(f"{name}: failed requests {result['failures']}; for example: "
                                + " | ".join(sample.replace("\n", " ") for sample in result["samples"]))
        peak = server.rss_mb()
    finally:
        code = server.stop()
    if code not in (0, None):
        problems.append(f"the server stopped with {code}")

    def ms(v):
        return "—" if v is None else (f"{v:.0f} ms" if v >= 10 else f"{v:.1f} ms")
    table = ["| who | requests | ok/s | p50 | p99 | max | failed |", "|---|---:|---:|---:|---:|---:|---:|"]
    labels = {"members": f"{len(members)} members answering (`POST …/mine/availability`)",
              "leaders": f"{len(leaders)} leaders reading (`GET …/published/1/view`)",
              "cover": "the same leaders, every fifth read a cover (`GET …/published/1/cover`)"}
    for name, r in results.items():
        table.append(f"| {labels[name]} | {r['ok'] + sum(r['failures'].values()):,} | {r['per_second']:.1f} | {ms(r['p50'])} | {ms(r['p99'])} | "
                     f"{ms(r['max'])} | {sum(r['failures'].values())} |")
    body = "\n".join([
        f"Measured {info['when']} with `benchmarks/server-load.py` on rinban {info['commit']}.",
        "",
        f"* Machine: {info['cpus']} logical CPUs ({info['cpu']}), {info['memory']} memory, {info['os']}",
        f"* {info['swift']}, `rinban-server` built with `swift build -c release`; the server and the Python load "
        f"generator share the machine; loopback",
        f"* Instance `{os.path.relpath(args.instance, ROOT)}`, {args.duration:g} s; members think {args.think:g} s on average "
        f"between answers (uniform 0–{2 * args.think:g} s); leaders read every {args.leader_think:g} s on average (uniform 0–{2 * args.leader_think:g} s); seed {args.seed}",
        "",
        "\n".join(table),
        "",
        f"The server used {cpu / elapsed * 100:.0f} % of one CPU on average during the load; peak resident memory {peak:.0f} MB.",
        "",
        "Writes checked after the load:",
        "",
    ] + [f"* {k}: {v}" for k, v in checks.items()] + ["", "Setup:", ""] + [f"* {n}" for n in notes]
        + ((["", "**Problems:**", ""] + [f"* {p}" for p in problems]) if problems else []))
    print(body)
    if args.write:
        readme = latency.README
        text = open(readme).read()
        block = f"{BEGIN}\n{body}\n{END}"
        if BEGIN in text:
            head, rest = text.split(BEGIN, 1)
            text = head + block + rest.split(END, 1)[1]
        else:
            text = text.rstrip("\n") + "\n\n## Members and leaders at once (`rinban serve`)\n\n" + block + "\n"
        with open(readme + ".tmp", "w") as f:
            f.write(text)
        os.replace(readme + ".tmp", readme)
        log("wrote benchmarks/README.md")
    sys.exit(1 if problems else 0)


if __name__ == "__main__":
    main()
