import Foundation
import Hummingbird
import Logging
import RinbanCore
import RinbanPlanning
import RinbanWorkbook

/// Limits of request bodies.
public enum Limits {
    /// An uploaded instance (JSON, YAML or workbook).
    public static let upload = 16 << 20
    /// Small JSON bodies (run settings, publish notes).
    public static let small = 64 << 10
}

/// The HTTP application: the JSON API of docs/openapi.yaml.
public struct ServerApplication: Sendable {
    public let store: Store
    public let runs: RunCoordinator
    public let policy: Policy
    /// Months' instances, decoded once per revision.
    let instances = InstanceCache()
    /// Published versions' calendar views, made once.
    let views = ViewCache()
    /// Edits of the months' working instances, committed in groups.
    let edits = InstanceEdits()
    /// Failed sign-ins, for rate limiting.
    let limiter = SignInLimiter()

    public init(store: Store, policy: Policy = Policy()) {
        self.store = store
        self.runs = RunCoordinator(store: store)
        self.policy = policy
    }

    /// One route: its method and path as docs/openapi.yaml writes them, and the action
    /// ``Policy`` checks before its handler runs.
    public struct Route: Sendable {
        public var method: String
        public var path: String
        public var action: Action

        init(_ method: String, _ path: String, _ action: Action) {
            self.method = method
            self.path = path
            self.action = action
        }

        var key: String { "\(method) \(path)" }
    }

    /// Every route with its action: the whole access policy of the server is this table and
    /// ``Policy``. Tests check it against docs/openapi.yaml, and every role against it.
    public static let routes: [Route] = [
        Route("GET", "/healthz", .open),
        Route("GET", "/api/months", .readMonths),
        Route("POST", "/api/months", .createMonth),
        Route("GET", "/api/months/{id}", .readMonths),
        Route("POST", "/api/months/{id}/next", .createMonth),
        Route("GET", "/api/months/{id}/instance", .readInstance),
        Route("GET", "/api/months/{id}/availability", .readAvailability),
        Route("POST", "/api/months/{id}/availability", .editAvailability),
        Route("POST", "/api/months/{id}/pins", .editDraft),
        Route("POST", "/api/months/{id}/runs", .startRun),
        Route("GET", "/api/runs/{id}", .readRun),
        Route("GET", "/api/runs/{id}/events", .readRun),
        Route("POST", "/api/runs/{id}/cancel", .startRun),
        Route("GET", "/api/months/{id}/draft", .readDraft),
        Route("PUT", "/api/months/{id}/draft", .editDraft),
        Route("GET", "/api/months/{id}/draft/view", .readDraft),
        Route("GET", "/api/months/{id}/draft/cover", .readDraft),
        Route("GET", "/api/months/{id}/draft/diff", .readDraft),
        Route("GET", "/api/months/{id}/draft/files/{name}", .readDraft),
        Route("GET", "/api/months/{id}/published", .readPublished),
        Route("GET", "/api/months/{id}/published/{version}", .readPublished),
        Route("GET", "/api/months/{id}/published/{version}/view", .readPublishedView),
        Route("GET", "/api/months/{id}/published/{version}/diff", .readPublishedFiles),
        Route("GET", "/api/months/{id}/published/{version}/files/{name}", .readPublishedFiles),
        Route("POST", "/api/months/{id}/publish", .publish),
        Route("GET", "/api/months/{id}/members", .readMembers),
        Route("POST", "/api/members/{member}/calendar", .manageLinks),
        Route("GET", "/api/months/{id}/collection", .manageCollection),
        Route("PUT", "/api/months/{id}/collection", .manageCollection),
        Route("GET", "/api/months/{id}/mine", .readOwn),
        Route("POST", "/api/months/{id}/mine/availability", .editOwn),
        Route("GET", "/api/me", .signedIn),
        Route("GET", "/api/users", .manageUsers),
        Route("POST", "/api/users", .manageUsers),
        Route("POST", "/api/users/{id}/link", .manageUsers),
        Route("POST", "/api/users/{id}/revoke", .manageUsers),
        Route("POST", "/api/months/{id}/links", .manageUsers),
        Route("GET", "/api/audit", .readAudit),
        Route("GET", "/api/months/{id}/published/{version}/cover", .propose),
        Route("POST", "/api/months/{id}/whatif", .propose),
        Route("POST", "/api/months/{id}/cover", .propose),
        Route("GET", "/api/months/{id}/proposals", .readProposals),
        Route("GET", "/api/proposals/{id}", .readProposals),
        Route("POST", "/api/proposals/{id}/submit", .propose),
        Route("POST", "/api/proposals/{id}/publish", .propose),
        Route("POST", "/api/proposals/{id}/reject", .propose),
        Route("POST", "/api/proposals/{id}/withdraw", .readProposals),
        Route("POST", "/api/proposals/{id}/rebase", .propose),
        Route("GET", "/api/months/{id}/mine/swap-candidates", .readOwn),
        Route("POST", "/api/months/{id}/swaps", .editOwn),
        Route("POST", "/api/proposals/{id}/accept", .editOwn),
        Route("GET", "/api/rules", .manageRules),
        Route("PUT", "/api/rules", .manageRules),
        Route("GET", "/ics/{token}.ics", .open),
        Route("GET", "/login", .open),
        Route("POST", "/login", .open),
        Route("POST", "/logout", .signedIn),
        Route("GET", "/m/{token}", .open),
        Route("GET", "/", .signedIn),
        Route("GET", "/me", .readOwn),
        Route("GET", "/people", .manageUsers),
        Route("GET", "/months/{id}/block", .propose),
        Route("GET", "/months/{id}", .readDraft),
        Route("GET", "/months/{id}/draft.html", .readDraft),
        Route("GET", "/months/{id}/tables.html", .readDraft),
        Route("GET", "/months/{id}/availability", .readAvailability),
        Route("GET", "/assets/{name}", .open),
    ]

