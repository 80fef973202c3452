import Foundation
import GRDB
@testable import RinbanServer
import Testing

private let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent()

private func json(_ data: Data) throws -> Any { try JSONSerialization.jsonObject(with: data) }

/// A person's credentials as the requests send them.
private struct Person {
    var name: String
    var headers: [String: String]
}

/// The session cookie a response set.
private func sessionCookie(_ headers: [String: String]) -> String? {
    guard let header = headers["set-cookie"], let range = header.range(of: #"rinban_session=[^;,]+"#, options: .regularExpression) else { return nil }
    return String(header[range])
}

/// The CSRF token a page carries.
private func csrf(_ page: Data) -> String? {
    let html = String(decoding: page, as: UTF8.self)
    guard let range = html.range(of: #"name="csrf-token" content="[^"]+""#, options: .regularExpression) else { return nil }
    return String(html[range].dropFirst(#"name="csrf-token" content=""#.count).dropLast())
}

/// A published month of the Nagasaki network (it has home-care patients with deputies),
/// a leader of one block and a member with a personal link, both signed in through the
/// browser's paths (password form, link).
private struct World {
    var server: ServerProcess
    let data: String
    let store: Store
    let month: Int
    let plan: [String: Any]
    let memberID: String
    let leaderBlock: String
    var office: Person
    var leader: Person
    var member: Person
    let memberLink: String
    let memberUser: Int64

    static func make(_ server: ServerProcess, data: String) async throws -> World {
        let upload = try server.exchange("POST", "/api/months?name=nagasaki.json",
                                         body: try Data(contentsOf: repository.appendingPathComponent("instances/nagasaki-2027-05.json")))
        #expect(upload.status == 201)
        let month = (try json(upload.body) as! [String: Any])["id"] as! Int
        let run = (try json(try server.request("POST", "/api/months/\(month)/runs", body: Data(#"{"engine": "greedy", "timeLimit": 5}"#.utf8)).body)
            as! [String: Any])["id"] as! Int
        for _ in 0..<300 where (try json(try server.request("GET", "/api/runs/\(run)").body) as! [String: Any])["state"] as? String == "running" {
            try await Task.sleep(for: .milliseconds(100))
        }
        #expect(try server.request("POST", "/api/months/\(month)/publish").status == 201)
        let plan = try json(try server.request("GET", "/api/months/\(month)/published").body) as! [String: Any]
        // A physician with both duties and a deputy patient.
        let deputies = plan["deputies"] as! [[String: Any]]
        let assigned = Set((plan["assignments"] as! [[String: Any]]).map { $0["member"] as! String })
        let memberID = deputies.map { $0["deputy"] as! String }.first { assigned.contains($0) }!
        let instance = try json(try server.request("GET", "/api/months/\(month)/instance").body) as! [String: Any]
        let leaderBlock = ((instance["blocks"] as! [[String: Any]]).first!)["id"] as! String

        let store = try Store(directory: data)
        let accounts = Accounts(store: store)
        let entry = Store.AuditEntry(userId: nil, actor: "test", action: "user.add", target: "test")
        let leaderAccount = try await accounts.add(name: "幹事 一郎", role: "leader", blocks: [leaderBlock], member: nil, audit: entry)
        let memberAccount = try await accounts.add(name: "会員 花子", role: "member", blocks: [], member: memberID, audit: entry)

        // The leader signs in with the form; the member opens their link.
        let form = "name=\(leaderAccount.user.name.addingPercentEncoding(withAllowedCharacters: .alphanumerics)!)&password=\(leaderAccount.password!)"
        let signIn = try server.exchange("POST", "/login", body: Data(form.utf8), type: "application/x-www-form-urlencoded", credentials: [:])
        #expect(signIn.status == 303)
        #expect(signIn.headers["set-cookie"]?.contains("HttpOnly") == true)
        #expect(signIn.headers["set-cookie"]?.contains("SameSite=Lax") == true)
        let leaderCookie = try #require(sessionCookie(signIn.headers))
        let leaderCSRF = try #require(csrf(try server.request("GET", "/", credentials: ["Cookie": leaderCookie]).body))

        let opened = try server.exchange("GET", "/m/\(memberAccount.link!)", credentials: [:])
        #expect(opened.status == 303)
        #expect(opened.headers["location"] == "/me")
        let memberCookie = try #require(sessionCookie(opened.headers))
        let memberCSRF = try #require(csrf(try server.request("GET", "/me", credentials: ["Cookie": memberCookie]).body))

        return World(server: server, data: data, store: store, month: month, plan: plan, memberID: memberID, leaderBlock: leaderBlock,
                     office: Person(name: "office", headers: ["Authorization": "Bearer \(server.officeToken)"]),
                     leader: Person(name: "leader", headers: ["Cookie": leaderCookie, "X-CSRF-Token": leaderCSRF]),
                     member: Person(name: "member", headers: ["Cookie": memberCookie, "X-CSRF-Token": memberCSRF]),
                     memberLink: memberAccount.link!, memberUser: memberAccount.user.id)
    }
}

extension World {
    /// Another member with an account, signed in through their link.
    func signIn(member id: String) throws -> Person {
        let entry = Store.AuditEntry(userId: nil, actor: "test", action: "user.add", target: id)
        let user = try store.addUser(name: "会員 \(id)", role: .member, blocks: [], member: id, passwordHash: nil, audit: entry)
        let link = try store.issue(.link, user: user.id, lifetime: nil)
        let opened = try server.exchange("GET", "/m/\(link)", credentials: [:])
        let cookie = try #require(sessionCookie(opened.headers))
        let token = try #require(csrf(try server.request("GET", "/me", credentials: ["Cookie": cookie]).body))
        return Person(name: id, headers: ["Cookie": cookie, "X-CSRF-Token": token])
    }

    /// A member of the leader's block with a published duty.
    func leaderBlockDuty() throws -> (member: String, date: String) {
        let view = try json(try server.request("GET", "/api/months/\(month)/published/1/view").body) as! [String: Any]
        let blockMembers = Set((view["members"] as! [[String: Any]]).filter { $0["block"] as? String == leaderBlock }.map { $0["id"] as! String })
        let duty = (plan["assignments"] as! [[String: Any]]).first { blockMembers.contains($0["member"] as! String) }!
        return (duty["member"] as! String, duty["date"] as! String)
    }

    /// The leader's what-if: one of their block's members away on the day of one of their duties.
    func leaderWhatIf(headers: [String: String]? = nil) throws -> Int {
        let (member, date) = try leaderBlockDuty()
        let change = Data("""
            {"format": "rinban-change/1", "description": "不在", "changes": [{"change": "unavailable", "member": "\(member)", "date": "\(date)"}]}
            """.utf8)
        let made = try server.request("POST", "/api/months/\(month)/whatif", body: change, credentials: headers ?? leader.headers)
        #expect(made.status == 201, "\(String(decoding: made.body, as: UTF8.self))")
        return (try json(made.body) as! [String: Any])["id"] as! Int
    }
}

private func withWorld(_ body: (inout World) throws -> Void) async throws {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("rinban-people-\(UUID().uuidString)").path
    defer { try? FileManager.default.removeItem(atPath: dir) }
    let server = try ServerProcess(data: dir)
    var world: World
    do { world = try await World.make(server, data: dir) } catch { server.kill(); throw error }
    defer { world.server.kill() }
    try body(&world)
}

@Suite("rinban serve: people, roles, links, collection and the audit trail")
struct PeopleTests {
    /// What each role may do, written from the issue's table, not from `Policy`.
    static let allowed: [String: Set<String>] = {
        let open: Set = ["GET /healthz", "GET /ics/{token}.ics", "GET /login", "POST /login", "GET /m/{token}", "GET /assets/{name}"]
        let signedIn: Set = ["GET /api/me", "POST /logout", "GET /", "GET /api/months", "GET /api/months/{id}",
                             "GET /api/months/{id}/published", "GET /api/months/{id}/published/{version}"]
        let proposals: Set = ["GET /api/months/{id}/proposals", "GET /api/proposals/{id}", "POST /api/proposals/{id}/withdraw"]
        let own: Set = ["GET /api/months/{id}/mine", "POST /api/months/{id}/mine/availability", "GET /me",
                        "GET /api/months/{id}/mine/swap-candidates", "POST /api/months/{id}/swaps", "POST /api/proposals/{id}/accept"]
        let member = open.union(signedIn).union(proposals).union(own)
        let leader = open.union(signedIn).union(proposals).union([
            "GET /api/months/{id}/published/{version}/view", "GET /api/months/{id}/published/{version}/cover",
            "POST /api/months/{id}/whatif", "POST /api/months/{id}/cover", "POST /api/proposals/{id}/submit",
            "POST /api/proposals/{id}/publish", "POST /api/proposals/{id}/reject", "POST /api/proposals/{id}/rebase", "GET /months/{id}/block",
        ])
        let everything = Set(ServerApplication.routes.map(\.key))
        let office = everything.subtracting(own)
        return ["anonymous": open, "member": member, "leader": leader, "office": office]
    }()

    @Test("Every documented route with every role: the allowed set is exactly the table; refusals are 401 (or sign-in), 404 for readings, 403 for changes")
    func roleMatrix() async throws {
        try await withWorld { (world: inout World) throws in
            let server = world.server
            // Someone to be the `{id}` of the user routes (revoking them harms nobody else).
            let victim = try world.store.addUser(name: "victim", role: .member, blocks: [], member: "nobody", passwordHash: nil,
                                                 audit: .init(userId: nil, actor: "test", action: "user.add", target: "victim"))
            // A proposal of the leader's block, to be the `{id}` of the proposal routes.
            let proposal = try world.leaderWhatIf()
            let people = [Person(name: "anonymous", headers: [:]), world.member, world.leader, world.office]
            // Signing out last, so every other route sees a live session.
            let routes = ServerApplication.routes.sorted { ($0.path == "/logout" ? 1 : 0) < ($1.path == "/logout" ? 1 : 0) }
            var refusedBody = 0
            for person in people {
                var allowed: Set<String> = []
                for route in routes {
                    var path = route.path.replacingOccurrences(of: "{version}", with: "1")
                        .replacingOccurrences(of: "{member}", with: world.memberID)
                        .replacingOccurrences(of: "{token}", with: "not-a-token")
                        .replacingOccurrences(of: "{name}", with: route.path.hasPrefix("/assets") ? "app.css" : "plan.json")
                    if path.hasPrefix("/api/runs/") { path = path.replacingOccurrences(of: "{id}", with: "1") }
                    else if path.hasPrefix("/api/users/") { path = path.replacingOccurrences(of: "{id}", with: String(victim.id)) }
                    else if path.hasPrefix("/api/proposals/") { path = path.replacingOccurrences(of: "{id}", with: String(proposal)) }
                    else { path = path.replacingOccurrences(of: "{id}", with: String(world.month)) }
                    let body: Data? = route.method == "GET" ? nil : Data("{}".utf8)
                    let answer = try server.exchange(route.method, path, body: body, credentials: person.headers)
                    let text = String(decoding: answer.body, as: UTF8.self)
                    let refused: Bool
                    switch answer.status {
                    case 401: refused = text.contains("sign in first")
                    case 303: refused = answer.headers["location"]?.hasPrefix("/login?next=") == true
                    case 404: refused = text.contains("見つかりません / not found")
                    case 403: refused = text.contains("not allowed for your role")
                    default: refused = false
                    }
                    #expect(answer.status < 500, "\(person.name) \(route.key): \(answer.status)")
                    if refused {
                        refusedBody += 1
                        // Who is signed in learns nothing: a reading is 404, a change 403; nobody is asked to sign in again.
                        if person.name == "anonymous" {
                            #expect(answer.status == (route.path.hasPrefix("/api/") || route.method != "GET" ? 401 : 303), "\(route.key)")
                        } else {
                            #expect(answer.status == (route.method == "GET" ? 404 : 403), "\(person.name) \(route.key)")
                        }
                    } else {
                        allowed.insert(route.key)
                    }
                }
                #expect(allowed == Self.allowed[person.name]!, "\(person.name): extra \(allowed.subtracting(Self.allowed[person.name]!)), missing \(Self.allowed[person.name]!.subtracting(allowed))")
            }
            #expect(refusedBody > 50)
        }
    }

    @Test("A member sees only their own duties and patients; another member's or the office's data is 404, even by guessing ids")
    func memberSeesOnlyTheirOwn() async throws {
        try await withWorld { (world: inout World) throws in
            let server = world.server, member = world.member.headers, month = world.month
            let published = try json(try server.request("GET", "/api/months/\(month)/published", credentials: member).body) as! [String: Any]
            let assignments = published["assignments"] as! [[String: Any]]
            let all = (world.plan["assignments"] as! [[String: Any]]).filter { $0["member"] as? String == world.memberID }
            #expect(!assignments.isEmpty)
            #expect(assignments.count == all.count)
            #expect(assignments.allSatisfy { $0["member"] as? String == world.memberID })
            let deputies = published["deputies"] as! [[String: Any]]
            #expect(!deputies.isEmpty && deputies.allSatisfy { $0["deputy"] as? String == world.memberID })
            #expect((published["designations"] as! [Any]).isEmpty)
            #expect((published["respite"] as! [Any]).isEmpty)

            let mine = try json(try server.request("GET", "/api/months/\(month)/mine", credentials: member).body) as! [String: Any]
            #expect(mine["member"] as? String == world.memberID)
            #expect((mine["duties"] as! [Any]).count == all.count)
            #expect((mine["patients"] as! [String]).sorted() == deputies.map { $0["patient"] as! String }.sorted())

            // Guessing: other months, other people's things, the office's views.
            for path in ["/api/months/\(month + 1)/mine", "/api/months/999999/mine", "/api/months/\(month)/availability",
                         "/api/months/\(month)/instance", "/api/months/\(month)/draft", "/api/months/\(month)/members",
                         "/api/months/\(month)/published/1/view", "/api/months/\(month)/published/1/files/plan.json",
                         "/api/users", "/api/audit", "/api/months/\(month)/collection", "/months/\(month)"] {
                #expect(try server.request("GET", path, credentials: member).status == 404, "\(path)")
            }
            // The month summary does not tell them a draft or a run exists.
            let summary = try json(try server.request("GET", "/api/months/\(month)", credentials: member).body) as! [String: Any]
            #expect(summary["draftVersion"] == nil && summary["lastRun"] == nil)
            #expect(summary["publishedVersion"] as? Int == 1)

            // A leader sees their block's areas and members only, and no patients.
            let leaderPlan = try json(try server.request("GET", "/api/months/\(month)/published", credentials: world.leader.headers).body)
                as! [String: Any]
            #expect((leaderPlan["deputies"] as! [Any]).isEmpty)
            let view = try json(try server.request("GET", "/api/months/\(month)/published/1/view", credentials: world.leader.headers).body)
                as! [String: Any]
            let columns = view["columns"] as! [[String: Any]]
            #expect(!columns.isEmpty && columns.allSatisfy { ($0["blocks"] as! [String]).contains(world.leaderBlock) })
            #expect((view["members"] as! [[String: Any]]).allSatisfy { $0["block"] as? String == world.leaderBlock })
        }
    }

    @Test("Changes need the session's CSRF token and this site's origin; a request without credentials is 401")
    func csrfAndOrigin() async throws {
        try await withWorld { (world: inout World) throws in
            let server = world.server, path = "/api/months/\(world.month)/mine/availability"
            let payload = Data(#"{"marks": [], "note": ""}"#.utf8)
            let cookie = world.member.headers["Cookie"]!
            let cookieOnly = ["Cookie": cookie], wrongToken = ["Cookie": cookie, "X-CSRF-Token": "wrong"]
            #expect(try server.request("POST", path, body: payload, credentials: cookieOnly).status == 403)
            #expect(try server.request("POST", path, body: payload, credentials: wrongToken).status == 403)
            let nobody: [String: String] = [:]
            #expect(try server.request("POST", path, body: payload, credentials: nobody).status == 401)
            var evil = world.member.headers
            evil["Origin"] = "http://evil.example"
            #expect(try server.request("POST", path, body: payload, credentials: evil).status == 403)
            // The office's pages too: publishing from a session without the token is refused.
            let leaderCookie = ["Cookie": world.leader.headers["Cookie"]!]
            #expect(try server.request("POST", "/api/months/\(world.month)/publish", credentials: leaderCookie).status == 403)
            // With everything right the change reaches the handler (collection is not open: 409).
            #expect(try server.request("POST", path, body: payload, credentials: world.member.headers).status == 409)
        }
    }

    @Test("A renewed link stops the old link and its sessions at once; a revoked person's token and sessions stop at once")
    func revocation() async throws {
        try await withWorld { (world: inout World) throws in
            let server = world.server, mine = "/api/months/\(world.month)/mine"
            #expect(try server.request("GET", mine, credentials: world.member.headers).status == 200)
            let renewed = try server.exchange("POST", "/api/users/\(world.memberUser)/link")
            #expect(renewed.status == 201)
            #expect(try server.request("GET", mine, credentials: world.member.headers).status == 401)
            let nobody: [String: String] = [:]
            #expect(try server.exchange("GET", "/m/\(world.memberLink)", credentials: nobody).status == 404)
            let link = try #require((try json(renewed.body) as! [String: Any])["link"] as? String)
            let opened = try server.exchange("GET", String(link[link.range(of: "/m/")!.lowerBound...]), credentials: [:])
            #expect(opened.status == 303)
            let cookie = try #require(sessionCookie(opened.headers))
            let renewedSession = ["Cookie": cookie]
            #expect(try server.request("GET", mine, credentials: renewedSession).status == 200)

            // Revoking the leader: their session ends; a token of theirs too.
            let leader = try #require(try world.store.user(named: "幹事 一郎"))
            let token = try world.store.issueAPIToken(user: leader.id, audit: .init(userId: nil, actor: "test", action: "token.new", target: "leader"))
            let bearer = ["Authorization": "Bearer \(token)"]
            #expect(try server.request("GET", "/api/me", credentials: bearer).status == 200)
            #expect(try server.request("POST", "/api/users/\(leader.id)/revoke").status == 200)
            #expect(try server.request("GET", "/api/me", credentials: bearer).status == 401)
            #expect(try server.request("GET", "/api/me", credentials: world.leader.headers).status == 401)
            // Signing in again with the right password does not work either.
            #expect(try server.request("GET", "/api/months", credentials: world.leader.headers).status == 401)
        }
    }

    @Test("Collection by link: closed before opening and after the deadline; an answer replaces the member's marks and reaches the office's grid and list")
    func collection() async throws {
        try await withWorld { (world: inout World) throws in
            let server = world.server, month = world.month, member = world.member.headers
            let mine = try json(try server.request("GET", "/api/months/\(month)/mine", credentials: member).body) as! [String: Any]
            let dates = (mine["dates"] as! [[String: Any]]).map { $0["date"] as! String }
            let shift = ((mine["shifts"] as! [[String: Any]]).last!)["id"] as! String
            let answer = Data("""
                {"marks": [{"date": "\(dates[2])", "kind": "unavailable"}, {"date": "\(dates[9])", "shift": "\(shift)", "kind": "avoid"}], "note": "学会で不在"}
                """.utf8)
            let path = "/api/months/\(month)/mine/availability"
            #expect(try server.request("POST", path, body: answer, credentials: member).status == 409)
            #expect(try server.request("PUT", "/api/months/\(month)/collection", body: Data(#"{"deadline": "2099-12-31"}"#.utf8)).status == 200)
            #expect(try server.request("POST", path, body: answer, credentials: member).status == 200)
            // A duty the office pinned cannot be answered away; the member is told to call, at the mark.
            let held = (world.plan["assignments"] as! [[String: Any]]).first { $0["member"] as? String == world.memberID }!
            let pin = try JSONSerialization.data(withJSONObject: ["duty": held["duty"]!, "area": held["area"]!, "date": held["date"]!,
                                                                  "shift": held["shift"]!, "member": world.memberID, "pinned": true])
            #expect(try server.request("POST", "/api/months/\(month)/pins", body: pin).status == 200)
            let pinnedAway = try server.request("POST", path, body: Data(#"{"marks": [{"date": "\#(dates[0])", "kind": "avoid"}, {"date": "\#(held["date"]!)", "kind": "unavailable"}]}"#.utf8), credentials: member)
            #expect(pinnedAway.status == 422)
            let refusal = String(decoding: pinnedAway.body, as: UTF8.self)
            #expect(refusal.contains("marks[1]") && refusal.contains("固定"))
            // A mark outside the period is refused at its own index.
            let bad = try server.request("POST", path, body: Data(#"{"marks": [{"date": "1999-01-01", "kind": "unavailable"}]}"#.utf8), credentials: member)
            #expect(bad.status == 422)
            #expect(String(decoding: bad.body, as: UTF8.self).contains("marks[0].date"))

            let grid = try json(try server.request("GET", "/api/months/\(month)/availability").body) as! [String: Any]
            let marks = (grid["marks"] as! [[String: Any]]).filter { $0["member"] as? String == world.memberID }
            #expect(marks.count == 2)
            #expect(marks.contains { $0["date"] as? String == dates[2] && $0["kind"] as? String == "unavailable" && $0["shift"] == nil })
            #expect(marks.contains { $0["date"] as? String == dates[9] && $0["kind"] as? String == "avoid" && $0["shift"] as? String == shift })
            let collection = try json(try server.request("GET", "/api/months/\(month)/collection").body) as! [String: Any]
            let answered = collection["answered"] as! [[String: Any]]
            #expect(answered.count == 1 && answered[0]["member"] as? String == world.memberID && answered[0]["note"] as? String == "学会で不在")
            #expect(!(collection["waiting"] as! [[String: Any]]).contains { $0["member"] as? String == world.memberID })

            // A second answer replaces the first (one day now); after the deadline nothing changes.
            let second = Data(#"{"marks": [{"date": "\#(dates[4])", "kind": "avoid"}]}"#.utf8)
            #expect(try server.request("POST", path, body: second, credentials: member).status == 200)
            #expect(try server.request("PUT", "/api/months/\(month)/collection", body: Data(#"{"deadline": "2000-01-01"}"#.utf8)).status == 200)
            #expect(try server.request("POST", path, body: answer, credentials: member).status == 409)
            let after = try json(try server.request("GET", "/api/months/\(month)/availability").body) as! [String: Any]
            let left = (after["marks"] as! [[String: Any]]).filter { $0["member"] as? String == world.memberID }
            #expect(left.count == 1 && left[0]["date"] as? String == dates[4])
        }
    }

    @Test("Every change is in the audit trail with who and before/after; the trail is append-only and exports as CSV")
    func auditTrail() async throws {
        try await withWorld { (world: inout World) throws in
            let server = world.server, month = world.month
            #expect(try server.request("PUT", "/api/months/\(month)/collection", body: Data(#"{"deadline": "2099-12-31"}"#.utf8)).status == 200)
            let answer = Data(#"{"marks": [], "note": "なし"}"#.utf8)
            #expect(try server.request("POST", "/api/months/\(month)/mine/availability", body: answer, credentials: world.member.headers).status == 200)
            let entries = try json(try server.request("GET", "/api/audit").body) as! [[String: Any]]
            let actions = entries.map { $0["action"] as! String }
            for expected in ["month.upload", "run.start", "run.end", "publish", "user.add", "sign-in", "collection.open", "availability.answer"] {
                #expect(actions.contains(expected), "\(expected)")
            }
            let answered = try #require(entries.first { $0["action"] as? String == "availability.answer" })
            #expect(answered["actor"] as? String == "会員 花子")
            #expect(answered["month"] as? Int == month)
            #expect((answered["after"] as? String)?.contains("メモ: なし") == true)
            let signIn = try #require(entries.first { $0["action"] as? String == "sign-in" })
            #expect(signIn["actor"] as? String == "幹事 一郎")

            let csv = try server.exchange("GET", "/api/audit?format=csv")
            #expect(csv.headers["content-type"]?.hasPrefix("text/csv") == true)
            let lines = String(decoding: csv.body, as: UTF8.self).split(separator: "\r\n")
            #expect(lines.count == entries.count + 1)
            #expect(lines[0].hasSuffix("id,日時,誰,操作,月,対象,前,後"))

            // The database itself refuses to change or remove an entry.
            let pool = world.store.pool
            #expect(throws: (any Error).self) { try pool.write { db in try db.execute(sql: "UPDATE audit SET actor = 'x'") } }
            #expect(throws: (any Error).self) { try pool.write { db in try db.execute(sql: "DELETE FROM audit") } }
        }
    }

    @Test("Sign-in: a wrong password is 401; the sixth failure for a name is 429 with Retry-After, even with the right password")
    func signInLimits() async throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("rinban-signin-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let server = try ServerProcess(data: dir)
        defer { server.kill() }
        let store = try Store(directory: dir)
        let added = try await Accounts(store: store).add(name: "office2", role: "office", blocks: [], member: nil,
                                                         audit: .init(userId: nil, actor: "test", action: "user.add", target: "office2"))
        func attempt(_ password: String) throws -> (status: Int, headers: [String: String]) {
            let answer = try server.exchange("POST", "/login", body: Data("name=office2&password=\(password)&next=/people".utf8),
                                             type: "application/x-www-form-urlencoded", credentials: [:])
            return (answer.status, answer.headers)
        }
        let right = try attempt(added.password!)
        #expect(right.status == 303 && right.headers["location"] == "/people")
        for _ in 0..<5 { #expect(try attempt("wrong-password").status == 401) }
        let limited = try attempt(added.password!)
        #expect(limited.status == 429)
        #expect(Int(limited.headers["retry-after"] ?? "") ?? 0 > 0)
        // Raw bytes and broken escapes in the form are a failed sign-in, never a crash.
        let odd = try server.exchange("POST", "/login", body: Data([0x6E, 0x61, 0x6D, 0x65, 0x3D, 0xFF, 0x25, 0x26, 0x25, 0x7A]),
                                      type: "application/x-www-form-urlencoded", credentials: [:])
        #expect(odd.status == 401)
        let nobody: [String: String] = [:]
        #expect(try server.request("GET", "/healthz", credentials: nobody).status == 200)
        // An open redirect is not possible: `next` stays on this server.
        #expect(ServerApplication.safeNext("//evil.example/x") == "/")
        #expect(ServerApplication.safeNext("https://evil.example") == "/")
        #expect(ServerApplication.safeNext("/months/3") == "/months/3")
    }
}

@Suite("rinban serve: leaders' what-ifs and covers on the published version")
struct ProposalTests {
    @Test("A leader's what-if: the absent member leaves the cell, the office publishes it, the member's page and calendar follow")
    func whatIfToPublished() async throws {
        try await withWorld { (world: inout World) throws in
            let server = world.server, month = world.month
            let (absent, date) = try world.leaderBlockDuty()
            let id = try world.leaderWhatIf()
            let proposal = try json(try server.request("GET", "/api/proposals/\(id)", credentials: world.leader.headers).body) as! [String: Any]
            #expect(proposal["state"] as? String == "proposed")
            #expect((proposal["blocks"] as! [String]).contains(world.leaderBlock))
            let summary = proposal["summary"] as! [String: Any]
            let cells = summary["cells"] as! [[String: Any]]
            #expect(cells.contains { $0["date"] as? String == date && ($0["removed"] as! [[String: Any]]).contains { $0["id"] as? String == absent } })
            #expect((summary["violations"] as! [Any]).isEmpty)
            #expect((summary["terms"] as! [[String: Any]]).contains { $0["term"] as? String == "stability" })

            // The leader submits (the office's rule keeps publishing for the office); the office publishes.
            let submitted = try server.request("POST", "/api/proposals/\(id)/submit", credentials: world.leader.headers)
            #expect(submitted.status == 200)
            #expect((try json(submitted.body) as! [String: Any])["state"] as? String == "submitted")
            #expect(try server.request("POST", "/api/proposals/\(id)/publish", credentials: world.leader.headers).status == 403)
            let published = try server.request("POST", "/api/proposals/\(id)/publish")
            #expect(published.status == 201)
            #expect((try json(published.body) as! [String: Any])["version"] as? Int == 2)
            let plan = try json(try server.request("GET", "/api/months/\(month)/published/2").body) as! [String: Any]
            #expect(!(plan["assignments"] as! [[String: Any]]).contains { $0["member"] as? String == absent && $0["date"] as? String == date })
            // The office's working instance keeps the absence for the next plan run.
            let grid = try json(try server.request("GET", "/api/months/\(month)/availability").body) as! [String: Any]
            #expect((grid["marks"] as! [[String: Any]]).contains { $0["member"] as? String == absent && $0["date"] as? String == date })
            // The version's own instance has it too, and its evaluation breaks no rule.
            let view = try json(try server.request("GET", "/api/months/\(month)/published/2/view").body) as! [String: Any]
            #expect((view["violations"] as! [Any]).isEmpty)
            // The absent member's calendar no longer has that duty.
            let members = try json(try server.request("GET", "/api/months/\(month)/members").body) as! [[String: Any]]
            let url = (members.first { $0["id"] as? String == absent }!)["icsUrl"] as! String
            let ics = String(decoding: try server.request("GET", String(url[url.range(of: "/ics/")!.lowerBound...]), credentials: [:]).body,
                             as: UTF8.self)
            let compact = date.replacingOccurrences(of: "-", with: "")
            #expect(!ics.contains("DTSTART;VALUE=DATE:\(compact)") && !ics.contains("DTSTART:\(compact)T"))
        }
    }

    @Test("Two what-ifs on the same version: the second is told to rebase, loses nothing, and publishes after rebasing")
    func secondWhatIfRebases() async throws {
        try await withWorld { (world: inout World) throws in
            let server = world.server, month = world.month
            let first = try world.leaderWhatIf()
            let second = try world.leaderWhatIf(headers: world.office.headers)
            #expect(try server.request("POST", "/api/proposals/\(first)/publish").status == 201)
            let refused = try server.request("POST", "/api/proposals/\(second)/publish")
            #expect(refused.status == 409)
            let body = try json(refused.body) as! [String: Any]
            #expect(body["rebase"] as? Bool == true && body["latestVersion"] as? Int == 2)
            let kept = try json(try server.request("GET", "/api/proposals/\(second)").body) as! [String: Any]
            #expect(kept["state"] as? String == "proposed" && kept["stale"] as? Bool == true)
            let rebased = try server.request("POST", "/api/proposals/\(second)/rebase")
            #expect(rebased.status == 201)
            let again = try json(rebased.body) as! [String: Any]
            #expect(again["baseVersion"] as? Int == 2 && again["stale"] as? Bool == false)
            let old = try json(try server.request("GET", "/api/proposals/\(second)").body) as! [String: Any]
            #expect(old["state"] as? String == "rebased" && old["rebasedTo"] as? Int == again["id"] as? Int)
            #expect(try server.request("POST", "/api/proposals/\(again["id"] as! Int)/publish").status == 201)
            let versions = try json(try server.request("GET", "/api/months/\(month)/published/3").body) as! [String: Any]
            #expect(!(versions["assignments"] as! [Any]).isEmpty)
        }
    }

    @Test("A leader may change only their blocks, and no patient data; the cover of a slot elsewhere is 404")
    func leaderScope() async throws {
        try await withWorld { (world: inout World) throws in
            let server = world.server, month = world.month
            let view = try json(try server.request("GET", "/api/months/\(month)/published/1/view").body) as! [String: Any]
            let other = (view["members"] as! [[String: Any]]).first { $0["block"] as? String != world.leaderBlock }!["id"] as! String
            let outside = Data(#"{"format": "rinban-change/1", "changes": [{"change": "unavailable", "member": "\#(other)", "date": "2027-05-10"}]}"#.utf8)
            let refused = try server.request("POST", "/api/months/\(month)/whatif", body: outside, credentials: world.leader.headers)
            #expect(refused.status == 403)
            #expect(String(decoding: refused.body, as: UTF8.self).contains("changes[0]"))
            let patient = Data(#"{"format": "rinban-change/1", "changes": [{"change": "removeHomePatient", "patient": "x"}]}"#.utf8)
            #expect(try server.request("POST", "/api/months/\(month)/whatif", body: patient, credentials: world.leader.headers).status == 403)
            // The office may do the same.
            #expect(try server.request("POST", "/api/months/\(month)/whatif", body: outside).status == 201)
            // An office what-if that touches a patient: the leader of the block sees the cells, not the patient lines.
            let instance = try json(try server.request("GET", "/api/months/\(month)/instance").body) as! [String: Any]
            let homePatient = (((instance["deputies"] as! [String: Any])["patients"] as! [[String: Any]])[0])["id"] as! String
            let (absent, absentOn) = try world.leaderBlockDuty()
            let mixed = Data("""
                {"format": "rinban-change/1", "changes": [{"change": "unavailable", "member": "\(absent)", "date": "\(absentOn)"},
                 {"change": "removeHomePatient", "patient": "\(homePatient)"}]}
                """.utf8)
            let made = try server.request("POST", "/api/months/\(month)/whatif", body: mixed)
            #expect(made.status == 201)
            let id = (try json(made.body) as! [String: Any])["id"] as! Int
            let asOffice = try json(try server.request("GET", "/api/proposals/\(id)").body) as! [String: Any]
            #expect(((asOffice["summary"] as! [String: Any])["changes"] as! [String]).joined().contains(homePatient))
            let asLeader = try json(try server.request("GET", "/api/proposals/\(id)", credentials: world.leader.headers).body) as! [String: Any]
            #expect(((asLeader["summary"] as! [String: Any])["changes"] as! [String]).isEmpty)
            #expect(!String(decoding: try server.request("GET", "/api/proposals/\(id)", credentials: world.leader.headers).body, as: UTF8.self).contains(homePatient))

            let columns = view["columns"] as! [[String: Any]]
            let foreign = try #require(columns.first { !($0["blocks"] as! [String]).contains(world.leaderBlock) })
            let date = (view["dates"] as! [[String: Any]])[3]["date"] as! String
            let query = "duty=\(foreign["duty"]!)&area=\(foreign["area"]!)&date=\(date)&shift=\(foreign["shift"]!)"
            #expect(try server.request("GET", "/api/months/\(month)/published/1/cover?\(query)", credentials: world.leader.headers).status == 404)
            #expect(try server.request("GET", "/api/months/\(month)/published/1/cover?\(query)").status != 404)
        }
    }

    @Test("Cover tonight: the leader asks the first candidate; with the office's rule the leader publishes it; the new version keeps every hard rule")
    func coverPublishedByLeader() async throws {
        try await withWorld { (world: inout World) throws in
            let server = world.server, month = world.month
            #expect(try server.request("PUT", "/api/rules", body: Data(#"{"leadersPublish": true, "swapAutoApprove": null}"#.utf8)).status == 200)
            let (absent, date) = try world.leaderBlockDuty()
            let duty = (world.plan["assignments"] as! [[String: Any]]).first { $0["member"] as? String == absent && $0["date"] as? String == date }!
            let slot = "duty=\(duty["duty"]!)&area=\(duty["area"]!)&date=\(date)&shift=\(duty["shift"]!)"
            let cover = try json(try server.request("GET", "/api/months/\(month)/published/1/cover?\(slot)&exclude=\(absent)",
                                                    credentials: world.leader.headers).body) as! [String: Any]
            let first = try #require((cover["candidates"] as! [[String: Any]]).first)
            let ask = Data("""
                {"duty": "\(duty["duty"]!)", "area": "\(duty["area"]!)", "date": "\(date)", "shift": "\(duty["shift"]!)", "member": "\(first["member"]!)", "exclude": "\(absent)"}
                """.utf8)
            let made = try server.request("POST", "/api/months/\(month)/cover", body: ask, credentials: world.leader.headers)
            #expect(made.status == 201)
            let proposal = try json(made.body) as! [String: Any]
            let summary = proposal["summary"] as! [String: Any]
            #expect((summary["violations"] as! [Any]).isEmpty)
            // The objective rises by exactly the ranked increase.
            let rise = (summary["totalAfter"] as! Double) - (summary["totalBefore"] as! Double)
            #expect(abs(rise - (first["increase"] as! Double)) < 1e-6)
            let submitted = try server.request("POST", "/api/proposals/\(proposal["id"] as! Int)/submit", credentials: world.leader.headers)
            #expect(submitted.status == 201)
            let plan = try json(try server.request("GET", "/api/months/\(month)/published/2").body) as! [String: Any]
            let cell = (plan["assignments"] as! [[String: Any]]).filter {
                $0["date"] as? String == date && $0["duty"] as? String == duty["duty"] as? String && $0["area"] as? String == duty["area"] as? String
                    && $0["shift"] as? String == duty["shift"] as? String
            }.map { $0["member"] as! String }
            #expect(cell.contains(first["member"] as! String) && !cell.contains(absent))
            let view = try json(try server.request("GET", "/api/months/\(month)/published/2/view").body) as! [String: Any]
            #expect((view["violations"] as! [Any]).isEmpty)
        }
    }
}

@Suite("rinban serve: members' swaps")
struct SwapTests {
    @Test("A swap: candidates keep every hard rule; a named colleague who would break a rest rule is refused with the rule; accepted, approved, published; the acceptor's calendar has it; history kept")
    func swapToPublished() async throws {
        try await withWorld { (world: inout World) throws in
            let server = world.server, month = world.month, member = world.member.headers
            let mine = try json(try server.request("GET", "/api/months/\(month)/mine", credentials: member).body) as! [String: Any]
            let duty = (mine["duties"] as! [[String: Any]])[0]
            let slot = "duty=\(duty["duty"]!)&area=\(duty["area"]!)&date=\(duty["date"]!)&shift=\(duty["shift"]!)"
            let candidates = try json(try server.request("GET", "/api/months/\(month)/mine/swap-candidates?\(slot)", credentials: member).body)
                as! [String: Any]
            let list = candidates["candidates"] as! [[String: Any]]
            #expect(!list.isEmpty)
            #expect(!(list.map { $0["member"] as! String }).contains(world.memberID))

            let body = { (d: [String: Any], to: String?) in
                Data(#"{"duty": "\#(d["duty"]!)", "area": "\#(d["area"]!)", "date": "\#(d["date"]!)", "shift": "\#(d["shift"]!)", "to": \#(to.map { "\"\($0)\"" } ?? "null")}"#.utf8)
            }
            // A colleague who is on duty too close to one of my duties: refused, the rule named.
            var refusedOnce = false
            let formatter = ISO8601DateFormatter()
            formatter.formatOptions = [.withFullDate]
            func dayApart(_ a: String, _ b: String) -> Bool {
                guard let x = formatter.date(from: a), let y = formatter.date(from: b) else { return false }
                return abs(x.timeIntervalSince(y)) == 86400
            }
            for mineDuty in mine["duties"] as! [[String: Any]] where !refusedOnce {
                // Someone on the same duty and area the day before or after (never on consecutive dates: H4).
                let near = (world.plan["assignments"] as! [[String: Any]]).first {
                    $0["member"] as? String != world.memberID && $0["duty"] as? String == mineDuty["duty"] as? String
                        && $0["area"] as? String == mineDuty["area"] as? String && dayApart($0["date"] as! String, mineDuty["date"] as! String)
                }
                guard let clashing = near?["member"] as? String else { continue }
                let refused = try server.request("POST", "/api/months/\(month)/swaps", body: body(mineDuty, clashing), credentials: member)
                #expect(refused.status == 422)
                let text = String(decoding: refused.body, as: UTF8.self)
                #expect(text.contains("H2") || text.contains("近い当番") || text.contains("当番があり"), "\(text)")
                refusedOnce = true
            }
            #expect(refusedOnce, "no colleague clashes with any of the member's duties")

            // Offered to anyone; the best colleague accepts.
            let offered = try server.request("POST", "/api/months/\(month)/swaps", body: body(duty, nil), credentials: member)
            #expect(offered.status == 201)
            let offer = try json(offered.body) as! [String: Any]
            #expect(offer["state"] as? String == "offered")
            let taker = list[0]["member"] as! String
            let colleague = try world.signIn(member: taker)
            let accepted = try server.request("POST", "/api/proposals/\(offer["id"] as! Int)/accept", credentials: colleague.headers)
            #expect(accepted.status == 200)
            let proposal = try json(accepted.body) as! [String: Any]
            #expect(proposal["state"] as? String == "accepted")
            let summary = proposal["summary"] as! [String: Any]
            #expect((summary["violations"] as! [Any]).isEmpty)
            #expect(abs((summary["totalAfter"] as! Double) - (summary["totalBefore"] as! Double) - (list[0]["increase"] as! Double)) < 1e-6)
            // The offerer cannot approve their own swap; the office (or the block's leader) can.
            #expect(try server.request("POST", "/api/proposals/\(offer["id"] as! Int)/publish", credentials: member).status == 403)
            #expect(try server.request("POST", "/api/proposals/\(offer["id"] as! Int)/publish").status == 201)
            let plan = try json(try server.request("GET", "/api/months/\(month)/published/2").body) as! [String: Any]
            let holders = (plan["assignments"] as! [[String: Any]]).filter {
                $0["date"] as? String == duty["date"] as? String && $0["duty"] as? String == duty["duty"] as? String
                    && $0["area"] as? String == duty["area"] as? String && $0["shift"] as? String == duty["shift"] as? String
            }.map { $0["member"] as! String }
            #expect(holders.contains(taker) && !holders.contains(world.memberID))
            // The taker's calendar follows.
            let theirs = try json(try server.request("GET", "/api/months/\(month)/mine", credentials: colleague.headers).body) as! [String: Any]
            // Their page says what changed in version 2.
            let changes = try #require(theirs["changes"] as? [String: Any])
            #expect(changes["version"] as? Int == 2)
            #expect((changes["added"] as! [[String: Any]]).map { $0["date"] as! String } == [duty["date"] as! String])
            #expect((changes["removed"] as! [Any]).isEmpty)
            let url = theirs["calendarUrl"] as! String
            let ics = String(decoding: try server.request("GET", String(url[url.range(of: "/ics/")!.lowerBound...]), credentials: [:]).body, as: UTF8.self)
            #expect(ics.contains((duty["date"] as! String).replacingOccurrences(of: "-", with: "")))

            // With the office's rule, a cheap swap is published at once; a withdrawn offer stays in the history.
            #expect(try server.request("PUT", "/api/rules", body: Data(#"{"leadersPublish": false, "swapAutoApprove": 1000}"#.utf8)).status == 200)
            let again = try json(try server.request("GET", "/api/months/\(month)/mine", credentials: member).body) as! [String: Any]
            let next = (again["duties"] as! [[String: Any]])[0]
            let nextSlot = "duty=\(next["duty"]!)&area=\(next["area"]!)&date=\(next["date"]!)&shift=\(next["shift"]!)"
            let nextList = (try json(try server.request("GET", "/api/months/\(month)/mine/swap-candidates?\(nextSlot)", credentials: member).body)
                as! [String: Any])["candidates"] as! [[String: Any]]
            let nextTaker = try #require(nextList.first)["member"] as! String
            let second = try json(try server.request("POST", "/api/months/\(month)/swaps", body: body(next, nextTaker), credentials: member).body)
                as! [String: Any]
            let nextColleague = nextTaker == taker ? colleague : try world.signIn(member: nextTaker)
            let auto = try server.request("POST", "/api/proposals/\(second["id"] as! Int)/accept", credentials: nextColleague.headers)
            #expect(auto.status == 201)
            #expect((try json(auto.body) as! [String: Any])["version"] as? Int == 3)
            let now = try json(try server.request("GET", "/api/months/\(month)/mine", credentials: colleague.headers).body) as! [String: Any]
            let left = try #require((now["duties"] as! [[String: Any]]).first)
            let third = try json(try server.request("POST", "/api/months/\(month)/swaps", body: body(left, nil), credentials: colleague.headers).body)
                as! [String: Any]
            #expect(try server.request("POST", "/api/proposals/\(third["id"] as! Int)/withdraw", credentials: colleague.headers).status == 200)
            let history = try json(try server.request("GET", "/api/months/\(month)/proposals").body) as! [[String: Any]]
            #expect(Set(history.filter { $0["kind"] as? String == "swap" }.map { $0["state"] as! String }) == ["published", "withdrawn"])
        }
    }
}

@Suite("rinban serve: a swap approval survives SIGKILL")
struct SwapKillTests {
    @Test("Killed while approving a swap: after a restart the swap is wholly published (version, plan, state) or not at all")
    func killDuringApproval() async throws {
        try await withWorld { (world: inout World) throws in
            let month = world.month
            var people: [String: Person] = [world.memberID: world.member]
            var outcomes: [Bool] = []
            for round in 0..<6 {
                let server = world.server
                let latest = try json(try server.request("GET", "/api/months/\(month)/published").body) as! [String: Any]
                let version = Int(try server.exchange("GET", "/api/months/\(month)/published").headers["etag"]!.trimmingCharacters(in: CharacterSet(charactersIn: "\"")))!
                // Someone signed in who holds a duty offers it; the best direct taker accepts.
                let held = (latest["assignments"] as! [[String: Any]]).first { people[$0["member"] as! String] != nil }!
                let offerer = people[held["member"] as! String]!
                let body = Data(#"{"duty": "\#(held["duty"]!)", "area": "\#(held["area"]!)", "date": "\#(held["date"]!)", "shift": "\#(held["shift"]!)"}"#.utf8)
                let offer = try json(try server.request("POST", "/api/months/\(month)/swaps", body: body, credentials: offerer.headers).body) as! [String: Any]
                let slot = "duty=\(held["duty"]!)&area=\(held["area"]!)&date=\(held["date"]!)&shift=\(held["shift"]!)"
                let list = (try json(try server.request("GET", "/api/months/\(month)/mine/swap-candidates?\(slot)", credentials: offerer.headers).body)
                    as! [String: Any])["candidates"] as! [[String: Any]]
                let taker = list[0]["member"] as! String
                if people[taker] == nil { people[taker] = try world.signIn(member: taker) }
                let id = offer["id"] as! Int
                #expect(try server.request("POST", "/api/proposals/\(id)/accept", credentials: people[taker]!.headers).status == 200)

                // Approve from another thread and kill the server a moment later.
                nonisolated(unsafe) let approver = server
                let done = DispatchSemaphore(value: 0)
                DispatchQueue.global().async {
                    _ = try? approver.request("POST", "/api/proposals/\(id)/publish")
                    done.signal()
                }
                Thread.sleep(forTimeInterval: Double(round % 3) * 0.004)
                server.kill()
                done.wait()
                world.server = try ServerProcess(data: world.data)

                let after = world.server
                let proposal = try json(try after.request("GET", "/api/proposals/\(id)").body) as! [String: Any]
                let now = Int(try after.exchange("GET", "/api/months/\(month)/published").headers["etag"]!.trimmingCharacters(in: CharacterSet(charactersIn: "\"")))!
                if proposal["state"] as? String == "published" {
                    // Wholly applied: the next version, holding the taker in the slot, recorded on the proposal.
                    #expect(now == version + 1 && proposal["version"] as? Int == now)
                    let plan = try json(try after.request("GET", "/api/months/\(month)/published/\(now)").body) as! [String: Any]
                    #expect((plan["assignments"] as! [[String: Any]]).contains {
                        $0["member"] as? String == taker && $0["date"] as? String == held["date"] as? String && $0["duty"] as? String == held["duty"] as? String
                            && $0["area"] as? String == held["area"] as? String && $0["shift"] as? String == held["shift"] as? String
                    })
                    outcomes.append(true)
                } else {
                    // Not at all: still accepted, no new version.
                    #expect(proposal["state"] as? String == "accepted" && now == version && proposal["version"] == nil)
                    #expect(try after.request("POST", "/api/proposals/\(id)/withdraw").status == 200)
                    outcomes.append(false)
                }
                let audit = try json(try after.request("GET", "/api/audit?month=\(month)").body) as! [[String: Any]]
                let published = audit.contains { $0["action"] as? String == "proposal.publish" && $0["target"] as? String == "proposal \(id)" }
                #expect(published == outcomes.last!, "the audit trail agrees with the outcome")
            }
            print("swap approvals killed: published \(outcomes.filter { $0 }.count), not at all \(outcomes.filter { !$0 }.count)")
            #expect(outcomes.count == 6)
        }
    }
}

@Suite("rinban serve: many answers at once")
struct ConcurrentAnswerTests {
    @Test("Forty members answer at the same moment: every answer is stored, none lost, each with its audit entry")
    func fortyAtOnce() async throws {
        try await withWorld { (world: inout World) throws in
            let server = world.server, month = world.month
            #expect(try server.request("PUT", "/api/months/\(month)/collection", body: Data(#"{"deadline": "2099-12-31"}"#.utf8)).status == 200)
            let links = try json(try server.request("POST", "/api/months/\(month)/links").body) as! [[String: Any]]
            let grid = try json(try server.request("GET", "/api/months/\(month)/availability").body) as! [String: Any]
            let dates = (grid["dates"] as! [[String: Any]]).map { $0["date"] as! String }
            var people: [(member: String, headers: [String: String], date: String)] = []
            for (i, link) in links.prefix(40).enumerated() {
                let url = link["link"] as! String
                let opened = try server.exchange("GET", String(url[url.range(of: "/m/")!.lowerBound...]), credentials: [:])
                let cookie = try #require(sessionCookie(opened.headers))
                let token = try #require(csrf(try server.request("GET", "/me", credentials: ["Cookie": cookie]).body))
                people.append((link["member"] as! String, ["Cookie": cookie, "X-CSRF-Token": token], dates[i % dates.count]))
            }
            nonisolated(unsafe) var statuses = [Int](repeating: 0, count: people.count)
            nonisolated(unsafe) let client = server
            let everyone = people
            let lock = NSLock()
            DispatchQueue.concurrentPerform(iterations: everyone.count) { i in
                let body = Data(#"{"marks": [{"date": "\#(everyone[i].date)", "kind": "unavailable"}], "note": "n\#(i)"}"#.utf8)
                let status = (try? client.request("POST", "/api/months/\(month)/mine/availability", body: body, credentials: everyone[i].headers).status) ?? -1
                lock.withLock { statuses[i] = status }
            }
            #expect(statuses.allSatisfy { $0 == 200 }, "\(statuses)")
            let after = try json(try server.request("GET", "/api/months/\(month)/availability").body) as! [String: Any]
            let marks = after["marks"] as! [[String: Any]]
            for person in people {
                let theirs = marks.filter { $0["member"] as? String == person.member }
                #expect(theirs.count == 1 && theirs[0]["date"] as? String == person.date && theirs[0]["kind"] as? String == "unavailable", "\(person.member)")
            }
            let collection = try json(try server.request("GET", "/api/months/\(month)/collection").body) as! [String: Any]
            #expect((collection["answered"] as! [Any]).count == people.count)
            let audit = try json(try server.request("GET", "/api/audit?month=\(month)").body) as! [[String: Any]]
            #expect(audit.filter { $0["action"] as? String == "availability.answer" }.count == people.count)
        }
    }
}
