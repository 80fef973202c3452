#!/usr/bin/env python3
"""The office's path through `rinban serve`, end to end in a real browser.

Chromium (Debian's `chromium`, driven by Playwright from PyPI) does what a clerk does:
sign in -> upload the example workbook -> mark an absence in the availability grid ->
plan with a short limit -> open a cell of the calendar and choose the first candidate ->
publish -> add a member and open availability collection; then the member, on a
phone-sized screen, opens their personal link, sees their duties and answers; and a
member's calendar feed is fetched and read with Python's `icalendar`.

Every step is checked against the JSON API (an independent path to the same data), the
published plan is checked with the independent checker (../shared/tools/rinban_check.py),
and screenshots of the main pages are written to the output folder for people to look at.

    Tests/browser/office_path.py --server .build/debug/rinban-server --out /tmp/shots

Exit status 0 when every check holds; an assertion names the step that failed.
"""
import argparse
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request

from icalendar import Calendar
from playwright.sync_api import sync_playwright

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
WORKBOOK = os.path.join(ROOT, "examples", "tokushima-2026-12.xlsx")
CHECKER = os.path.join(ROOT, "..", "shared", "tools", "rinban_check.py")


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


TOKEN = {}


def get(base, path, raw=False):
    """The API as the office's API client sees it (bearer token)."""
    request = urllib.request.Request(base + path, headers={"Authorization": "Bearer " + TOKEN["office"]})
    with urllib.request.urlopen(request, timeout=30) as r:
        body = r.read()
        return (body, dict(r.headers)) if raw else json.loads(body)


def ics_events(base, member):
    """The member's calendar feed, as (date, summary) pairs read by icalendar."""
    entry = next(m for m in get(base, f"/api/months/{MONTH['id']}/members") if m["id"] == member)
    path = "/ics/" + entry["icsUrl"].split("/ics/", 1)[1]
    body, _ = get(base, path, raw=True)
    return [(e.decoded("DTSTART").date().isoformat(), str(e["SUMMARY"])) for e in Calendar.from_ical(body).walk("VEVENT")]


def swap_path(base, browser, page, month, link, chosen, errors, shot):
    """A member offers a duty on a phone; a colleague accepts on theirs; the office
    approves; the colleague's calendar feed gains the duty."""
    MONTH["id"] = month
    step("a member offers a swap on a phone")
    phone, mobile = phone_page(browser, errors)
    mobile.goto(base + link[link.index("/m/"):])
    mobile.wait_for_selector("#dutyList li button.swap")
    mine = get(base, f"/api/months/{month}/published")  # the office's view of the latest version
    duty = sorted((a for a in mine["assignments"] if a["member"] == chosen["id"]), key=lambda a: (a["date"], a["shift"]))[0]
    mobile.locator("#dutyList li button.swap").first.click()
    mobile.wait_for_selector(".offer button.anyone")
    shot(mobile, "13-member-offer.png")
    mobile.click(".offer button.anyone")
    mobile.wait_for_function("document.querySelector('.offer').textContent.includes('申し出ました')")
    phone.close()

    step("a colleague accepts it on their phone")
    latest = get(base, f"/api/months/{month}/published", raw=True)
    version = int(latest[1]["ETag"].strip('"'))
    query = f"duty={duty['duty']}&area={duty['area']}&date={duty['date']}&shift={duty['shift']}&exclude={chosen['id']}"
    cover = get(base, f"/api/months/{month}/published/{version}/cover?{query}")
    taker = next(c for c in cover["candidates"] if not c.get("swap"))
    before = ics_events(base, taker["member"])
    page.goto(base + "/people")
    page.fill("#addUser input[name=name]", taker["name"])
    page.select_option("#addUser select[name=role]", "member")
    page.fill("#addUser input[name=member]", taker["member"])
    page.click("#addUser button[type=submit]")
    page.wait_for_selector("#secret")
    taker_link = page.inner_text("#secret")
    phone, mobile = phone_page(browser, errors)
    mobile.goto(base + taker_link[taker_link.index("/m/"):])
    mobile.wait_for_selector("#swapList li button.accept")
    mobile.click("#swapList li button.accept")
    mobile.wait_for_function("document.getElementById('swapList').textContent.includes('引き受け済み')")
    shot(mobile, "14-colleague-accepted.png")
    phone.close()

    step("the office approves; the colleague's calendar follows")
    proposals = get(base, f"/api/months/{month}/proposals")
    swap = next(p for p in proposals if p["kind"] == "swap" and p["state"] == "accepted")
    page.goto(f"{base}/months/{month}/block")
    page.wait_for_selector(f'#proposals tbody tr[data-id="{swap["id"]}"]')
    page.click(f'#proposals tbody tr[data-id="{swap["id"]}"] button')
    publish(page, "#proposalActions .publish")
    after = ics_events(base, taker["member"])
    assert duty["date"] not in [d for d, _ in before], f"{taker['name']} already had a duty on {duty['date']}"
    assert duty["date"] in [d for d, _ in after], f"the swapped duty is not in {taker['name']}'s calendar: {after}"
    assert len(after) == len(before) + 1, (before, after)