    typealias Handler = @Sendable (Request, RinbanContext) async throws -> Response

    /// The handlers, by the routes' `METHOD path`.
    func handlers() -> [String: Handler] {
        var h: [String: Handler] = [:]
        h["GET /healthz"] = { _, _ in Self.text("ok", type: "text/plain; charset=utf-8") }
        h["GET /api/months"] = { _, context in try self.listMonths(context) }
        h["POST /api/months"] = { request, context in try await self.createMonth(request, context) }
        h["GET /api/months/{id}"] = { _, context in try self.month(try self.monthID(context), context) }
        h["POST /api/months/{id}/next"] = { _, context in try self.nextMonth(context) }
        h["GET /api/months/{id}/instance"] = { _, context in
            let id = try self.monthID(context)
            guard let stored = try self.store.instance(ofMonth: id) else { throw HTTPError(.notFound, message: "月 \(id) はありません / no month \(id)") }
            var response = Self.text(stored.text, type: "application/json; charset=utf-8")
            response.headers[.eTag] = "\"\(stored.revision)\""
            return response
        }
        h["GET /api/months/{id}/availability"] = { _, context in try self.availability(context) }
        h["POST /api/months/{id}/availability"] = { request, context in try await self.editAvailability(request, context) }
        h["POST /api/months/{id}/pins"] = { request, context in try await self.editPin(request, context) }
        h["POST /api/months/{id}/runs"] = { request, context in try await self.startRun(request, context) }
        h["GET /api/runs/{id}"] = { _, context in try self.run(context) }
        h["GET /api/runs/{id}/events"] = { _, context in try await self.runEvents(context) }
        h["POST /api/runs/{id}/cancel"] = { _, context in
            let run = try self.requireRun(context)
            guard run.state == "running", await self.runs.cancel(run.id) else {
                throw HTTPError(.conflict, message: "この実行は終わっています / the run is not running")
            }
            try self.store.record(self.audit(context, "run.cancel", month: run.monthId, target: "run \(run.id)"))
            return try Self.json(RunUpdate(run), status: .accepted)
        }
        h["GET /api/months/{id}/draft"] = { _, context in try self.draft(context) }
        h["PUT /api/months/{id}/draft"] = { request, context in try await self.saveDraft(request, context) }
        h["GET /api/months/{id}/draft/view"] = { _, context in try self.draftView(context) }
        h["GET /api/months/{id}/draft/cover"] = { request, context in try self.draftCover(request, context) }
        h["GET /api/months/{id}/draft/diff"] = { request, context in try self.draftDiff(request, context) }
        h["GET /api/months/{id}/draft/files/{name}"] = { _, context in try self.draftFile(context) }
        h["GET /api/months/{id}/published"] = { _, context in try self.published(context, version: nil) }
        h["GET /api/months/{id}/published/{version}"] = { _, context in
            try self.published(context, version: try context.parameters.require("version", as: Int.self))
        }
        h["GET /api/months/{id}/published/{version}/view"] = { _, context in try self.publishedView(context) }
        h["GET /api/months/{id}/published/{version}/diff"] = { request, context in try self.publishedDiff(request, context) }
        h["GET /api/months/{id}/published/{version}/files/{name}"] = { _, context in try self.publishedFile(context) }
        h["POST /api/months/{id}/publish"] = { request, context in try await self.publish(request, context) }
        h["GET /api/months/{id}/members"] = { request, context in try self.members(request, context) }
        h["POST /api/members/{member}/calendar"] = { request, context in try self.renewCalendar(request, context) }
        h["GET /ics/{token}.ics"] = { _, context in try self.calendar(context) }
        h["GET /"] = { _, context in
            if context.principal?.user.role == .member { return Self.redirect("/me") }
            return Pages.index(months: try self.store.months(), office: context.principal?.user.role == .office)
        }
        h["GET /months/{id}"] = { _, context in
            let id = try self.monthID(context)
            return Pages.month(try self.requireMonth(id), draft: try self.store.draft(ofMonth: id),
                               versions: try self.store.versions(month: id))
        }
        h["GET /months/{id}/draft.html"] = { _, context in try self.draftCalendar(context) }
        h["GET /months/{id}/tables.html"] = { _, context in try self.draftTables(context) }
        h["GET /months/{id}/availability"] = { _, context in Pages.availability(try self.requireMonth(try self.monthID(context))) }
        h["GET /assets/{name}"] = { _, context in
            guard let name = context.parameters.get("name"), let asset = Pages.asset(name) else { throw HTTPError(.notFound) }
            return asset
        }
        addPeopleHandlers(&h)
        addProposalHandlers(&h)
        addSwapHandlers(&h)
        return h
    }

