import Foundation
@testable import RinbanServer
import Testing

private let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent()
private func file(_ relative: String) throws -> Data { try Data(contentsOf: repository.appendingPathComponent(relative)) }

/// A fresh data folder, removed afterwards.
private func withStore<T>(_ body: (Store, String) async throws -> T) async throws -> T {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("rinban-server-\(UUID().uuidString)").path
    defer { try? FileManager.default.removeItem(atPath: dir) }
    return try await body(try Store(directory: dir), dir)
}

private func object(_ data: Data) throws -> [String: Any] { try JSONSerialization.jsonObject(with: data) as! [String: Any] }

/// A real server on a fresh data folder, stopped afterwards.
private func withServer(_ body: (ServerProcess) throws -> Void) throws {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("rinban-api-\(UUID().uuidString)").path
    defer { try? FileManager.default.removeItem(atPath: dir) }
    let server = try ServerProcess(data: dir)
    defer { server.kill() }
    try body(server)
}

@Suite("rinban serve: the JSON API and the pages")
struct ServerAPITests {
    @Test("Every path of docs/openapi.yaml is a route, and every route is documented")
    func routesMatchTheDocument() throws {
        let text = String(decoding: try file("docs/openapi.yaml"), as: UTF8.self)
        var documented: Set<String> = []
        var path: String?
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            if line.hasPrefix("  /"), line.hasSuffix(":") { path = String(line.dropFirst(2).dropLast()) }
            else if !line.hasPrefix("  "), !line.isEmpty { path = nil }
            for method in ["get", "post", "put", "patch", "delete"] where line == "    \(method):" {
                documented.insert("\(method.uppercased()) \(path!)")
            }
        }
        let routes = Set(ServerApplication.routes.map { "\($0.method) \($0.path)" })
        #expect(documented == routes)
        #expect(routes.count == 67)
    }

    @Test("Upload, plan, draft, publish, members and a member's calendar: every documented route answers")
    func officePath() throws {
        try withServer { server in
            #expect(String(decoding: try server.request("GET", "/healthz").body, as: UTF8.self) == "ok")
            let upload = try server.exchange("POST", "/api/months?name=tokushima.json", body: try file("instances/tokushima-2026-12.json"))
            #expect(upload.status == 201)
            let month = try object(upload.body)["id"] as! Int
            let list = try JSONSerialization.jsonObject(with: try server.request("GET", "/api/months").body) as! [[String: Any]]
            #expect(list.count == 1)
            #expect(list[0]["periodStart"] as? String == "2026-12-01")
            #expect(list[0]["label"] as? String == "2026年12月")
            #expect(try server.request("GET", "/api/months/\(month)/draft").status == 404)
            let started = try server.exchange("POST", "/api/months/\(month)/runs", body: Data(#"{"engine": "greedy", "timeLimit": 5}"#.utf8))
            #expect(started.status == 202)
            let run = try object(started.body)["id"] as! Int
            // The events of a run end with `end` when it finishes.
            let events = try server.exchange("GET", "/api/runs/\(run)/events")
            #expect(events.headers["content-type"] == "text/event-stream")
            #expect(String(decoding: events.body, as: UTF8.self).contains("event: end\ndata: {"))
            let state = try object(try server.request("GET", "/api/runs/\(run)").body)
            #expect(state["state"] as? String == "done", "\(state)")
            #expect((state["incumbent"] as? Double ?? 0) > 0)
            let draft = try server.exchange("GET", "/api/months/\(month)/draft")
            #expect(draft.status == 200)
            #expect(draft.headers["etag"] == "\"1\"")
            #expect(try object(draft.body)["format"] as? String == "rinban-plan/1")
            // Two browsers edit the same draft: the first save wins, the second gets 409 and nothing of it is kept.
            var edited = try object(draft.body)
            var assignments = edited["assignments"] as! [[String: Any]]
            let removed = assignments.removeFirst()
            edited["assignments"] = assignments
            edited.removeValue(forKey: "objective")
            let editedData = try JSONSerialization.data(withJSONObject: edited)
            #expect(try server.request("PUT", "/api/months/\(month)/draft", body: editedData).status == 428)
            let first = try server.exchange("PUT", "/api/months/\(month)/draft", body: editedData, headers: ["If-Match": "\"1\""])
            #expect(first.status == 200, "\(String(decoding: first.body, as: UTF8.self))")
            let saved = try object(first.body)
            #expect(saved["version"] as? Int == 2)
            #expect((saved["violations"] as? [String])?.isEmpty == true)
            #expect((saved["objective"] as? Double ?? 0) >= 1000, "one uncovered duty costs 1000")
            var other = edited
            other["assignments"] = [removed]
            let second = try server.exchange("PUT", "/api/months/\(month)/draft", body: try JSONSerialization.data(withJSONObject: other),
                                             headers: ["If-Match": "\"1\""])
            #expect(second.status == 409)
            #expect(String(decoding: second.body, as: UTF8.self).contains("版 2"))
            let now = try server.exchange("GET", "/api/months/\(month)/draft")
            #expect(now.headers["etag"] == "\"2\"")
            #expect((try object(now.body)["assignments"] as! [Any]).count == assignments.count)
            #expect(try server.request("GET", "/api/months/\(month)/published").status == 404)
            let published = try server.exchange("POST", "/api/months/\(month)/publish", body: Data(#"{"note": "12月分 初版"}"#.utf8))
            #expect(published.status == 201)
            #expect(try object(published.body)["version"] as? Int == 1)
            for uri in ["/api/months/\(month)/published", "/api/months/\(month)/published/1", "/api/months/\(month)", "/",
                        "/months/\(month)", "/months/\(month)/draft.html", "/assets/app.css", "/assets/index.js", "/assets/month.js"] {
                #expect(try server.request("GET", uri).status == 200, "\(uri)")
            }
            #expect(try server.request("GET", "/api/months/\(month)/published/2").status == 404)
            #expect(try server.request("GET", "/assets/other.js").status == 404)
            let members = try JSONSerialization.jsonObject(with: try server.request("GET", "/api/months/\(month)/members").body)
                as! [[String: Any]]
            #expect(members.count == 85)
            let harada = members.first { $0["id"] as? String == "p012" }!
            let ics = URL(string: harada["icsUrl"] as! String)!.path
            #expect(ics.hasPrefix("/ics/") && ics.hasSuffix(".ics"))
            let plan = try object(try server.request("GET", "/api/months/\(month)/published/1").body)
            let duties = (plan["assignments"] as! [[String: Any]]).filter { $0["member"] as? String == "p012" }
            #expect(!duties.isEmpty)
            let feed = try server.exchange("GET", ics)
            #expect(feed.headers["content-type"] == "text/calendar; charset=utf-8")
            let text = String(decoding: feed.body, as: UTF8.self)
            #expect(text.hasPrefix("BEGIN:VCALENDAR\r\n"))
            #expect(text.components(separatedBy: "BEGIN:VEVENT").count - 1 == duties.count)
            for duty in duties { #expect(text.contains("\(duty["date"] as! String)/\(duty["shift"] as! String)/p012@")) }
            #expect(try server.request("GET", "/ics/not-a-token.ics").status == 404)
            #expect(String(decoding: try server.request("GET", "/api/runs/\(run)/events").body, as: UTF8.self).hasPrefix("event: end\n"))
        }
    }

    @Test("An invalid upload is refused with every problem and stores nothing; a workbook upload is accepted; names are escaped")
    func uploads() throws {
        try withServer { server in
            let invalid = try server.request("POST", "/api/months", body: Data(#"{"format": "rinban/1", "period": {"start": "2027-01-01"}}"#.utf8))
            #expect(invalid.status == 422)
            let problems = try object(invalid.body)["problems"] as! [[String: Any]]
            #expect(problems.contains { $0["path"] as? String == "period.end" }, "\(problems)")
            #expect(problems.contains { $0["path"] as? String == "blocks" }, "\(problems)")
            let typo = try server.request("POST", "/api/months?name=clerk-typo.xlsx",
                                          body: try file("Tests/RinbanWorkbookTests/Fixtures/clerk-typo.xlsx"), type: ServerApplication.workbookType)
            #expect(typo.status == 422)
            let cells = try object(typo.body)["problems"] as! [[String: Any]]
            #expect(cells.contains { $0["path"] as? String == "医師!C5" && $0["japanese"] as? String == "診療所 \"c99\" がありません" })
            #expect((try JSONSerialization.jsonObject(with: try server.request("GET", "/api/months").body) as? [Any])?.isEmpty == true)
            let workbook = try server.request("POST", "/api/months?name=tokushima.xlsx", body: try file("examples/tokushima-2026-12.xlsx"),
                                              type: ServerApplication.workbookType)
            #expect(workbook.status == 201)
            // Free text is escaped on the pages.
            var tiny = String(decoding: try Data(contentsOf: repository.deletingLastPathComponent().appendingPathComponent("shared/examples/tiny.json")),
                              as: UTF8.self)
            tiny = tiny.replacingOccurrences(of: #""association": "例示市医師会 在宅医療ネットワーク""#, with: #""association": "<script>x</script>""#)
            let created = try server.request("POST", "/api/months?name=%3Cb%3E.json", body: Data(tiny.utf8))
            try #require(created.status == 201, "\(String(decoding: created.body, as: UTF8.self))")
            let page = String(decoding: try server.request("GET", "/months/\(try object(created.body)["id"] as! Int)").body, as: UTF8.self)
            #expect(page.contains("&lt;script&gt;x&lt;/script&gt;"))
            #expect(page.contains("&lt;b&gt;.json"))
            #expect(!page.contains("<script>x"))
        }
    }

    @Test("One run at a time per month: a second start is 409 while the first runs")
    func oneRunAtATime() throws {
        try withServer { server in
            let month = try object(try server.request("POST", "/api/months", body: try file("instances/takamatsu-2027-04.json")).body)["id"] as! Int
            let settings = Data(#"{"engine": "glpk", "timeLimit": 4}"#.utf8)
            #expect(try server.request("POST", "/api/months/\(month)/runs", body: settings).status == 202)
            let second = try server.request("POST", "/api/months/\(month)/runs", body: settings)
            #expect(second.status == 409)
            #expect(String(decoding: second.body, as: UTF8.self).contains("計画中"))
            #expect(try object(try server.request("GET", "/api/months/\(month)").body)["runningRun"] as? Int != nil)
            #expect(try server.request("POST", "/api/months/\(month)/runs", body: Data(#"{"engine": "fast"}"#.utf8)).status == 422)
        }
    }

    @Test("Cancel: a 60-second run ends as cancelled long before its limit and leaves the month's draft as it was")
    func cancel() throws {
        try withServer { server in
            let month = try object(try server.request("POST", "/api/months", body: try file("instances/takamatsu-2027-04.json")).body)["id"] as! Int
            let run = try object(try server.request("POST", "/api/months/\(month)/runs",
                                                     body: Data(#"{"engine": "glpk", "timeLimit": 60}"#.utf8)).body)["id"] as! Int
            Thread.sleep(forTimeInterval: 2)
            let asked = Date()
            #expect(try server.request("POST", "/api/runs/\(run)/cancel").status == 202)
            var state = "running"
            // Without the cancel the run would go on for 60 s; the wait ends well before that.
            while state == "running", Date().timeIntervalSince(asked) < 40 {
                Thread.sleep(forTimeInterval: 0.2)
                state = try object(try server.request("GET", "/api/runs/\(run)").body)["state"] as! String
            }
            #expect(state == "cancelled")
            #expect(try server.request("GET", "/api/months/\(month)/draft").status == 404)
            #expect(try server.request("POST", "/api/runs/\(run)/cancel").status == 409)
        }
    }
}

@Suite("rinban serve: the database")
struct StoreTests {
    private func month(_ store: Store) throws -> Int64 {
        try store.createMonth(Store.NewMonth(label: "2027年1月", association: nil, periodStart: "2027-01-01", periodEnd: "2027-01-31",
                                             sourceName: "x.json", sourceType: "application/json", source: Data("{}".utf8),
                                             instance: "{}"))
    }

    @Test("A draft saved from an old version is refused (409), never silently overwritten")
    func draftVersions() async throws {
        try await withStore { store, _ in
            let id = try month(store)
            #expect(try store.saveDraft(month: id, plan: "a", expectedVersion: 0) == 1)
            #expect(try store.saveDraft(month: id, plan: "b", expectedVersion: 1) == 2)
            #expect(throws: Store.Conflict.self) { try store.saveDraft(month: id, plan: "c", expectedVersion: 1) }
            #expect(try store.draft(ofMonth: id)?.plan == "b")
        }
    }

    @Test("Published versions are numbered and immutable; a run left running by a killed process is failed on start")
    func publishedAndRecovery() async throws {
        try await withStore { store, dir in
            let id = try month(store)
            #expect(throws: Store.Conflict.self) { try store.publish(month: id, note: "") }
            _ = try store.saveDraft(month: id, plan: "p1", expectedVersion: 0)
            #expect(try store.publish(month: id, note: "初版") == 1)
            #expect(try store.publish(month: id, note: "再") == 2)
            #expect(throws: (any Error).self) {
                try store.pool.write { db in try db.execute(sql: "UPDATE published SET plan = 'x' WHERE version = 1") }
            }
            let run = try store.createRun(month: id, engine: "glpk", timeLimit: 60)
            #expect(throws: Store.Conflict.self) { try store.createRun(month: id, engine: "glpk", timeLimit: 60) }
            let reopened = try Store(directory: dir)
            #expect(try reopened.run(run)?.state == "failed")
            #expect(try reopened.published(month: id)?.version == 2)
            #expect(try reopened.draft(ofMonth: id)?.plan == "p1")
            // A backup (VACUUM INTO) is a whole database: opened as a data folder, it holds the same versions.
            try FileManager.default.createDirectory(atPath: dir + "/restored", withIntermediateDirectories: true)
            try reopened.backup(to: dir + "/restored/rinban.sqlite")
            let restored = try Store(directory: dir + "/restored")
            #expect(try restored.published(month: id)?.version == 2)
            #expect(try restored.published(month: id, version: 1)?.note == "初版")
        }
    }

    @Test("A calendar token is stable until revoked, then a new one replaces it")
    func tokens() async throws {
        try await withStore { store, _ in
            let token = try store.calendarToken(member: "p1")
            #expect(token.count >= 40)
            #expect(try store.calendarToken(member: "p1") == token)
            #expect(try store.member(forToken: token) == "p1")
            try store.revokeCalendarToken(member: "p1")
            #expect(try store.member(forToken: token) == nil)
            let next = try store.calendarToken(member: "p1")
            #expect(next != token)
            #expect(try store.member(forToken: next) == "p1")
        }
    }
}

@Suite("rinban serve: the pages' own scripts")
struct ScriptSyntaxTests {
    /// Node's parser, where the machine has Node (Playwright's paths in .ci/run find the rest).
    static let node = ["/usr/bin/node", "/usr/local/bin/node"].first { FileManager.default.isExecutableFile(atPath: $0) }

    @Test("Every script the pages load parses", .enabled(if: node != nil))
    func scriptsParse() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("rinban-js-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        for name in ["frame.js", "index.js", "month.js", "availability.js", "me.js", "people.js", "block.js"] {
            _ = try #require(Pages.asset(name), "\(name) is not served")
            let file = dir.appendingPathComponent(name)
            try Data(Pages.script(name)!.utf8).write(to: file)
            let process = Process()
            process.executableURL = URL(fileURLWithPath: Self.node!)
            process.arguments = ["--check", file.path]
            let errors = Pipe()
            process.standardError = errors
            try process.run()
            process.waitUntilExit()
            #expect(process.terminationStatus == 0, "\(name): \(String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self))")
        }
    }
}
