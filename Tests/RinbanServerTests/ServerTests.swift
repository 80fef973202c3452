import Foundation
import Hummingbird
import HummingbirdTesting
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

private func json(_ buffer: ByteBuffer) throws -> Any { try JSONSerialization.jsonObject(with: Data(buffer: buffer)) }

@Suite("rinban serve: the JSON API")
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
        #expect(routes.count == 13)
    }

    @Test("Upload, plan, draft, publish, members and a member's calendar: every documented route answers")
    func officePath() async throws {
        try await withStore { store, _ in
            let app = Application(router: ServerApplication(store: store).router())
            try await app.test(.router) { client in
                try await client.execute(uri: "/healthz", method: .get) { #expect(String(buffer: $0.body) == "ok") }
                let month: Int = try await client.execute(
                    uri: "/api/months?name=tokushima.json", method: .post, headers: [.contentType: "application/json"],
                    body: ByteBuffer(data: try file("instances/tokushima-2026-12.json"))
                ) { response in
                    #expect(response.status == .created)
                    return (try json(response.body) as! [String: Any])["id"] as! Int
                }
                try await client.execute(uri: "/api/months", method: .get) { response in
                    let list = try json(response.body) as! [[String: Any]]
                    #expect(list.count == 1)
                    #expect(list[0]["periodStart"] as? String == "2026-12-01")
                    #expect(list[0]["label"] as? String == "2026年12月")
                }
                try await client.execute(uri: "/api/months/\(month)/draft", method: .get) { #expect($0.status == .notFound) }
                let run: Int = try await client.execute(
                    uri: "/api/months/\(month)/runs", method: .post, headers: [.contentType: "application/json"],
                    body: ByteBuffer(string: #"{"engine": "greedy", "timeLimit": 5}"#)
                ) { response in
                    #expect(response.status == .accepted)
                    return (try json(response.body) as! [String: Any])["id"] as! Int
                }
                // The events of a run end with `end` when it finishes.
                try await client.execute(uri: "/api/runs/\(run)/events", method: .get) { response in
                    #expect(response.headers[.contentType] == "text/event-stream")
                    let text = String(buffer: response.body)
                    #expect(text.contains("event: end\ndata: {"), "\(text)")
                }
                try await client.execute(uri: "/api/runs/\(run)", method: .get) { response in
                    let state = try json(response.body) as! [String: Any]
                    #expect(state["state"] as? String == "done", "\(state)")
                    #expect((state["incumbent"] as? Double ?? 0) > 0)
                }
                try await client.execute(uri: "/api/months/\(month)/draft", method: .get) { response in
                    #expect(response.status == .ok)
                    #expect(response.headers[.eTag] == "\"1\"")
                    let object = try json(response.body) as! [String: Any]
                    #expect(object["format"] as? String == "rinban-plan/1")
                }
                try await client.execute(uri: "/api/months/\(month)/published", method: .get) { #expect($0.status == .notFound) }
                try await client.execute(
                    uri: "/api/months/\(month)/publish", method: .post, body: ByteBuffer(string: #"{"note": "12月分 初版"}"#)
                ) { response in
                    #expect(response.status == .created)
                    let object = try json(response.body) as! [String: Any]
                    #expect(object["version"] as? Int == 1)
                }
                for uri in ["/api/months/\(month)/published", "/api/months/\(month)/published/1", "/api/months/\(month)"] {
                    try await client.execute(uri: uri, method: .get) { #expect($0.status == .ok, "\(uri)") }
                }
                try await client.execute(uri: "/api/months/\(month)/published/2", method: .get) { #expect($0.status == .notFound) }
                let ics: String = try await client.execute(uri: "/api/months/\(month)/members", method: .get) { response in
                    let members = try json(response.body) as! [[String: Any]]
                    #expect(members.count == 85)
                    let harada = members.first { $0["id"] as? String == "p012" }!
                    return URL(string: harada["icsUrl"] as! String)!.path
                }
                #expect(ics.hasPrefix("/ics/") && ics.hasSuffix(".ics"))
                let published = try JSONSerialization.jsonObject(with: Data(
                    try store.published(month: Int64(month))!.plan.utf8)) as! [String: Any]
                let duties = (published["assignments"] as! [[String: Any]]).filter { $0["member"] as? String == "p012" }
                try await client.execute(uri: ics, method: .get) { response in
                    #expect(response.headers[.contentType] == "text/calendar; charset=utf-8")
                    let text = String(buffer: response.body)
                    #expect(text.hasPrefix("BEGIN:VCALENDAR\r\n"))
                    #expect(text.components(separatedBy: "BEGIN:VEVENT").count - 1 == duties.count)
                    for duty in duties { #expect(text.contains("\(duty["date"] as! String)/\(duty["shift"] as! String)/p012@")) }
                }
                try await client.execute(uri: "/ics/not-a-token.ics", method: .get) { #expect($0.status == .notFound) }
                try await client.execute(uri: "/api/runs/\(run)/events", method: .get) { response in
                    #expect(String(buffer: response.body).hasPrefix("event: end\n"))
                }
            }
        }
    }

    @Test("An invalid upload is refused with every problem and stores nothing; a workbook upload is accepted")
    func uploads() async throws {
        try await withStore { store, _ in
            let app = Application(router: ServerApplication(store: store).router())
            try await app.test(.router) { client in
                try await client.execute(uri: "/api/months", method: .post, headers: [.contentType: "application/json"],
                                         body: ByteBuffer(string: #"{"format": "rinban/1", "period": {"start": "2027-01-01"}}"#)) { response in
                    #expect(response.status == .unprocessableContent)
                    let problems = (try json(response.body) as! [String: Any])["problems"] as! [[String: Any]]
                    #expect(problems.contains { $0["path"] as? String == "period.end" }, "\(problems)")
                    #expect(problems.contains { $0["path"] as? String == "blocks" }, "\(problems)")
                }
                try await client.execute(
                    uri: "/api/months?name=clerk-typo.xlsx", method: .post,
                    headers: [.contentType: ServerApplication.workbookType],
                    body: ByteBuffer(data: try file("Tests/RinbanWorkbookTests/Fixtures/clerk-typo.xlsx"))
                ) { response in
                    #expect(response.status == .unprocessableContent)
                    let problems = (try json(response.body) as! [String: Any])["problems"] as! [[String: Any]]
                    #expect(problems.contains { $0["path"] as? String == "医師!C5" && $0["japanese"] as? String == "診療所 \"c99\" がありません" })
                }
                #expect(try store.months().isEmpty)
                try await client.execute(uri: "/api/months?name=tokushima.xlsx", method: .post,
                                         headers: [.contentType: ServerApplication.workbookType],
                                         body: ByteBuffer(data: try file("examples/tokushima-2026-12.xlsx"))) { response in
                    #expect(response.status == .created)
                }
                #expect(try store.months().map(\.sourceName) == ["tokushima.xlsx"])
            }
        }
    }

    @Test("One run at a time per month: a second start is 409 while the first runs")
    func oneRunAtATime() async throws {
        try await withStore { store, _ in
            let app = Application(router: ServerApplication(store: store).router())
            try await app.test(.router) { client in
                let month: Int = try await client.execute(uri: "/api/months", method: .post,
                                                          body: ByteBuffer(data: try file("instances/takamatsu-2027-04.json"))) {
                    (try json($0.body) as! [String: Any])["id"] as! Int
                }
                let settings = ByteBuffer(string: #"{"engine": "glpk", "timeLimit": 4}"#)
                try await client.execute(uri: "/api/months/\(month)/runs", method: .post, body: settings) { #expect($0.status == .accepted) }
                try await client.execute(uri: "/api/months/\(month)/runs", method: .post, body: settings) { response in
                    #expect(response.status == .conflict)
                    #expect(String(buffer: response.body).contains("計画中"))
                }
                try await client.execute(uri: "/api/months/\(month)/runs", method: .post,
                                         body: ByteBuffer(string: #"{"engine": "fast"}"#)) { #expect($0.status == .unprocessableContent) }
            }
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
