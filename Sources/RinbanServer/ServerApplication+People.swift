import Foundation
import HTTPTypes
import Hummingbird
import RinbanCore

/// Sign-in, people, members' own pages, availability collection and the audit trail.
extension ServerApplication {
    func addPeopleHandlers(_ h: inout [String: Handler]) {
        h["GET /login"] = { request, _ in Pages.signIn(next: Self.safeNext(request.uri.queryParameters.get("next")), error: nil) }
        h["POST /login"] = { request, context in try await self.signIn(request, context) }
        h["POST /logout"] = { request, context in
            if let principal = context.principal { try self.store.revokeCredential(digest: principal.digest) }
            var response = Self.redirect("/login")
            response.setCookie(Self.sessionCookie("", maxAge: 0, request))
            return response
        }
        h["GET /m/{token}"] = { request, context in try self.openLink(request, context) }
        h["GET /api/me"] = { _, context in
            let user = context.principal!.user
            struct Me: Encodable {
                var name: String
                var role: String
                var blocks: [String]
                var member: String?
            }
            return try Self.json(Me(name: user.name, role: user.role.rawValue, blocks: user.blocks, member: user.member))
        }
        h["GET /me"] = { _, _ in Pages.me() }
        h["GET /people"] = { _, _ in Pages.people(months: try self.store.months()) }
        h["GET /api/users"] = { _, _ in try Self.json(try self.store.users().map(UserView.init)) }
        h["POST /api/users"] = { request, context in try await self.addUser(request, context) }
        h["POST /api/users/{id}/link"] = { request, context in
            let user = try self.requireUser(context)
            guard user.role == .member, user.revokedAt == nil else {
                return try Self.problem("id", "リンクはメンバーの有効なアカウントにだけ作れます", "links are for live member accounts only")
            }
            let link = try self.store.issue(.link, user: user.id, lifetime: nil,
                                            audit: self.audit(context, "link.renew", target: "user \(user.name)"))
            return try Self.json(Issued(user: UserView(user), password: nil, link: Self.linkURL(link, request)), status: .created)
        }
        h["POST /api/users/{id}/revoke"] = { _, context in
            let user = try self.requireUser(context)
            guard user.id != context.principal?.user.id else {
                return try Self.problem("id", "自分のアカウントは取り消せません", "you cannot revoke your own account")
            }
            try self.store.revokeUser(id: user.id, audit: self.audit(context, "user.revoke", target: "user \(user.name)"))
            return try Self.json(UserView(try self.store.user(id: user.id)!))
        }
        h["POST /api/months/{id}/links"] = { request, context in try self.linksForMonth(request, context) }
        h["GET /api/audit"] = { request, _ in try self.auditTrail(request) }
        h["GET /api/months/{id}/collection"] = { _, context in try self.collection(context) }
        h["PUT /api/months/{id}/collection"] = { request, context in try await self.openCollection(request, context) }
        h["GET /api/months/{id}/mine"] = { request, context in try self.mine(request, context) }
        h["POST /api/months/{id}/mine/availability"] = { request, context in try await self.answer(request, context) }
    }

    /// An audit entry by the request's person.
    func audit(_ context: RinbanContext, _ action: String, month: Int64? = nil, target: String, before: String? = nil,
               after: String? = nil) -> Store.AuditEntry
    {
        Store.AuditEntry(userId: context.principal?.user.id, actor: context.principal?.user.name ?? "anonymous", action: action,
                         month: month, target: target, before: before, after: after)
    }

    /// The cells a hand edit took away and added, one per line, for the audit trail.
    static func assignmentChange(from before: Plan, to after: Plan) -> (removed: String, added: String) {
        func line(_ a: Assignment) -> String { "\(a.date) \(a.duty) \(a.area) \(a.shift) \(a.member)" }
        let old = Set(before.assignments.map(line)), new = Set(after.assignments.map(line))
        return (old.subtracting(new).sorted().joined(separator: "\n"), new.subtracting(old).sorted().joined(separator: "\n"))
    }

    // MARK: - Signing in

    /// Only a path of this server (never `//elsewhere`): where to go after signing in.
    static func safeNext(_ next: String?) -> String {
        guard let next, next.hasPrefix("/"), !next.hasPrefix("//"), !next.contains("\\") else { return "/" }
        return next
    }