MONTH = {}


def phone_page(browser, errors):
    """A phone-sized page (390 × 844, touch) whose script errors are collected."""
    phone = browser.new_context(viewport={"width": 390, "height": 844}, device_scale_factor=2, is_mobile=True, has_touch=True,
                                locale="ja-JP")
    mobile = phone.new_page()
    mobile.on("pageerror", lambda e: errors.append(str(e)))
    return phone, mobile


def get_status(base, path):
    request = urllib.request.Request(base + path, headers={"Authorization": "Bearer " + TOKEN["office"]})
    try:
        with urllib.request.urlopen(request, timeout=30) as r:
            return r.status
    except urllib.error.HTTPError as e:
        return e.code


def step(name):
    print(f"office path: {name}", flush=True)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--server", default=os.path.join(ROOT, ".build", "debug", "rinban-server"))
    parser.add_argument("--out", default=os.path.join(tempfile.gettempdir(), "rinban-office-path"))
    parser.add_argument("--chromium", default="/usr/bin/chromium")
    parser.add_argument("--time-limit", type=int, default=5)
    args = parser.parse_args()
    os.makedirs(args.out, exist_ok=True)
    data = tempfile.mkdtemp(prefix="rinban-office-")
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    # The office's account (a one-time password for the browser) and an API token for the checks.
    added = subprocess.run([args.server, "users", "add", "事務局 山田", "--role", "office", "--data", data],
                           capture_output=True, text=True, check=True).stdout.strip().splitlines()
    TOKEN["password"] = added[-1]
    TOKEN["office"] = subprocess.run([args.server, "users", "token", "事務局 山田", "--data", data],
                                     capture_output=True, text=True, check=True).stdout.strip()
    server = subprocess.Popen([args.server, "serve", "--data", data, "--port", str(port)],
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        for _ in range(100):
            try:
                if urllib.request.urlopen(base + "/healthz", timeout=1).read() == b"ok":
                    break
            except OSError:
                time.sleep(0.1)
        else:
            raise SystemExit("the server did not start")
        run(base, args)
    finally:
        server.terminate()
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
    print(f"office path: passed; screenshots in {args.out}")


def run(base, args):
    shot = lambda page, name: page.screenshot(path=os.path.join(args.out, name), full_page=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=args.chromium, args=["--no-sandbox"])
        page = browser.new_page(viewport={"width": 1280, "height": 900}, locale="ja-JP")
        errors = []
        page.on("pageerror", lambda e: errors.append(str(e)))

        step("sign in")
        page.goto(base + "/")
        page.wait_for_url("**/login?next=*")
        page.fill("input[name=name]", "事務局 山田")
        page.fill("input[name=password]", "wrong password")
        page.click("form.signin button[type=submit]")
        assert "違います" in page.inner_text("p.error"), "a wrong password was not refused"
        page.fill("input[name=name]", "事務局 山田")
        page.fill("input[name=password]", TOKEN["password"])
        page.click("form.signin button[type=submit]")
        page.wait_for_selector("#upload")

        step("upload the example workbook")
        shot(page, "01-months.png")
        page.set_input_files("#file", WORKBOOK)
        page.click("#upload button[type=submit]")
        page.wait_for_url("**/months/*", timeout=30000)
        month = page.url.rstrip("/").split("/")[-1]
        summary = get(base, f"/api/months/{month}")
        assert summary["label"] == "2026年12月", summary

        step("mark an absence in the availability grid")
        page.click("text=不可・避けたい日を入力する")
        page.wait_for_selector("#availability td[data-member]")
        grid = get(base, f"/api/months/{month}/availability")
        member = grid["members"][0]["id"]
        date = grid["dates"][2]["date"]
        before = [m for m in grid["marks"] if m["member"] == member and m["date"] == date]
        assert before == [], f"{member} {date} is marked already: {before}"
        # The IME guard: Enter while composing in the name filter submits nothing.
        page.fill("#gName", "")
        page.click(f'#availability td[data-member="{member}"][data-date="{date}"]')
        page.wait_for_function("document.getElementById('status').textContent.startsWith('保存しました')")
        shot(page, "02-availability.png")
        after = get(base, f"/api/months/{month}/availability")
        assert {"member": member, "date": date, "kind": "unavailable"} in after["marks"], "the absence was not stored"

        step("plan with a short limit")
        page.goto(f"{base}/months/{month}")
        page.fill("input[name=timeLimit]", str(args.time_limit))
        page.click("#run button[type=submit]")
        try:  # the live progress, while it lasts
            page.wait_for_function("document.getElementById('progress').textContent.startsWith('計画中')"
                                   " && document.querySelectorAll('#chart circle').length >= 6", timeout=args.time_limit * 1000)
            shot(page, "03-running.png")
        except Exception:
            print("office path: the run ended before its progress could be photographed")
        page.wait_for_selector("#calendar li.entry", timeout=(args.time_limit + 60) * 1000)
        page.wait_for_selector("#fairness .row[data-member]")
        shot(page, "04-month.png")
        draft, headers = get(base, f"/api/months/{month}/draft", raw=True)
        draft = json.loads(draft)
        version = int(headers["ETag"].strip('"'))
        assert not any(a["member"] == member and a["date"] == date for a in draft["assignments"]), \
            "the plan gave a duty on the date marked 不可"

        step("open a cell and choose the first candidate")
        # Highlight a member, then filter by block: the page must keep working.
        page.locator("#calendar .who").first.click()
        assert page.locator("#calendar .who.highlight").count() >= 1
        page.locator("#calendar .what").first.click()
        page.wait_for_selector("#candidates li.candidate", timeout=30000)
        shot(page, "05-cover.png")
        first = page.locator("#candidates li.candidate strong").first.inner_text()
        page.locator("#candidates .choose").first.click()
        page.wait_for_function("document.getElementById('panelStatus').textContent.includes('入れました')", timeout=30000)
        shot(page, "06-chosen.png")
        edited, headers = get(base, f"/api/months/{month}/draft", raw=True)
        assert int(headers["ETag"].strip('"')) == version + 1, "choosing a candidate did not save a new draft version"
        edited = json.loads(edited)
        names = {m["id"]: m["name"] for m in get(base, f"/api/months/{month}/availability")["members"]}
        added = [a for a in edited["assignments"] if a not in draft["assignments"]]
        assert any(names[a["member"]] == first for a in added), f"{first} was not put into the draft: {added}"

        step("publish")
        page.fill("#publish input[name=note]", "12月分 初版")
        page.click("#publish button[type=submit]")
        page.wait_for_selector("#versions table", timeout=30000)
        shot(page, "07-published.png")
        published = get(base, f"/api/months/{month}/published")
        assert published["assignments"] == edited["assignments"], "the published plan is not the edited draft"
        # The independent checker, on the month's instance as the server holds it (with the
        # absence marked above) and the published plan.
        work = tempfile.mkdtemp(prefix="rinban-office-check-")
        with open(os.path.join(work, "instance.json"), "wb") as f:
            f.write(get(base, f"/api/months/{month}/instance", raw=True)[0])
        with open(os.path.join(work, "plan.json"), "w") as f:
            json.dump(published, f)
        if os.path.exists(CHECKER):
            check = subprocess.run([sys.executable, CHECKER, os.path.join(work, "instance.json"), os.path.join(work, "plan.json")],
                                   capture_output=True, text=True)
            print("office path: checker:", (check.stdout.strip().splitlines() or [check.stderr])[-1])
            assert check.returncode == 0, f"the checker rejects the published plan: {check.stdout[-2000:]}"

        step("a member's calendar feed")
        members = get(base, f"/api/months/{month}/members")
        counts = {}
        for a in published["assignments"]:
            counts[a["member"]] = counts.get(a["member"], 0) + 1
        chosen = next(m for m in members if counts.get(m["id"]))
        path = chosen["icsUrl"].split(str(chosen["icsUrl"]).split("/ics/")[0], 1)[1]
        body, headers = get(base, path, raw=True)
        assert headers["Content-Type"].startswith("text/calendar"), headers
        events = [e for e in Calendar.from_ical(body).walk("VEVENT")]
        assert len(events) == counts[chosen["id"]], f"{len(events)} events for {counts[chosen['id']]} duties"
        uids = [str(e["UID"]) for e in events]
        assert len(set(uids)) == len(uids), "calendar UIDs repeat"
        again = [str(e["UID"]) for e in Calendar.from_ical(get(base, path, raw=True)[0]).walk("VEVENT")]
        assert again == uids, "UIDs changed between two fetches"

        step("add a member and open availability collection")
        page.goto(base + "/people")
        page.fill("#addUser input[name=name]", chosen["name"])
        page.select_option("#addUser select[name=role]", "member")
        page.fill("#addUser input[name=member]", chosen["id"])
        page.click("#addUser button[type=submit]")
        page.wait_for_selector("#secret")
        link = page.inner_text("#secret")
        assert "/m/" in link, link
        shot(page, "08-people.png")
        page.goto(f"{base}/months/{month}")
        page.wait_for_function("document.getElementById('collectionState').textContent === 'まだ受付を始めていません。'")
        page.fill("#deadlineDate", "2099-12-20")
        page.click("#collectionForm button[type=submit]")
        page.wait_for_function("document.getElementById('collectionState').textContent.startsWith('受付中')")

        step("the member answers on a phone")
        phone, mobile = phone_page(browser, errors)
        mobile.goto(base + link[link.index("/m/"):])
        mobile.wait_for_url("**/me")
        mobile.wait_for_selector("#dutyList li")
        assert mobile.locator("#dutyList li").count() == counts[chosen["id"]], "the member's page lists other duties"
        assert mobile.locator("#upload, #calendar").count() == 0
        answer_date = get(base, f"/api/months/{month}/availability")["dates"][20]["date"]
        mobile.locator(f'#days button[data-date="{answer_date}"][data-shift=""]').click()
        mobile.fill("#note", "20日以降は学会のため午後不在")
        mobile.click("#send")
        mobile.wait_for_function("document.getElementById('sendState').textContent.includes('受け付けました')")
        shot(mobile, "09-member-phone.png")
        marks = get(base, f"/api/months/{month}/availability")["marks"]
        assert {"member": chosen["id"], "date": answer_date, "kind": "unavailable"} in marks, "the member's answer is not in the grid"
        answered = get(base, f"/api/months/{month}/collection")["answered"]
        assert [a["note"] for a in answered if a["member"] == chosen["id"]] == ["20日以降は学会のため午後不在"], answered
        # The member cannot open the office's pages.
        assert mobile.goto(f"{base}/months/{month}").status == 404
        phone.close()

        leader_path(base, args, browser, page, month, errors, shot)
        swap_path(base, browser, page, month, link, chosen, errors, shot)

        assert not errors, f"script errors on the pages: {errors}"
        browser.close()



def publish(page, button):
    """Publishes with `button` and waits for 公開済み; the block page then reloads itself
    (1.5 s later), and that reload is awaited too, so that it cannot cut off the next navigation."""
    with page.expect_navigation(timeout=30000):
        page.click(button)
        page.wait_for_function("document.getElementById('proposalMeta').textContent.includes('公開済み')")

def leader_path(base, args, browser, page, month, errors, shot):
    """A block leader on a phone: cover a slot, then an absence as a what-if; the office
    publishes one, and the other (made on the same version) is rebased and published."""
    view = get(base, f"/api/months/{month}/published/1/view")
    block = view["blocks"][0]["id"]

    step("add a block leader")
    page.goto(base + "/people")
    page.fill("#addUser input[name=name]", "幹事 北部")
    page.select_option("#addUser select[name=role]", "leader")
    page.fill("#addUser input[name=blocks]", block)
    page.click("#addUser button[type=submit]")
    page.wait_for_selector("#secret")
    password = page.inner_text("#secret")

    step("the leader signs in on a phone and covers a slot")
    phone, mobile = phone_page(browser, errors)
    mobile.goto(f"{base}/months/{month}/block")
    mobile.wait_for_url("**/login?next=*")
    mobile.fill("input[name=name]", "幹事 北部")
    mobile.fill("input[name=password]", password)
    mobile.click("form.signin button[type=submit]")
    mobile.wait_for_selector("#slots .slot")
    # A day with a duty of the block, then "cannot come" on its first name.
    mobile.locator("#slots .out").first.click()
    mobile.wait_for_selector("#coverList li.candidate", timeout=30000)
    took = int(mobile.locator("#coverList").get_attribute("data-ms"))
    print(f"office path: cover candidates shown in {took} ms")
    shot(mobile, "10-leader-cover.png")
    mobile.locator("#coverList .ask").first.click()
    mobile.wait_for_selector("#proposal:not([hidden]) #cells tbody tr.changed")
    mobile.click("#proposalActions .submit")
    mobile.wait_for_function("document.getElementById('proposalMeta').textContent.includes('提出済み')")
    cover_id = int(mobile.locator("#proposal").get_attribute("data-id"))

    step("the leader's what-if: a member of the block away")
    member = next(m for m in view["members"] if m["block"] == block)
    published = get(base, f"/api/months/{month}/published/1")
    duty = next(a for a in published["assignments"] if a["member"] == member["id"])
    mobile.select_option("#whatif select[name=kind]", "unavailable")
    mobile.select_option("#whatif select[name=member]", member["id"])
    mobile.fill("#whatif input[name=from]", duty["date"])
    mobile.fill("#whatif input[name=to]", duty["date"])
    mobile.fill("#whatif input[name=description]", member["name"] + " 不在")
    mobile.click("#whatif button[type=submit]")
    # The cover proposal is still on screen until the what-if's own arrives: wait for a new id.
    mobile.wait_for_function(
        f"(() => {{ const p = document.getElementById('proposal');"
        f" return !p.hidden && p.dataset.id && p.dataset.id !== '{cover_id}'; }})()",
        timeout=60000)
    mobile.wait_for_selector("#proposal:not([hidden]) #cells tbody tr.changed")
    removed = mobile.locator("#cells tbody tr.changed td:nth-child(3)").all_inner_texts()
    assert any(member["name"] in r for r in removed), f"{member['name']} is not taken out: {removed}"
    shot(mobile, "11-leader-whatif.png")
    mobile.click("#proposalActions .submit")
    mobile.wait_for_function("document.getElementById('proposalMeta').textContent.includes('提出済み')")
    whatif_id = int(mobile.locator("#proposal").get_attribute("data-id"))
    phone.close()

    step("the office publishes the cover; the what-if made on the same version is rebased, then published")
    page.goto(f"{base}/months/{month}/block")
    page.wait_for_selector("#proposals tbody tr")
    page.click(f'#proposals tbody tr[data-id="{cover_id}"] button')
    publish(page, "#proposalActions .publish")
    assert get(base, f"/api/months/{month}/published")["assignments"] != published["assignments"], "the cover was not published"
    page.goto(f"{base}/months/{month}/block")
    page.wait_for_selector("#proposals tbody tr")
    page.click(f'#proposals tbody tr[data-id="{whatif_id}"] button')
    page.wait_for_selector("#proposalActions .rebase")
    page.click("#proposalActions .rebase")
    page.wait_for_function("document.getElementById('proposalMeta').textContent.startsWith('版 2')", timeout=60000)
    shot(page, "12-office-rebased.png")
    publish(page, "#proposalActions .submit")
    latest = get(base, f"/api/months/{month}/published")
    assert not any(a["member"] == member["id"] and a["date"] == duty["date"] for a in latest["assignments"]), \
        "the published version still has the absent member's duty"
    versions = [v for v in range(1, 5) if get_status(base, f"/api/months/{month}/published/{v}") == 200]
    assert versions == [1, 2, 3], versions


if __name__ == "__main__":
    main()
