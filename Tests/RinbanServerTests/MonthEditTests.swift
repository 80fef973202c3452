import Foundation
import RinbanCore
@testable import RinbanServer
import Testing

private let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent()

private func json(_ data: Data) throws -> [String: Any] { try JSONSerialization.jsonObject(with: data) as! [String: Any] }
private func body(_ value: Any) throws -> Data { try JSONSerialization.data(withJSONObject: value) }

/// A real server with the Tokushima month uploaded and planned by the greedy engine.
private func withPlannedMonth(_ test: (ServerProcess, Int) throws -> Void) throws {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("rinban-edit-\(UUID().uuidString)").path
    defer { try? FileManager.default.removeItem(atPath: dir) }
    let server = try ServerProcess(data: dir)
    defer { server.kill() }
    let instance = try Data(contentsOf: repository.appendingPathComponent("instances/tokushima-2026-12.json"))
    let month = try json(try server.request("POST", "/api/months?name=t.json", body: instance).body)["id"] as! Int
    try replan(server, month)
    try test(server, month)
}

/// Runs the greedy engine to the end.
private func replan(_ server: ServerProcess, _ month: Int) throws {
    let started = try server.request("POST", "/api/months/\(month)/runs", body: Data(#"{"engine": "greedy", "timeLimit": 5}"#.utf8))
    try #require(started.status == 202)
    let run = try json(started.body)["id"] as! Int
    _ = try server.request("GET", "/api/runs/\(run)/events")  // ends when the run ends
    try #require(try json(try server.request("GET", "/api/runs/\(run)").body)["state"] as? String == "done")
}

private func draft(_ server: ServerProcess, _ month: Int) throws -> (plan: [String: Any], version: String) {
    let response = try server.exchange("GET", "/api/months/\(month)/draft")
    return (try json(response.body), response.headers["etag"]!)
}

private func assignments(_ plan: [String: Any]) -> [[String: String]] {
    (plan["assignments"] as! [[String: Any]]).map { $0.mapValues { $0 as! String } }
}

@Suite("rinban serve: availability, pins, the calendar's view, cover, versions and downloads")
struct MonthEditTests {
    @Test("The availability grid: marks are saved at once, refused at their field, and the next plan keeps them")
    func availability() throws {
        try withPlannedMonth { server, month in
            let grid = try json(try server.request("GET", "/api/months/\(month)/availability").body)
            #expect((grid["dates"] as! [Any]).count == 31)
            #expect((grid["members"] as! [Any]).count == 85)
            #expect(grid["revision"] as? Int == 1)
            // p010 has duties in the draft; mark every date of theirs 不可 (bulk entry sends a range like this).
            let before = assignments(try draft(server, month).plan).filter { $0["member"] == "p010" }
            #expect(!before.isEmpty)
            let dates = (1...31).map { String(format: "2026-12-%02d", $0) }
            let marks = dates.map { ["member": "p010", "date": $0, "kind": "unavailable"] }
            let saved = try server.request("POST", "/api/months/\(month)/availability", body: try body(["marks": marks]))
            #expect(saved.status == 200, "\(String(decoding: saved.body, as: UTF8.self))")
            #expect(try json(saved.body)["revision"] as? Int == 2)
            // The month's instance now says so: one absence over the month.
            let instance = try InstanceDecoder.decode(
                DocumentReader.parse(Array(try server.request("GET", "/api/months/\(month)/instance").body), format: .json)).instance
            let p010 = instance.members[instance.memberIndex["p010"]!]
            #expect(p010.unavailable == [Absence(from: CivilDate(iso: "2026-12-01")!, to: CivilDate(iso: "2026-12-31")!)])
            // The draft planned before now breaks the rule, and says so.
            let view = try json(try server.request("GET", "/api/months/\(month)/draft/view").body)
            #expect((view["violations"] as! [String]).count >= before.count)
            #expect(try server.request("POST", "/api/months/\(month)/publish").status == 409)
            // The next plan gives p010 nothing.
            try replan(server, month)
            #expect(assignments(try draft(server, month).plan).filter { $0["member"] == "p010" }.isEmpty)
            // Clearing one day (kind none) splits the absence.
            #expect(try server.request("POST", "/api/months/\(month)/availability",
                                       body: try body(["marks": [["member": "p010", "date": "2026-12-10", "kind": "none"]]])).status == 200)
            let cleared = try json(try server.request("GET", "/api/months/\(month)/availability").body)["marks"] as! [[String: Any]]
            #expect(cleared.filter { $0["member"] as? String == "p010" }.count == 30)
            // Bad marks: each problem at its field, in Japanese; nothing is stored.
            let bad = try server.request("POST", "/api/months/\(month)/availability", body: try body(["marks": [
                ["member": "p010", "date": "2026-12-05", "kind": "avoid"],
                ["member": "nobody", "date": "2027-01-05", "shift": "late", "kind": "maybe"],
            ]]))
            #expect(bad.status == 422)
            let problems = try json(bad.body)["problems"] as! [[String: Any]]
            #expect(Set(problems.map { $0["path"] as! String }) == ["marks[1].member", "marks[1].date", "marks[1].shift", "marks[1].kind"])
            #expect(problems.allSatisfy { ($0["japanese"] as? String)?.isEmpty == false })
            #expect(try json(try server.request("GET", "/api/months/\(month)").body)["revision"] as? Int == 3)
        }
    }

    @Test("Choosing the first cover candidate raises the evaluator's objective by exactly the ranked increase")
    func coverAndEdit() throws {
        try withPlannedMonth { server, month in
            let (plan, version) = try draft(server, month)
            let before = (plan["objective"] as! [String: Any])["total"] as! Double
            let a = assignments(plan).first { $0["duty"] == "substitute" && $0["date"] == "2026-12-08" }!
            let query = "duty=\(a["duty"]!)&area=\(a["area"]!)&date=\(a["date"]!)&shift=\(a["shift"]!)&exclude=\(a["member"]!)"
            let cover = try json(try server.request("GET", "/api/months/\(month)/draft/cover?\(query)").body)
            let candidates = cover["candidates"] as! [[String: Any]]
            try #require(!candidates.isEmpty)
            let first = candidates[0]
            let increase = first["increase"] as! Double
            // The increases are ranked, and the reasons add up to the increase.
            #expect(zip(candidates, candidates.dropFirst()).allSatisfy { ($0["increase"] as! Double) <= ($1["increase"] as! Double) + 1e-9 })
            // Filling the slot (−1000 for the open demand) is common to every candidate and not listed.
            let reasons = (first["reasons"] as! [[String: Any]]).map { $0["value"] as! Double }.reduce(0, +)
            #expect(abs(reasons - 1000 - (increase - (cover["leavingOpen"] as! Double))) < 1e-6)
            // Apply it as the page does.
            var list = assignments(plan).filter { $0 != a }
            if let swap = first["swap"] as? [String: String] {
                list.removeAll { $0["duty"] == swap["duty"] && $0["area"] == swap["area"] && $0["date"] == swap["date"]
                    && $0["shift"] == swap["shift"] && $0["member"] == first["member"] as? String }
                list.append(["duty": swap["duty"]!, "area": swap["area"]!, "date": swap["date"]!, "shift": swap["shift"]!, "member": swap["to"]!])
            }
            list.append(["duty": a["duty"]!, "area": a["area"]!, "date": a["date"]!, "shift": a["shift"]!, "member": first["member"] as! String])
            var edited = plan
            edited["assignments"] = list
            let saved = try server.exchange("PUT", "/api/months/\(month)/draft", body: try body(edited), headers: ["If-Match": version])
            #expect(saved.status == 200)
            let result = try json(saved.body)
            #expect((result["violations"] as! [String]).isEmpty)
            // The ranking scores the change against the draft as its baseline, so it counts
            // stability (20 per draft assignment taken out: the excluded member's, and a
            // swap's in the reasons); the plan's own objective has no baseline and no such term.
            let stability = (first["reasons"] as! [[String: Any]]).filter { $0["term"] as? String == "stability" }
                .map { $0["value"] as! Double }.reduce(0, +) + 20
            #expect(abs((result["objective"] as! Double) - (before + increase - stability)) < 1e-6,
                    "before \(before) + \(increase) − \(stability) vs \(result["objective"]!)")
            // The stored draft carries the evaluator's objective and says it was edited.
            let stored = try draft(server, month).plan
            #expect(abs(((stored["objective"] as! [String: Any])["total"] as! Double) - (result["objective"] as! Double)) < 1e-9)
            #expect((stored["solver"] as? [String: Any])?["status"] as? String == "edited")
            // The calendar's view agrees with the draft: every assignment in one cell.
            let view = try json(try server.request("GET", "/api/months/\(month)/draft/view").body)
            let cells = (view["cells"] as! [[Any]]).flatMap { $0 }.compactMap { $0 as? [String: Any] }
            #expect(cells.map { ($0["members"] as! [String]).count }.reduce(0, +) == list.count)
            #expect((view["members"] as! [[String: Any]]).map { $0["duties"] as! Int }.reduce(0, +) == list.count)
            #expect(abs((view["total"] as! Double) - (result["objective"] as! Double)) < 1e-9)
        }
    }

    @Test("A pinned member survives the next plan run; a pin that overfills its slot is refused")
    func pins() throws {
        try withPlannedMonth { server, month in
            let planned = try draft(server, month).plan
            let a = assignments(planned).first { $0["duty"] == "substitute" && $0["date"] == "2026-12-15" }!
            let query = "duty=\(a["duty"]!)&area=\(a["area"]!)&date=\(a["date"]!)&shift=\(a["shift"]!)&exclude=\(a["member"]!)"
            let candidates = try json(try server.request("GET", "/api/months/\(month)/draft/cover?\(query)").body)["candidates"] as! [[String: Any]]
            let other = candidates.first { $0["swap"] == nil }!["member"] as! String
            var pin: [String: Any] = a
            pin["member"] = other
            pin["pinned"] = true
            let saved = try server.request("POST", "/api/months/\(month)/pins", body: try body(pin))
            #expect(saved.status == 200, "\(String(decoding: saved.body, as: UTF8.self))")
            let pins = try json(saved.body)["pins"] as! Int
            // A second member pinned to the same one-member slot breaks H1 among the pins.
            var second = pin
            second["member"] = a["member"]!
            let refused = try server.request("POST", "/api/months/\(month)/pins", body: try body(second))
            #expect(refused.status == 422)
            #expect(String(decoding: refused.body, as: UTF8.self).contains("H1"))
            try replan(server, month)
            let after = assignments(try draft(server, month).plan)
            #expect(after.contains { $0["duty"] == a["duty"] && $0["area"] == a["area"] && $0["date"] == a["date"] && $0["shift"] == a["shift"]
                && $0["member"] == other })
            let view = try json(try server.request("GET", "/api/months/\(month)/draft/view").body)
            let pinnedCells = (view["cells"] as! [[Any]]).flatMap { $0 }.compactMap { $0 as? [String: Any] }
                .filter { !($0["pinned"] as! [String]).isEmpty }
            #expect(pinnedCells.count == pins)
            pin["pinned"] = false
            #expect(try json(try server.request("POST", "/api/months/\(month)/pins", body: try body(pin)).body)["pins"] as? Int == pins - 1)
        }
    }

    @Test("Versions: each keeps the instance it was published on; its diff and every download answer")
    func versionsAndDownloads() throws {
        try withPlannedMonth { server, month in
            #expect(try server.request("POST", "/api/months/\(month)/publish", body: Data(#"{"note": "初版"}"#.utf8)).status == 201)
            // An edit of the draft: drop one assignment, publish again.
            let (plan, version) = try draft(server, month)
            var edited = plan
            let list = assignments(plan)
            edited["assignments"] = Array(list.dropFirst())
            #expect(try server.exchange("PUT", "/api/months/\(month)/draft", body: try body(edited), headers: ["If-Match": version]).status == 200)
            #expect(try server.request("POST", "/api/months/\(month)/publish", body: Data(#"{"note": "二版"}"#.utf8)).status == 201)
            let diff = try json(try server.request("GET", "/api/months/\(month)/published/2/diff").body)
            #expect(diff["format"] as? String == "rinban-diff/1")
            let removed = diff["removed"] as! [[String: Any]]
            #expect(removed.count == 1)
            #expect(removed.first?["member"] as? String == list[0]["member"])
            let html = try server.exchange("GET", "/api/months/\(month)/published/2/diff?format=html")
            #expect(html.headers["content-type"]?.hasPrefix("text/html") == true)
            // Version 1's diff is against nothing: everything added.
            #expect((try json(try server.request("GET", "/api/months/\(month)/published/1/diff").body)["added"] as! [Any]).count == list.count)
            // An absence marked after publishing does not change the published versions' instance.
            #expect(try server.request("POST", "/api/months/\(month)/availability",
                                       body: try body(["marks": [["member": "p001", "date": "2026-12-02", "kind": "unavailable"]]])).status == 200)
            let published = try json(try server.request("GET", "/api/months/\(month)/published/2/view").body)
            #expect(published["revision"] as? Int == 1)
            #expect(published["source"] as? String == "published")
            // Downloads.
            let expected = ["plan.json": "application/json", "rota.csv": "text/csv", "rota.xlsx": ServerApplication.workbookType,
                            "rota.html": "text/html", "calendars.zip": "application/zip"]
            for (name, type) in expected {
                for base in ["/api/months/\(month)/published/2", "/api/months/\(month)/draft"] {
                    let file = try server.exchange("GET", "\(base)/files/\(name)")
                    #expect(file.status == 200, "\(base) \(name)")
                    #expect(file.headers["content-type"]?.hasPrefix(type) == true, "\(name): \(file.headers["content-type"] ?? "")")
                    #expect(file.headers["content-disposition"]?.hasPrefix("attachment; filename=\"rinban-2026-12-") == true)
                }
            }
            let planFile = try json(try server.request("GET", "/api/months/\(month)/published/2/files/plan.json").body)
            #expect(assignments(planFile) == Array(list.dropFirst()))
            #expect(try server.request("GET", "/api/months/\(month)/published/2/files/rota.csv").body.starts(with: [0xEF, 0xBB, 0xBF]))
            let zip = try server.request("GET", "/api/months/\(month)/published/2/files/calendars.zip").body
            #expect(zip.starts(with: [0x50, 0x4B, 0x03, 0x04]))
            let membersWithDuties = Set(list.dropFirst().map { $0["member"]! }).count
            // Each ICS file's name appears once in the zip's central directory.
            let bytes = [UInt8](zip), pattern: [UInt8] = Array(".ics\u{0}".utf8).dropLast()
            let names = (0..<(bytes.count - 3)).filter { Array(bytes[$0..<$0 + 4]) == pattern }.count
            #expect(names == 2 * membersWithDuties, "local header and central directory name each file")
            #expect(try server.request("GET", "/api/months/\(month)/published/2/files/other.txt").status == 404)
            #expect(try server.request("GET", "/api/months/\(month)/published/3/files/plan.json").status == 404)
        }
    }
}