    /// The session cookie: HttpOnly, SameSite=Lax (a member's link opened from a mail or
    /// chat app must arrive signed in; every change also needs the CSRF token), Secure
    /// behind an HTTPS proxy.
    static func sessionCookie(_ value: String, maxAge: Int, _ request: Request) -> Cookie {
        Cookie(name: Session.cookie, value: value, maxAge: maxAge, path: "/",
               secure: request.headers[HTTPField.Name("X-Forwarded-Proto")!]?.lowercased() == "https", httpOnly: true, sameSite: .lax)
    }

    func signIn(_ request: Request, _ context: RinbanContext) async throws -> Response {
        let body = try await request.body.collect(upTo: Limits.small)
        let form = Self.formFields(String(buffer: body))
        let name = form["name"]?.trimmingCharacters(in: .whitespaces) ?? ""
        let next = Self.safeNext(form["next"])
        if let wait = limiter.wait(name: name, address: context.remote) {
            var response = Pages.signIn(next: next, error: "続けて失敗したため、\((wait + 59) / 60) 分ほど待ってからもう一度どうぞ。", status: .tooManyRequests)
            response.headers[.retryAfter] = String(wait)
            return response
        }
        guard let user = try store.user(named: name), user.role != .member, let hash = try store.passwordHash(ofUser: user.id),
              await Passwords.verify(form["password"] ?? "", hash: hash)
        else {
            limiter.failed(name: name, address: context.remote)
            return Pages.signIn(next: next, error: "名前かパスワードが違います。", status: .unauthorized)
        }
        limiter.succeeded(name: name)
        let csrf = Store.newToken()
        let secret = try store.issue(.session, user: user.id, lifetime: Session.passwordLifetime, csrf: csrf,
                                     audit: Store.AuditEntry(userId: user.id, actor: user.name, action: "sign-in", target: "user \(user.name)"))
        var response = Self.redirect(next)
        response.setCookie(Self.sessionCookie(secret, maxAge: Int(Session.passwordLifetime), request))
        return response
    }