    public func router() -> Router<RinbanContext> {
        let router = Router(context: RinbanContext.self)
        router.add(middleware: AuthMiddleware(store: store))
        let handlers = handlers()
        precondition(Set(handlers.keys) == Set(Self.routes.map(\.key)), "every route has one handler and one action")
        for route in Self.routes {
            let handler = handlers[route.key]!
            router.on(RouterPath(Self.hummingbirdPath(route.path)), method: HTTPRequest.Method(route.method)!) { request, context in
                if let refusal = self.refusal(route.action, request, context) { return refusal }
                return try await handler(request, context)
            }
        }
        return router
    }

    /// `{id}` → `:id`; the calendar feed's `{token}.ics` is captured whole as `:file`.
    static func hummingbirdPath(_ path: String) -> String {
        path.split(separator: "/", omittingEmptySubsequences: false).map { segment -> String in
            if segment == "{token}.ics" { return ":file" }
            if segment.hasPrefix("{"), segment.hasSuffix("}") { return ":" + segment.dropFirst().dropLast() }
            return String(segment)
        }.joined(separator: "/")
    }

    /// Nil when the request may go on. Otherwise: a page asks an anonymous visitor to sign
    /// in; the API answers 401. A person who may not do it is told 404 for a reading (what
    /// they may not see, they need not know exists) and 403 for a change.
    func refusal(_ action: Action, _ request: Request, _ context: RinbanContext) -> Response? {
        if policy.allows(context.principal, action) { return nil }
        let api = request.uri.path.hasPrefix("/api/")
        if context.principal == nil {
            if !api && request.method == .get {
                return Self.redirect("/login?next=" + (request.uri.path.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "/"))
            }
            var response = Self.message(.unauthorized, "サインインしてください / sign in first")
            response.headers[.wwwAuthenticate] = "Bearer"
            return response
        }
        return request.method == .get || request.method == .head
            ? Self.message(.notFound, "見つかりません / not found")
            : Self.message(.forbidden, "この操作は許可されていません / not allowed for your role")
    }

    static func redirect(_ location: String) -> Response {
        Response(status: .seeOther, headers: [.location: location])
    }

    /// An error in the shape Hummingbird gives thrown errors: `{"error": {"message": …}}`.
    static func message(_ status: HTTPResponse.Status, _ text: String) -> Response {
        struct Body: Encodable {
            struct Inner: Encodable { var message: String }
            var error: Inner
        }
        return (try? json(Body(error: .init(message: text)), status: status)) ?? Response(status: status)
    }

    // MARK: - Helpers

    func monthID(_ context: RinbanContext) throws -> Int64 {
        guard let id = context.parameters.get("id", as: Int64.self) else {
            throw HTTPError(.badRequest, message: "月の番号が正しくありません / bad month id")
        }
        return id
    }

    func requireMonth(_ id: Int64) throws -> Store.Month {
        guard let month = try store.month(id) else { throw HTTPError(.notFound, message: "月 \(id) はありません / no month \(id)") }
        return month
    }

    /// The month's current instance, validated (it was validated when stored; this only
    /// rebuilds it), and its revision.
    func currentInstance(ofMonth id: Int64) throws -> (loaded: LoadedInstance, revision: Int) {
        guard let revision = try store.revision(ofMonth: id) else { throw HTTPError(.notFound, message: "月 \(id) はありません / no month \(id)") }
        if let cached = instances[id, revision] { return (cached, revision) }
        guard let stored = try store.instance(ofMonth: id) else { throw HTTPError(.notFound, message: "月 \(id) はありません / no month \(id)") }
        return (try instances.insert(id, stored), stored.revision)
    }