@Suite("rinban serve: next month and calendar links")
struct MonthCycleTests {
    @Test("Next month from the published version: a new month, histories credited for every member who served")
    func nextMonth() throws {
        try withPlannedMonth { server, month in
            #expect(try server.request("POST", "/api/months/\(month)/next").status == 409)
            #expect(try server.request("POST", "/api/months/\(month)/publish").status == 201)
            let published = try json(try server.request("GET", "/api/months/\(month)/published").body)
            let served = Set(assignments(published).map { $0["member"]! }).count
            let next = try server.request("POST", "/api/months/\(month)/next")
            #expect(next.status == 201, "\(String(decoding: next.body, as: UTF8.self))")
            let created = try json(next.body)
            let summary = created["summary"] as! [String]
            #expect(summary.contains { $0.contains("\(served) 人の history に加算") }, "\(summary)")
            let id = created["id"] as! Int
            let month2 = try json(try server.request("GET", "/api/months/\(id)").body)
            #expect(month2["periodStart"] as? String == "2027-01-01")
            #expect(month2["periodEnd"] as? String == "2027-01-31")
            #expect(month2["label"] as? String == "2027年1月")
            // The new month plans like any other.
            try replan(server, id)
        }
    }

    @Test("A renewed calendar address works at once and the old one stops at once")
    func renewCalendar() throws {
        try withPlannedMonth { server, month in
            #expect(try server.request("POST", "/api/months/\(month)/publish").status == 201)
            let members = try JSONSerialization.jsonObject(with: try server.request("GET", "/api/months/\(month)/members").body) as! [[String: Any]]
            let old = URL(string: members.first { $0["id"] as? String == "p012" }!["icsUrl"] as! String)!.path
            #expect(try server.request("GET", old).status == 200)
            let renewed = try server.request("POST", "/api/members/p012/calendar")
            #expect(renewed.status == 200)
            let new = URL(string: try json(renewed.body)["icsUrl"] as! String)!.path
            #expect(new != old)
            #expect(try server.request("GET", old).status == 404)
            #expect(try server.request("GET", new).status == 200)
            #expect(try server.request("POST", "/api/members/nobody/calendar").status == 404)
        }
    }
}