    /// The fields of an `application/x-www-form-urlencoded` body. Anything a browser would
    /// not send (bad escapes, raw bytes) reads as an empty value, never as a failure.
    static func formFields(_ body: String) -> [String: String] {
        var fields: [String: String] = [:]
        for pair in body.split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            func decode(_ text: Substring) -> String { String(text).replacingOccurrences(of: "+", with: " ").removingPercentEncoding ?? "" }
            let name = decode(parts[0])
            if fields[name] == nil { fields[name] = parts.count > 1 ? decode(parts[1]) : "" }
        }
        return fields
    }

    /// `GET /m/{token}`: a member's personal link opens a session and their page.
    func openLink(_ request: Request, _ context: RinbanContext) throws -> Response {
        guard let token = context.parameters.get("token"), let live = try store.credential(token), live.kind == .link else {
            return Pages.linkGone()
        }
        let secret = try store.issue(.session, user: live.user.id, lifetime: Session.linkLifetime, csrf: Store.newToken(), viaLink: live.digest)
        var response = Self.redirect("/me")
        response.setCookie(Self.sessionCookie(secret, maxAge: Int(Session.linkLifetime), request))
        return response
    }

    static func linkURL(_ secret: String, _ request: Request) -> String {
        "\(baseURL(request))/m/\(secret)"
    }

    static func baseURL(_ request: Request) -> String {
        let scheme = request.headers[HTTPField.Name("X-Forwarded-Proto")!]?.lowercased() == "https" ? "https" : "http"
        return "\(scheme)://\(request.head.authority ?? "127.0.0.1")"
    }

    // MARK: - People

    struct UserView: Encodable {
        var id: Int64
        var name: String
        var role: String
        var blocks: [String]
        var member: String?
        var createdAt: String
        var revokedAt: String?

        init(_ user: Store.User) {
            id = user.id
            name = user.name
            role = user.role.rawValue
            blocks = user.blocks
            member = user.member
            createdAt = user.createdAt
            revokedAt = user.revokedAt
        }
    }

    /// A new account's secret, shown once.
    struct Issued: Encodable {
        var user: UserView
        var password: String?
        var link: String?
    }

    struct NewUser: Decodable {
        var name: String
        var role: String
        var blocks: [String]?
        var member: String?
    }

    func requireUser(_ context: RinbanContext) throws -> Store.User {
        guard let id = context.parameters.get("id", as: Int64.self), let user = try store.user(id: id) else {
            throw HTTPError(.notFound, message: "その人は登録されていません / no such user")
        }
        return user
    }

    /// `POST /api/users`: adds a person; answers with a one-time password (office, leader)
    /// or the member's personal link.
    func addUser(_ request: Request, _ context: RinbanContext) async throws -> Response {
        guard let new = try await Self.body(NewUser.self, of: request) else {
            return try Self.problem("user", "本文は {\"name\", \"role\", \"blocks\", \"member\"} の形にしてください",
                                    "the body must be {name, role, blocks, member}")
        }
        let account = Accounts(store: store)
        do {
            let issued = try await account.add(name: new.name, role: new.role, blocks: new.blocks ?? [], member: new.member,
                                               audit: audit(context, "user.add", target: "user \(new.name)",
                                                            after: "\(new.role) \((new.blocks ?? []).joined(separator: ","))\(new.member ?? "")"))
            return try Self.json(Issued(user: UserView(issued.user), password: issued.password,
                                        link: issued.link.map { Self.linkURL($0, request) }), status: .created)
        } catch let error as Accounts.Refusal {
            return try Self.problem(error.field, error.japanese, error.english)
        }
    }

    /// `POST /api/months/{id}/links`: an account and a personal link for every member of
    /// the month who has none (links already given are not shown again: they are stored
    /// only as digests).
    func linksForMonth(_ request: Request, _ context: RinbanContext) throws -> Response {
        let id = try monthID(context)
        let instance = try loadedInstance(ofMonth: id).instance
        let linked = try store.linkedMembers()
        struct MemberLink: Encodable {
            var member: String
            var name: String
            var link: String
        }
        var made: [MemberLink] = []
        for member in instance.members where !linked.contains(member.id.rawValue) {
            let user: Store.User
            if let existing = try store.user(member: member.id.rawValue) {
                user = existing
            } else {
                // Names are unique forever (a revoked account keeps its name): add the id, then a number.
                var name = member.name, n = 1
                while try store.user(named: name) != nil {
                    name = "\(member.name) (\(member.id.rawValue))" + (n > 1 ? " \(n)" : "")
                    n += 1
                }
                user = try store.addUser(name: name, role: .member, blocks: [], member: member.id.rawValue, passwordHash: nil,
                                         audit: audit(context, "user.add", month: id, target: "user \(name)", after: "member \(member.id.rawValue)"))
            }
            let link = try store.issue(.link, user: user.id, lifetime: nil,
                                       audit: audit(context, "link.renew", month: id, target: "user \(user.name)"))
            made.append(MemberLink(member: member.id.rawValue, name: member.name, link: Self.linkURL(link, request)))
        }
        return try Self.json(made, status: .created)
    }

    // MARK: - The audit trail

    /// `GET /api/audit[?month=N][&format=csv]`: newest first.
    func auditTrail(_ request: Request) throws -> Response {
        let month = request.uri.queryParameters.get("month").flatMap { Int64($0) }
        let entries = try store.audit(month: month, limit: request.uri.queryParameters.get("format") == "csv" ? Int.max : 1000)
        guard request.uri.queryParameters.get("format") == "csv" else { return try Self.json(entries) }
        var csv = "\u{FEFF}id,日時,誰,操作,月,対象,前,後\r\n"
        for e in entries {
            csv += [String(e.id), e.at, e.actor, e.action, e.month.map(String.init) ?? "", e.target, e.before ?? "", e.after ?? ""]
                .map(Self.csvField).joined(separator: ",") + "\r\n"
        }
        var response = Self.text(csv, type: "text/csv; charset=utf-8")
        response.headers[.contentDisposition] = "attachment; filename=\"rinban-audit.csv\""
        return response
    }

    static func csvField(_ text: String) -> String {
        // A leading =, +, - or @ would be a formula in a spreadsheet: quote it as text.
        let guarded = text.first.map { "=+-@".contains($0) } == true ? "'" + text : text
        return "\"" + guarded.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }

    // MARK: - Availability collection

    struct CollectionView: Encodable {
        var deadline: String?
        var open: Bool
        var answered: [Store.Answer]
        /// Members of the month who have not answered, with whether they have a link.
        var waiting: [Waiting]

        struct Waiting: Encodable {
            var member: String
            var name: String
            var linked: Bool
        }
    }

    func collectionOpen(_ collection: Store.Collection?) -> Bool {
        guard let collection else { return false }
        return Store.timestamp(Date()) <= collection.deadline
    }

    func collection(_ context: RinbanContext) throws -> Response {
        let id = try monthID(context)
        let instance = try loadedInstance(ofMonth: id).instance
        let collection = try store.collection(month: id)
        let answers = try store.answers(month: id)
        let answered = Set(answers.map(\.member))
        let linked = try store.linkedMembers()
        return try Self.json(CollectionView(
            deadline: collection?.deadline, open: collectionOpen(collection), answered: answers,
            waiting: instance.members.filter { !answered.contains($0.id.rawValue) }.map {
                .init(member: $0.id.rawValue, name: $0.name, linked: linked.contains($0.id.rawValue))
            }))
    }

    /// `PUT /api/months/{id}/collection` `{ "deadline": "2026-12-20" }` (the end of that day,
    /// Japan time) or a full ISO 8601 time: opens collection, or moves its deadline (a past
    /// deadline closes it).
    func openCollection(_ request: Request, _ context: RinbanContext) async throws -> Response {
        let id = try monthID(context)
        _ = try requireMonth(id)
        struct Body: Decodable { var deadline: String }
        guard let text = try await Self.body(Body.self, of: request)?.deadline, let deadline = Self.deadline(text) else {
            return try Self.problem("deadline", "締め切りは 2026-12-20 のような日付か、2026-12-20T17:00:00+09:00 のような日時で書いてください",
                                    "deadline must be a date (2026-12-20) or an ISO 8601 time")
        }
        let stored = Store.timestamp(deadline)
        let before = try store.collection(month: id)?.deadline
        try store.openCollection(month: id, deadline: stored, audit: audit(context, "collection.open", month: id, target: "collection",
                                                                           before: before, after: stored))
        return try collection(context)
    }

    static func deadline(_ text: String) -> Date? {
        if let date = CivilDate(iso: text) {
            var calendar = Calendar(identifier: .gregorian)
            calendar.timeZone = TimeZone(identifier: "Asia/Tokyo")!
            return calendar.date(from: DateComponents(year: date.year, month: date.month, day: date.day, hour: 23, minute: 59, second: 59))
        }
        let formatter = ISO8601DateFormatter()
        return formatter.date(from: text)
    }

    // MARK: - A member's own month

    struct Duty: Encodable {
        var date: String
        var weekday: Int
        var dayType: String
        var holiday: String?
        var duty: String
        var dutyName: String
        var area: String
        var areaName: String
        var shift: String
        var shiftName: String
    }

    struct Mine: Encodable {
        var month: Int64
        var label: String
        var member: String
        var name: String
        var publishedVersion: Int?
        var duties: [Duty]
        /// Items placed with this station (load sharing).
        var items: [String]
        /// The home-care patients this physician is deputy for (ids only).
        var patients: [String]
        var dates: [DateInfo]
        var shifts: [Named]
        var marks: [AvailabilityMark]
        var deadline: String?
        var open: Bool
        var note: String?
        var answeredAt: String?
        var calendarUrl: String
        /// What the latest version changed in this member's duties (nil for version 1).
        var changes: Changes?
    }

    struct Changes: Encodable {
        var version: Int
        var added: [Duty]
        var removed: [Duty]
    }

    /// A member's duties in a plan, as the page lists them.
    static func duties(of member: MemberID, in plan: Plan, on instance: Instance) -> [Duty] {
        plan.assignments.filter { $0.member == member }.sorted { ($0.date, $0.shift.rawValue) < ($1.date, $1.shift.rawValue) }.map {
            let info = DateInfo($0.date, in: instance)
            return Duty(date: info.date, weekday: info.weekday, dayType: info.dayType, holiday: info.holiday, duty: $0.duty.rawValue,
                        dutyName: RotaText.dutyName($0.duty, in: instance), area: $0.area.rawValue,
                        areaName: RotaText.areaName(duty: $0.duty, area: $0.area, in: instance), shift: $0.shift.rawValue,
                        shiftName: RotaText.shiftName($0.shift, in: instance))
        }
    }

    /// The member of the request, present in the month (404 otherwise: a member never learns
    /// anything of a month they are not part of).
    func ownMember(_ context: RinbanContext, in instance: Instance) throws -> Member {
        guard let id = context.principal?.user.member, let index = instance.memberIndex[MemberID(id)] else {
            throw HTTPError(.notFound, message: "この月にあなたの当番はありません / you are not in this month")
        }
        return instance.members[index]
    }

    /// `GET /api/months/{id}/mine`: the member's duties in the latest published version,
    /// their patients (ids), their availability and the collection's state.
    func mine(_ request: Request, _ context: RinbanContext) throws -> Response {
        let id = try monthID(context)
        let month = try requireMonth(id)
        let instance = try loadedInstance(ofMonth: id).instance
        let member = try ownMember(context, in: instance)
        var duties: [Duty] = [], items: [String] = [], patients: [String] = []
        var changes: Changes?
        let published = try store.published(month: id)
        if let published {
            let loaded = try loadedInstance(ofMonth: id, version: published.version, revision: published.instanceRevision)
            let plan = try Self.plan(published.plan)
            duties = Self.duties(of: member.id, in: plan, on: loaded.instance)
            items = plan.placements.filter { $0.station == member.id }.map(\.item.rawValue).sorted()
            patients = plan.deputies.filter { $0.deputy == member.id }.map(\.patient.rawValue).sorted()
            if let previous = try store.published(month: id, version: published.version - 1) {
                let before = Self.duties(of: member.id, in: try Self.plan(previous.plan), on: loaded.instance)
                func key(_ d: Duty) -> String { "\(d.date)|\(d.duty)|\(d.area)|\(d.shift)" }
                let old = Set(before.map(key)), new = Set(duties.map(key))
                changes = Changes(version: published.version, added: duties.filter { !old.contains(key($0)) },
                                  removed: before.filter { !new.contains(key($0)) })
            }
        }
        let collection = try store.collection(month: id)
        let answer = try store.answers(month: id).first { $0.member == member.id.rawValue }
        return try Self.json(Mine(
            month: id, label: month.label, member: member.id.rawValue, name: member.name, publishedVersion: published?.version,
            duties: duties, items: items, patients: patients,
            dates: instance.period.dates.map { DateInfo($0, in: instance) },
            shifts: instance.shifts.map { Named(id: $0.id.rawValue, name: $0.name) },
            marks: AvailabilityGrid.marks(of: instance).filter { $0.member == member.id }.map {
                AvailabilityMark(member: $0.member.rawValue, date: $0.date.iso, shift: $0.shift?.rawValue, kind: $0.kind.rawValue)
            },
            deadline: collection?.deadline, open: collectionOpen(collection), note: answer?.note, answeredAt: answer?.answeredAt,
            calendarUrl: "\(Self.baseURL(request))/ics/\(try store.calendarToken(member: member.id.rawValue)).ics", changes: changes))
    }

    struct AnswerBody: Decodable {
        struct Mark: Decodable {
            var date: String
            var shift: String?
            var kind: String
        }

        /// Every mark the member wants for the month (the answer replaces the previous one).
        var marks: [Mark]
        var note: String?
    }

    /// `POST /api/months/{id}/mine/availability`: the member's answer, while collection is
    /// open. It replaces their marks for the whole period and records the answer, in one
    /// transaction; the office's grid shows it at once.
    func answer(_ request: Request, _ context: RinbanContext) async throws -> Response {
        let id = try monthID(context)
        let instance = try loadedInstance(ofMonth: id).instance
        let member = try ownMember(context, in: instance)
        guard let collection = try store.collection(month: id) else {
            throw HTTPError(.conflict, message: "この月の受付はまだ始まっていません / availability is not being collected for this month")
        }
        guard collectionOpen(collection) else {
            throw HTTPError(.conflict, message: "締め切りを過ぎたため変更できません。事務局に連絡してください / the deadline has passed")
        }
        guard let answer = try await Self.body(AnswerBody.self, of: request, limit: Limits.small * 4) else {
            return try Self.problem("marks", "本文は {\"marks\": [{\"date\", \"shift\", \"kind\"}], \"note\"} の形にしてください",
                                    "the body must be {marks: [{date, shift, kind}], note}")
        }
        let note = answer.note ?? ""
        guard note.count <= 1000 else { return try Self.problem("note", "メモは 1000 文字までです", "note: at most 1000 characters") }
        guard answer.marks.count <= instance.period.count * max(1, instance.shifts.count + 1) else {
            return try Self.problem("marks", "印が多すぎます", "too many marks")
        }
        // A pinned duty cannot be answered away: the office fixed it, so the member is told to call.
        // (The absence blocks a pin as the instance's rule says: a whole day also blocks a night starting the evening before.)
        let pinned = instance.pins.filter { $0.member == member.id }
        for (i, mark) in answer.marks.enumerated() where mark.kind == "unavailable" {
            guard let date = CivilDate(iso: mark.date) else { continue }
            let absence = Absence(from: date, to: date, shifts: mark.shift.map { [ShiftID($0)] })
            if let pin = pinned.first(where: { pin in
                instance.shiftIndex[pin.shift].map { absence.blocks(Occurrence(shift: instance.shifts[$0], date: pin.date)) } ?? false
            }) {
                return try Self.problem("marks[\(i)]", "\(pin.date.iso) の\(RotaText.dutyName(pin.duty, in: instance)) \(RotaText.shiftName(pin.shift, in: instance))"
                                        + "は事務局が固定した当番です。\(mark.date) に出られない場合は事務局に連絡してください",
                                        "\(mark.date) blocks a duty the office pinned (\(pin.date.iso) \(pin.shift)); call the office")
            }
        }
        // Clear the member's month, then set what they ticked.
        let marks = instance.period.dates.map { AvailabilityMark(member: member.id.rawValue, date: $0.iso, shift: nil, kind: "none") }
            + answer.marks.map { AvailabilityMark(member: member.id.rawValue, date: $0.date, shift: $0.shift, kind: $0.kind) }
        let members: Set = [member.id.rawValue]
        let offset = instance.period.count
        return try await editInstance(month: id, audit: { before, after in
            self.audit(context, "availability.answer", month: id, target: member.id.rawValue,
                       before: Self.marksText(before, members: members), after: Self.marksText(after, members: members) + (note.isEmpty ? "" : "\nメモ: \(note)"))
        }, answer: (member.id.rawValue, note)) { instance in
            switch Self.availabilityEdit(marks, on: instance) {
            case .success(let edited): return .success(edited)
            case .failure(let problems):
                // Paths point into the member's own list, not the cleared days added before it.
                return .failure(problems.map { problem in
                    var problem = problem
                    if let range = problem.path.range(of: #"^marks\[(\d+)\]"#, options: .regularExpression),
                       let index = Int(problem.path[range].dropFirst(6).dropLast()) {
                        problem.path = "marks[\(index - offset)]" + problem.path[range.upperBound...]
                    }
                    return problem
                })
            }
        }
    }
}