    func loadedInstance(ofMonth id: Int64) throws -> LoadedInstance { try currentInstance(ofMonth: id).loaded }

    /// The instance a published version was published on.
    /// Cached under the key −version: a version published from a proposal holds an instance
    /// of its own, which no revision of the month's working instance names.
    func loadedInstance(ofMonth id: Int64, version: Int, revision: Int?) throws -> LoadedInstance {
        if let cached = instances[id, -version] { return cached }
        guard let stored = try store.instance(ofMonth: id, version: version) else { throw HTTPError(.notFound, message: "版 \(version) はありません / no version \(version)") }
        return try instances.insert(id, Store.StoredInstance(text: stored.text, revision: -version))
    }

    static func json<T: Encodable>(_ value: T, status: HTTPResponse.Status = .ok) throws -> Response {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let data = try encoder.encode(value)
        return Response(status: status, headers: [.contentType: "application/json; charset=utf-8"],
                        body: ResponseBody(byteBuffer: ByteBuffer(bytes: data)))
    }

    /// A small JSON body as `T`, nil when it is not one (the caller answers 422 at its field).
    static func body<T: Decodable>(_ type: T.Type, of request: Request, limit: Int = Limits.small) async throws -> T? {
        let body = try await request.body.collect(upTo: limit)
        return try? JSONDecoder().decode(T.self, from: Data(buffer: body))
    }

    static func text(_ text: String, type: String, status: HTTPResponse.Status = .ok) -> Response {
        Response(status: status, headers: [.contentType: type], body: ResponseBody(byteBuffer: ByteBuffer(string: text)))
    }

    /// A problem in the body, in the shape of docs/openapi.yaml's `Problems`.
    struct Problems: Encodable {
        struct Problem: Encodable {
            var path: String
            var message: String
            var japanese: String?
            var severity: String
        }

        var error: String
        var problems: [Problem]
    }

    // MARK: - Months

    struct MonthSummary: Encodable {
        var id: Int64
        var label: String
        var association: String?
        var periodStart: String
        var periodEnd: String
        var sourceName: String
        var createdAt: String
        var draftVersion: Int?
        var publishedVersion: Int?
        var runningRun: Int64?
        /// The month's latest run (running or ended).
        var lastRun: RunUpdate?
        var revision: Int
    }

    /// A month as the person may see it: the draft and runs are the office's only.
    func summary(_ month: Store.Month, for principal: Principal?) throws -> MonthSummary {
        let office = principal?.user.role == .office
        return MonthSummary(id: month.id, label: month.label, association: month.association, periodStart: month.periodStart,
                     periodEnd: month.periodEnd, sourceName: month.sourceName, createdAt: month.createdAt,
                     draftVersion: office ? try store.draft(ofMonth: month.id)?.version : nil,
                     publishedVersion: try store.published(month: month.id)?.version,
                     runningRun: office ? try store.runs(ofMonth: month.id).first { $0.state == "running" }?.id : nil,
                     lastRun: office ? try store.runs(ofMonth: month.id).first.map(RunUpdate.init) : nil,
                     revision: try store.revision(ofMonth: month.id) ?? 0)
    }

    func listMonths(_ context: RinbanContext) throws -> Response {
        try Self.json(try store.months().map { try summary($0, for: context.principal) })
    }

    func month(_ id: Int64, _ context: RinbanContext) throws -> Response {
        try Self.json(try summary(requireMonth(id), for: context.principal))
    }

    static let workbookType = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

    /// `POST /api/months`: a rinban/1 instance (JSON or YAML) or a workbook, validated
    /// before anything is stored.
    func createMonth(_ request: Request, _ context: RinbanContext) async throws -> Response {
        let body = try await request.body.collect(upTo: Limits.upload)
        let data = Data(buffer: body)
        let type = request.headers[.contentType]?.split(separator: ";").first.map { $0.trimmingCharacters(in: .whitespaces).lowercased() }
            ?? "application/json"
        let name = request.uri.queryParameters.get("name") ?? (type == Self.workbookType ? "upload.xlsx" : "upload.json")
        let document: DocumentNode
        do {
            if type == Self.workbookType || data.starts(with: [0x50, 0x4B, 0x03, 0x04]) {
                let sheets = try XLSXReader.read(data: data, file: name)
                document = try InstanceWorkbook.read(sheets: sheets, file: name).document
            } else {
                let format: DocumentFormat = type.contains("yaml") ? .yaml : .json
                document = try DocumentReader.parse([UInt8](data), format: format)
            }
        } catch let error as WorkbookFileError {
            return try Self.json(Problems(error: "invalid workbook", problems: [.init(
                path: name, message: error.english, japanese: error.japanese, severity: "error")]), status: .unprocessableContent)
        } catch let error as WorkbookImportError {
            return try Self.json(Problems(error: "invalid instance", problems: error.issues.map {
                .init(path: $0.location ?? name, message: $0.english, japanese: $0.japanese, severity: $0.severity.rawValue)
            }), status: .unprocessableContent)
        } catch let error as InputError {
            return try Self.invalid(error)
        }
        let loaded: LoadedInstance
        do {
            loaded = try InstanceDecoder.decode(document, file: name)
        } catch {
            return try Self.invalid(error)
        }
        struct Created: Encodable { var id: Int64 }
        let audit = self.audit(context, "month.upload", target: name, after: "\(loaded.instance.members.count) members, "
            + "\(loaded.instance.period.start)〜\(loaded.instance.period.end)")
        return try Self.json(Created(id: try storeMonth(loaded.instance, document: document.jsonText(), name: name, type: type, source: data,
                                                        audit: audit)),
                             status: .created)
    }