/// Adding people, shared by `POST /api/users` and `rinban users add`.
public struct Accounts: Sendable {
    public let store: Store

    public init(store: Store) { self.store = store }

    public struct Refusal: Error, Sendable {
        public var field: String
        public var japanese: String
        public var english: String
    }

    /// The new account and its secret: a one-time password (office, leader) or a link token (member).
    public func add(name rawName: String, role rawRole: String, blocks: [String], member: String?,
                    audit: Store.AuditEntry) async throws -> (user: Store.User, password: String?, link: String?)
    {
        let name = rawName.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !name.isEmpty, name.count <= 100, !name.unicodeScalars.contains(where: { CharacterSet.controlCharacters.contains($0) }) else {
            throw Refusal(field: "name", japanese: "名前は 1〜100 文字で、改行などを含まないでください", english: "name must be 1–100 printable characters")
        }
        guard let role = Store.Role(rawValue: rawRole) else {
            throw Refusal(field: "role", japanese: "役割は office (事務局), leader (ブロック幹事), member (会員) のどれかです",
                          english: "role must be office, leader or member")
        }
        let blocks = blocks.map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        if role == .leader, blocks.isEmpty {
            throw Refusal(field: "blocks", japanese: "幹事には担当するブロックを 1 つ以上指定してください", english: "a leader needs at least one block")
        }
        if role != .leader, !blocks.isEmpty {
            throw Refusal(field: "blocks", japanese: "ブロックを指定できるのは幹事だけです", english: "only leaders have blocks")
        }
        let member = member?.trimmingCharacters(in: .whitespaces)
        if role == .member, member?.isEmpty != false {
            throw Refusal(field: "member", japanese: "会員には入力ブックのメンバー ID を指定してください", english: "a member account needs a member id")
        }
        if role != .member, member != nil {
            throw Refusal(field: "member", japanese: "メンバー ID を指定できるのは会員だけです", english: "only member accounts have a member id")
        }
        let password = role == .member ? nil : Passwords.generate()
        let hash: String? = if let password { await Passwords.hash(password) } else { nil }
        let user: Store.User
        do {
            user = try store.addUser(name: name, role: role, blocks: blocks, member: member, passwordHash: hash, audit: audit)
        } catch Store.PeopleError.nameTaken {
            throw Refusal(field: "name", japanese: "「\(name)」はもう登録されています", english: "the name \"\(name)\" is taken")
        } catch Store.PeopleError.memberTaken(let id) {
            throw Refusal(field: "member", japanese: "メンバー \(id) にはもうアカウントがあります", english: "member \(id) already has an account")
        }
        let link = role == .member ? try store.issue(.link, user: user.id, lifetime: nil) : nil
        return (user, password, link)
    }
}