    /// Stores a validated instance as a new month, labelled by its period.
    func storeMonth(_ instance: Instance, document: String, name: String, type: String, source: Data, audit: Store.AuditEntry) throws -> Int64 {
        let label = "\(instance.period.start.year)年\(instance.period.start.month)月"
            + (instance.period.count > 31 || instance.period.start.day != 1 ? " (\(instance.period.start)〜\(instance.period.end))" : "")
        return try store.createMonth(Store.NewMonth(
            label: label, association: instance.association, periodStart: instance.period.start.iso,
            periodEnd: instance.period.end.iso, sourceName: name, sourceType: type, source: source, instance: document), audit: audit)
    }

    /// `POST /api/months/{id}/next`: next month from this one (`rinban next-month`), with
    /// the latest published version as what was served: the same network, histories
    /// credited with the served duties, absences and pins inside the new period kept.
    func nextMonth(_ context: RinbanContext) throws -> Response {
        let id = try monthID(context)
        let month = try requireMonth(id)
        guard let published = try store.published(month: id) else {
            throw HTTPError(.conflict, message: "公開された版がありません。翌月は公開した当番表から作ります / nothing published: next month starts from the published plan")
        }
        let served = try loadedInstance(ofMonth: id, version: published.version, revision: published.instanceRevision)
        let plan = try Self.plan(published.plan)
        let next: (loaded: LoadedInstance, summary: NextMonthSummary)
        do {
            next = try NextMonth.make(from: served, served: plan)
        } catch {
            return try Self.invalid(error)
        }
        let text = InstanceEncoder.jsonText(next.loaded.instance)
        let created = try storeMonth(next.loaded.instance, document: text, name: "\(month.label) 版\(published.version) の翌月.json",
                                     type: "application/json", source: Data(text.utf8),
                                     audit: audit(context, "month.next", target: "from month \(id) version \(published.version)"))
        struct Next: Encodable {
            var id: Int64
            var summary: [String]
        }
        return try Self.json(Next(id: created, summary: next.summary.lines), status: .created)
    }

    static func invalid(_ error: InputError) throws -> Response {
        try json(Problems(error: "invalid instance", problems: error.issues.map {
            .init(path: $0.path.description, message: $0.message, japanese: nil, severity: $0.severity.rawValue)
        }), status: .unprocessableContent)
    }

    // MARK: - Runs

    struct RunRequest: Decodable {
        var engine: String?
        var timeLimit: Double?
    }

    func startRun(_ request: Request, _ context: RinbanContext) async throws -> Response {
        let id = try monthID(context)
        _ = try requireMonth(id)
        let body = try await request.body.collect(upTo: Limits.small)
        guard let settings = body.readableBytes == 0 ? RunRequest() : try? JSONDecoder().decode(RunRequest.self, from: Data(buffer: body)) else {
            return try Self.problem("run", "本文は {\"engine\": \"auto\", \"timeLimit\": 60} の形にしてください", "the body must be {engine, timeLimit}")
        }
        guard let engine = RotaEngine(rawValue: settings.engine ?? "auto") else {
            throw HTTPError(.unprocessableContent, message: "engine は auto, glpk, lns, greedy のどれか / engine must be auto, glpk, lns or greedy")
        }
        let timeLimit = settings.timeLimit ?? 60
        guard timeLimit > 0, timeLimit <= 3600 else {
            throw HTTPError(.unprocessableContent, message: "timeLimit は 0 より大きく 3600 秒まで / timeLimit must be in (0, 3600] seconds")
        }
        do {
            let run = try await runs.start(month: id, loaded: loadedInstance(ofMonth: id), engine: engine, timeLimit: timeLimit,
                                           audit: audit(context, "run.start", month: id, target: "run",
                                                        after: "engine \(engine.rawValue), \(timeLimit) s"))
            struct Started: Encodable { var id: Int64 }
            return try Self.json(Started(id: run), status: .accepted)
        } catch Store.Conflict.runInProgress(let running) {
            throw HTTPError(.conflict, message: "この月は計画中です (run \(running)) / a run of this month is in progress (run \(running))")
        }
    }

    func requireRun(_ context: RinbanContext) throws -> Store.Run {
        guard let id = context.parameters.get("id", as: Int64.self), let run = try store.run(id) else {
            throw HTTPError(.notFound, message: "その計画の実行はありません / no such run")
        }
        return run
    }

    func run(_ context: RinbanContext) throws -> Response {
        try Self.json(RunUpdate(requireRun(context)))
    }

    /// Server-sent events: one `progress` event per change, `end` when the run ends.
    func runEvents(_ context: RinbanContext) async throws -> Response {
        let run = try requireRun(context)
        let updates = await runs.updates(of: run.id)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let body = ResponseBody { writer in
            for await update in updates {
                let data = (try? encoder.encode(update)).map { String(decoding: $0, as: UTF8.self) } ?? "{}"
                let event = update.state == "running" ? "progress" : "end"
                try await writer.write(ByteBuffer(string: "event: \(event)\ndata: \(data)\n\n"))
            }
            try await writer.finish(nil)
        }
        return Response(status: .ok, headers: [.contentType: "text/event-stream", .cacheControl: "no-cache"], body: body)
    }

    // MARK: - Plans

    func draft(_ context: RinbanContext) throws -> Response {
        let id = try monthID(context)
        _ = try requireMonth(id)
        guard let draft = try store.draft(ofMonth: id) else {
            throw HTTPError(.notFound, message: "下書きはまだありません。計画を実行してください / no draft yet: start a run")
        }
        var response = Self.text(draft.plan, type: "application/json; charset=utf-8")
        response.headers[.eTag] = "\"\(draft.version)\""
        return response
    }

    func published(_ context: RinbanContext, version: Int?) throws -> Response {
        let id = try monthID(context)
        _ = try requireMonth(id)
        guard let published = try store.published(month: id, version: version) else {
            throw HTTPError(.notFound, message: version.map { "版 \($0) はありません / no version \($0)" }
                ?? "まだ公開されていません / nothing published yet")
        }
        var text = published.plan
        if let principal = context.principal, principal.user.role != .office {
            let loaded = try loadedInstance(ofMonth: id, version: published.version, revision: published.instanceRevision)
            text = PlanWriter.json(Self.narrowed(try Self.plan(published.plan), on: loaded.instance, for: principal))
        }
        var response = Self.text(text, type: "application/json; charset=utf-8")
        response.headers[.eTag] = "\"\(published.version)\""
        return response
    }

    /// `PUT /api/months/{id}/draft` with `If-Match: "N"`: saves an edited plan if the draft
    /// is still version N (409 otherwise, so two browsers never overwrite each other), and
    /// answers with the evaluator's objective and every hard rule the plan breaks (such a
    /// draft is saved, but cannot be published).
    func saveDraft(_ request: Request, _ context: RinbanContext) async throws -> Response {
        let id = try monthID(context)
        _ = try requireMonth(id)
        guard let match = request.headers[.ifMatch], let expected = Int(match.trimmingCharacters(in: CharacterSet(charactersIn: "\" W/")))
        else {
            throw HTTPError(.preconditionRequired, message: "If-Match に読んだ下書きの版が必要です / If-Match with the draft version read is required")
        }
        let body = try await request.body.collect(upTo: Limits.upload)
        let edited: Plan
        do {
            edited = try PlanReader.decode(DocumentReader.parse([UInt8](Data(buffer: body)), format: .json))
        } catch {
            return try Self.json(Problems(error: "invalid plan", problems: error.issues.map {
                .init(path: $0.path.description, message: $0.message, japanese: nil, severity: $0.severity.rawValue)
            }), status: .unprocessableContent)
        }
        let loaded = try loadedInstance(ofMonth: id)
        guard edited.period == loaded.instance.period else {
            return try Self.problem("period", "計画の期間が月の期間と違います", "the plan's period is not the month's")
        }
        let (plan, evaluation) = Self.rescored(edited, on: loaded)
        do {
            let before = try Self.plan(try requireDraft(id).plan)
            let change = Self.assignmentChange(from: before, to: plan)
            let version = try store.saveDraft(month: id, plan: PlanWriter.json(plan), expectedVersion: expected,
                                              audit: audit(context, "draft.edit", month: id, target: "draft", before: change.removed, after: change.added))
            struct Saved: Encodable {
                var version: Int
                var objective: Double
                var violations: [String]
            }
            return try Self.json(Saved(version: version, objective: evaluation.total, violations: evaluation.violations.map(\.description)))
        } catch Store.Conflict.draftChanged(let current) {
            throw HTTPError(.conflict, message: "下書きは他の人が変更しました (版 \(current))。読み直してください / the draft changed (now version \(current)); reload it")
        }
    }

    /// An edited plan with the evaluator's objective and open slots (reasons kept where
    /// the slot was open before), so the stored draft scores as it says. Its solver report
    /// keeps the engine, bound and seconds of the run it came from, with status `edited`
    /// and the gap recomputed against the bound (still a proven lower bound).
    static func rescored(_ plan: Plan, on loaded: LoadedInstance) -> (Plan, Evaluation) {
        var plan = plan
        let evaluation = Evaluator(loaded).evaluate(plan)
        plan.uncovered = uncovered(evaluation, reasonsFrom: plan)
        plan.objective = PlanObjective(total: evaluation.total, terms: evaluation.terms)
        if var solver = plan.solver {
            solver.status = "edited"
            solver.gap = solver.bound.map { max(0, evaluation.total - $0) / max(abs(evaluation.total), 1) }
            plan.solver = solver
        }
        return (plan, evaluation)
    }

    /// The slots the evaluator finds open, each with the reason the plan gave for it (nil
    /// for a slot the plan did not list: opened by a hand edit).
    static func uncovered(_ evaluation: Evaluation, reasonsFrom plan: Plan) -> [UncoveredSlot] {
        func key(_ slot: UncoveredSlot) -> String { "\(slot.duty)|\(slot.area)|\(slot.date)|\(slot.shift)" }
        let reasons = Dictionary(plan.uncovered.map { (key($0), $0.reason) }, uniquingKeysWith: { a, _ in a })
        return evaluation.uncovered.map {
            var slot = $0
            slot.reason = reasons[key($0)] ?? nil
            return slot
        }
    }

    /// The draft as the printable month calendar of `rinban plan --html` (the evaluator's figures).
    func draftCalendar(_ context: RinbanContext) throws -> Response {
        let id = try monthID(context)
        guard let draft = try store.draft(ofMonth: id) else { throw HTTPError(.notFound, message: "no draft yet") }
        let plan = try PlanReader.decode(DocumentReader.parse(Array(draft.plan.utf8), format: .json))
        return Self.text(RotaHTML.make(loaded: try loadedInstance(ofMonth: id), plan: plan), type: "text/html; charset=utf-8")
    }

    /// The draft's station, hospital and deputy tables (the month page shows them).
    func draftTables(_ context: RinbanContext) throws -> Response {
        let id = try monthID(context)
        let plan = try Self.plan(try requireDraft(id).plan)
        return Self.text(RotaHTML.tablesPage(loaded: try loadedInstance(ofMonth: id), plan: plan), type: "text/html; charset=utf-8")
    }

    struct PublishRequest: Decodable { var note: String? = nil }

    func publish(_ request: Request, _ context: RinbanContext) async throws -> Response {
        let id = try monthID(context)
        _ = try requireMonth(id)
        let body = try await request.body.collect(upTo: Limits.small)
        guard let publishing = body.readableBytes == 0 ? PublishRequest() : try? JSONDecoder().decode(PublishRequest.self, from: Data(buffer: body)) else {
            return try Self.problem("note", "本文は {\"note\": \"…\"} の形にしてください", "the body must be {note}")
        }
        let note = publishing.note ?? ""
        guard note.count <= 2000 else { throw HTTPError(.unprocessableContent, message: "note は 2000 文字まで / note too long") }
        guard let draft = try store.draft(ofMonth: id) else {
            throw HTTPError(.conflict, message: "公開する下書きがありません / no draft to publish")
        }
        // A draft that breaks a hard rule can be saved, never published.
        let loaded = try loadedInstance(ofMonth: id)
        let plan = try PlanReader.decode(DocumentReader.parse(Array(draft.plan.utf8), format: .json))
        let violations = Evaluator(loaded).evaluate(plan).violations
        guard violations.isEmpty else {
            throw HTTPError(.conflict, message: "下書きがルールに反するため公開できません / the draft breaks hard rules: "
                + violations.map(\.description).joined(separator: "; "))
        }
        do {
            let version = try store.publish(month: id, note: note, audit: audit(context, "publish", month: id, target: "version", after: note))
            struct Published: Encodable { var version: Int }
            return try Self.json(Published(version: version), status: .created)
        } catch Store.Conflict.noDraft {
            throw HTTPError(.conflict, message: "公開する下書きがありません / no draft to publish")
        }
    }

    // MARK: - Members and calendars

    struct MemberLink: Encodable {
        var id: String
        var name: String
        var pool: String
        var icsUrl: String
    }

    func members(_ request: Request, _ context: RinbanContext) throws -> Response {
        let id = try monthID(context)
        let instance = try loadedInstance(ofMonth: id).instance
        let host = request.head.authority ?? "127.0.0.1"
        return try Self.json(try instance.members.map { member in
            MemberLink(id: member.id.rawValue, name: member.name, pool: member.pool.rawValue,
                       icsUrl: "http://\(host)/ics/\(try store.calendarToken(member: member.id.rawValue)).ics")
        })
    }

    /// `POST /api/members/{member}/calendar`: revokes the member's calendar address at once
    /// and answers with a new one (a phone lost, a link forwarded by mistake).
    func renewCalendar(_ request: Request, _ context: RinbanContext) throws -> Response {
        guard let member = context.parameters.get("member"), !member.isEmpty, member.count <= 200 else {
            throw HTTPError(.badRequest, message: "メンバーの ID が必要です / a member id is required")
        }
        guard try store.months().contains(where: { month in
            (try? loadedInstance(ofMonth: month.id).instance.memberIndex[MemberID(member)]) != nil
        }) else { throw HTTPError(.notFound, message: "メンバー \(member) はどの月にもいません / no member \(member)") }
        try store.revokeCalendarToken(member: member, audit: audit(context, "calendar.renew", target: "member \(member)"))
        let host = request.head.authority ?? "127.0.0.1"
        struct Renewed: Encodable {
            var id: String
            var icsUrl: String
        }
        return try Self.json(Renewed(id: member, icsUrl: "http://\(host)/ics/\(try store.calendarToken(member: member)).ics"))
    }

    /// `GET /ics/{token}.ics`: the member's duties of every month's latest published version.
    /// The secret token is the only credential (calendar apps cannot sign in).
    func calendar(_ context: RinbanContext) throws -> Response {
        guard let file = context.parameters.get("file"), file.hasSuffix(".ics"),
              let member = try store.member(forToken: String(file.dropLast(4)))
        else { throw HTTPError(.notFound) }
        var months: [(loaded: LoadedInstance, plan: Plan)] = []
        for entry in try store.latestPublished() {
            let loaded = try loadedInstance(ofMonth: entry.month, version: entry.version, revision: entry.revision)
            guard loaded.instance.memberIndex[MemberID(member)] != nil else { continue }
            months.append((loaded, try PlanReader.decode(DocumentReader.parse(Array(entry.plan.utf8), format: .json))))
        }
        let text = RotaICS.feed(member: MemberID(member), months: months, stamp: Date())
        var response = Self.text(text, type: "text/calendar; charset=utf-8")
        response.headers[.cacheControl] = "no-store"
        return response
    }
}

/// Decoded instances by month and revision (decoding the 300-clinic city takes a
/// noticeable fraction of a second; every page, feed and run of a month needs it). A few
/// revisions per month are kept: the current one and those of published versions.
final class InstanceCache: @unchecked Sendable {
    private let lock = NSLock()
    private var loaded: [Int64: [(revision: Int, instance: LoadedInstance)]] = [:]
    static let revisionsKept = 4

    subscript(month: Int64, revision: Int) -> LoadedInstance? {
        lock.withLock { loaded[month]?.first { $0.revision == revision }?.instance }
    }

    func insert(_ month: Int64, _ stored: Store.StoredInstance) throws -> LoadedInstance {
        let decoded = try InstanceDecoder.decode(DocumentReader.parse(Array(stored.text.utf8), format: .json))
        insert(month, revision: stored.revision, decoded)
        return decoded
    }

    /// Keeps an instance already decoded (an edit validates it by decoding it).
    func insert(_ month: Int64, revision: Int, _ decoded: LoadedInstance) {
        lock.withLock {
            var entries = (loaded[month] ?? []).filter { $0.revision != revision }
            entries.insert((revision, decoded), at: 0)
            loaded[month] = Array(entries.prefix(Self.revisionsKept))
        }
    }
}

/// Answers that never change once made (a published version's view), by key, the most
/// recently used 64 kept.
final class ViewCache: @unchecked Sendable {
    private let lock = NSLock()
    private var entries: [String: (data: Data, used: UInt64)] = [:]
    private var clock: UInt64 = 0
    static let kept = 64

    func value(_ key: String, make: () throws -> Data) throws -> Data {
        if let data = lock.withLock({ () -> Data? in
            clock += 1
            entries[key]?.used = clock
            return entries[key]?.data
        }) { return data }
        let data = try make()
        lock.withLock {
            clock += 1
            entries[key] = (data, clock)
            if entries.count > Self.kept, let oldest = entries.min(by: { $0.value.used < $1.value.used })?.key {
                entries.removeValue(forKey: oldest)
            }
        }
        return data
    }
}
