import Foundation
import GRDB

/// The server's state in one SQLite file (`DIR/rinban.sqlite`): WAL journal, foreign keys
/// on, versioned migrations. Every change is one transaction, so a process killed at any
/// moment leaves either the old state or the new one.
public final class Store: Sendable {
    public let path: String
    let pool: DatabasePool

    /// Opens (creating when missing) the database in `directory`, migrates it, and marks
    /// runs that were running when the last process stopped as failed: a run never
    /// survives its process, and the month keeps the draft it had.
    public init(directory: String) throws {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        path = (directory as NSString).appendingPathComponent("rinban.sqlite")
        var configuration = Configuration()
        configuration.foreignKeysEnabled = true
        configuration.busyMode = .timeout(10)
        pool = try DatabasePool(path: path, configuration: configuration)
        try Self.migrator.migrate(pool)
        try pool.write { db in
            try db.execute(sql: """
                UPDATE run SET state = 'failed', message = 'サーバーが止まったため中断しました / interrupted: the server stopped',
                finishedAt = ? WHERE state = 'running'
                """, arguments: [Self.now()])
        }
    }

    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1") { db in
            try db.create(table: "month") { t in
                t.autoIncrementedPrimaryKey("id")
                t.column("label", .text).notNull()
                t.column("association", .text)
                t.column("periodStart", .text).notNull()
                t.column("periodEnd", .text).notNull()
                // The file as uploaded, and the rinban/1 document it means.
                t.column("sourceName", .text).notNull()
                t.column("sourceType", .text).notNull()
                t.column("source", .blob).notNull()
                t.column("instance", .text).notNull()
                t.column("createdAt", .text).notNull()
            }
            try db.create(table: "run") { t in
                t.autoIncrementedPrimaryKey("id")
                t.belongsTo("month", onDelete: .cascade).notNull()
                t.column("state", .text).notNull().check(sql: "state IN ('running', 'done', 'failed', 'cancelled')")
                t.column("engine", .text).notNull()
                t.column("timeLimit", .double).notNull()
                t.column("incumbent", .double)
                t.column("bound", .double)
                t.column("seconds", .double)
                t.column("message", .text)
                t.column("startedAt", .text).notNull()
                t.column("finishedAt", .text)
            }
            // One run at a time per month, enforced by the database itself.
            try db.execute(sql: "CREATE UNIQUE INDEX run_one_running ON run(monthId) WHERE state = 'running'")
            try db.create(table: "draft") { t in
                t.primaryKey("monthId", .integer).references("month", onDelete: .cascade)
                t.column("plan", .text).notNull()
                t.column("version", .integer).notNull()
                t.column("runId", .integer).references("run", onDelete: .setNull)
                t.column("updatedAt", .text).notNull()
            }
            try db.create(table: "published") { t in
                t.belongsTo("month", onDelete: .cascade).notNull()
                t.column("version", .integer).notNull()
                t.column("plan", .text).notNull()
                t.column("note", .text).notNull()
                t.column("createdAt", .text).notNull()
                t.primaryKey(["monthId", "version"])
            }
            // A published version is never changed or removed.
            try db.execute(sql: """
                CREATE TRIGGER published_immutable BEFORE UPDATE ON published
                BEGIN SELECT RAISE(ABORT, 'a published version cannot change'); END
                """)
            try db.create(table: "memberLink") { t in
                t.primaryKey("memberId", .text)
                t.column("token", .text).notNull().unique()
                t.column("createdAt", .text).notNull()
                t.column("revokedAt", .text)
            }
        }
        // The office edits a month's instance in place (availability, pins): each edit
        // raises the month's revision, and a published version keeps the instance it was
        // published on, so its downloads and calendars never change afterwards.
        migrator.registerMigration("v2 instance revisions") { db in
            try db.alter(table: "month") { t in t.add(column: "revision", .integer).notNull().defaults(to: 1) }
            try db.alter(table: "published") { t in
                t.add(column: "instance", .text)
                t.add(column: "instanceRevision", .integer)
            }
        }
        registerPeople(&migrator)
        registerProposals(&migrator)
        return migrator
    }

    static func now() -> String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return formatter.string(from: Date())
    }

    // MARK: - Months

    public struct Month: Sendable, Hashable, Codable {
        public var id: Int64
        public var label: String
        public var association: String?
        public var periodStart: String
        public var periodEnd: String
        public var sourceName: String
        public var createdAt: String
    }

    public struct NewMonth: Sendable {
        public var label: String
        public var association: String?
        public var periodStart: String
        public var periodEnd: String
        public var sourceName: String
        public var sourceType: String
        public var source: Data
        /// The rinban/1 document, validated.
        public var instance: String
    }

    public func createMonth(_ month: NewMonth, audit: AuditEntry? = nil) throws -> Int64 {
        try pool.write { db in
            try db.execute(sql: """
                INSERT INTO month (label, association, periodStart, periodEnd, sourceName, sourceType, source, instance, createdAt)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
                """, arguments: [month.label, month.association, month.periodStart, month.periodEnd, month.sourceName,
                                 month.sourceType, month.source, month.instance, Self.now()])
            let id = db.lastInsertedRowID
            if var audit {
                audit.month = id
                try Self.append(audit, db)
            }
            return id
        }
    }

    private static let monthColumns = "id, label, association, periodStart, periodEnd, sourceName, createdAt"

    private static func month(_ row: Row) -> Month {
        Month(id: row["id"], label: row["label"], association: row["association"], periodStart: row["periodStart"],
              periodEnd: row["periodEnd"], sourceName: row["sourceName"], createdAt: row["createdAt"])
    }

    public func months() throws -> [Month] {
        try pool.read { db in
            try Row.fetchAll(db, sql: "SELECT \(Self.monthColumns) FROM month ORDER BY periodStart DESC, id DESC").map(Self.month)
        }
    }

    public func month(_ id: Int64) throws -> Month? {
        try pool.read { db in
            try Row.fetchOne(db, sql: "SELECT \(Self.monthColumns) FROM month WHERE id = ?", arguments: [id]).map(Self.month)
        }
    }

    /// A month's rinban/1 document (JSON text) at one revision.
    public struct StoredInstance: Sendable, Hashable {
        public var text: String
        public var revision: Int
    }

    /// The month's current rinban/1 document.
    public func instance(ofMonth id: Int64) throws -> StoredInstance? {
        try pool.read { db in
            try Row.fetchOne(db, sql: "SELECT instance, revision FROM month WHERE id = ?", arguments: [id]).map {
                StoredInstance(text: $0["instance"], revision: $0["revision"])
            }
        }
    }

    /// The month's current revision (cheap: the instance's text is not read).
    public func revision(ofMonth id: Int64) throws -> Int? {
        try pool.read { db in try Int.fetchOne(db, sql: "SELECT revision FROM month WHERE id = ?", arguments: [id]) }
    }

    /// Replaces the month's instance if it is still at `expectedRevision` (an edit computed
    /// from an older text is refused, never applied on top of a newer one).
    /// The edits' audit entries and members' answers (availability given by link) are
    /// written in the same transaction.
    /// - Returns: the new revision.
    public func replaceInstance(month id: Int64, text: String, expectedRevision: Int, audits: [AuditEntry] = [],
                                answers: [(member: String, note: String)] = []) throws -> Int {
        try pool.write { db in
            try db.execute(sql: "UPDATE month SET instance = ?, revision = revision + 1 WHERE id = ? AND revision = ?",
                           arguments: [text, id, expectedRevision])
            guard db.changesCount == 1 else {
                throw Conflict.instanceChanged(current: try Int.fetchOne(db, sql: "SELECT revision FROM month WHERE id = ?", arguments: [id]) ?? 0)
            }
            for audit in audits { try Self.append(audit, db) }
            for answer in answers { try Self.recordAnswer(db, month: id, member: answer.member, note: answer.note) }
            return expectedRevision + 1
        }
    }

    /// The file as uploaded: its name, media type and bytes.
    public func source(ofMonth id: Int64) throws -> (name: String, type: String, data: Data)? {
        try pool.read { db in
            guard let row = try Row.fetchOne(db, sql: "SELECT sourceName, sourceType, source FROM month WHERE id = ?", arguments: [id])
            else { return nil }
            return (row["sourceName"], row["sourceType"], row["source"])
        }
    }

    // MARK: - Runs

    public struct Run: Sendable, Hashable, Codable {
        public var id: Int64
        public var monthId: Int64
        public var state: String
        public var engine: String
        public var timeLimit: Double
        public var incumbent: Double?
        public var bound: Double?
        public var seconds: Double?
        public var message: String?
        public var startedAt: String
        public var finishedAt: String?

        /// Relative gap between incumbent and bound, when both are known.
        public var gap: Double? {
            guard let incumbent, let bound else { return nil }
            return max(0, incumbent - bound) / max(abs(incumbent), 1)
        }
    }

    public enum Conflict: Error, Sendable {
        /// A run of the month is already running.
        case runInProgress(Int64)
        /// The draft changed since the client read it.
        case draftChanged(current: Int)
        /// Nothing to publish.
        case noDraft
        /// The month's instance changed since the edit read it.
        case instanceChanged(current: Int)
    }

    /// Starts a run record; refuses when the month already has one running.
    public func createRun(month: Int64, engine: String, timeLimit: Double, startedBy: String? = nil, audit: AuditEntry? = nil) throws -> Int64 {
        try pool.write { db in
            if let running = try Int64.fetchOne(db, sql: "SELECT id FROM run WHERE monthId = ? AND state = 'running'", arguments: [month]) {
                throw Conflict.runInProgress(running)
            }
            try db.execute(sql: "INSERT INTO run (monthId, state, engine, timeLimit, startedAt, startedBy) VALUES (?, 'running', ?, ?, ?, ?)",
                           arguments: [month, engine, timeLimit, Self.now(), startedBy])
            let id = db.lastInsertedRowID
            if var audit {
                audit.target = "run \(id)"
                try Self.append(audit, db)
            }
            return id
        }
    }

    /// Records every running run as cancelled (the server is stopping cleanly).
    public func cancelRunningRuns() throws {
        try pool.write { db in
            try db.execute(sql: """
                UPDATE run SET state = 'cancelled', message = 'サーバーの停止で取り消しました / cancelled: the server stopped',
                finishedAt = ? WHERE state = 'running'
                """, arguments: [Self.now()])
        }
    }

    public func updateRun(_ id: Int64, incumbent: Double?, bound: Double?, seconds: Double) throws {
        try pool.write { db in
            try db.execute(sql: """
                UPDATE run SET incumbent = COALESCE(?, incumbent), bound = COALESCE(?, bound), seconds = ?
                WHERE id = ? AND state = 'running'
                """, arguments: [incumbent, bound, seconds, id])
        }
    }

    /// Ends a run. A finished run's plan becomes the month's draft in the same transaction
    /// (the draft's version goes up by one), so the draft never refers to a half-stored run.
    public func finishRun(_ id: Int64, state: String, plan: String?, incumbent: Double?, bound: Double?, seconds: Double,
                          message: String?) throws
    {
        try pool.write { db in
            try db.execute(sql: """
                UPDATE run SET state = ?, incumbent = ?, bound = ?, seconds = ?, message = ?, finishedAt = ?
                WHERE id = ? AND state = 'running'
                """, arguments: [state, incumbent, bound, seconds, message, Self.now(), id])
            guard db.changesCount == 1, let row = try Row.fetchOne(db, sql: "SELECT monthId, startedBy FROM run WHERE id = ?", arguments: [id])
            else { return }
            let month: Int64 = row["monthId"]
            let before = try Int.fetchOne(db, sql: "SELECT version FROM draft WHERE monthId = ?", arguments: [month])
            if let plan {
                try db.execute(sql: """
                    INSERT INTO draft (monthId, plan, version, runId, updatedAt) VALUES (?, ?, 1, ?, ?)
                    ON CONFLICT(monthId) DO UPDATE SET plan = excluded.plan, version = draft.version + 1,
                    runId = excluded.runId, updatedAt = excluded.updatedAt
                    """, arguments: [month, plan, id, Self.now()])
            }
            let after = plan == nil ? before : (before ?? 0) + 1
            try Self.append(AuditEntry(userId: nil, actor: row["startedBy"] ?? "system", action: "run.end", month: month, target: "run \(id)",
                                       before: before.map { "draft \($0)" }, after: "\(state); " + (after.map { "draft \($0)" } ?? "no draft")
                                           + (incumbent.map { String(format: "; objective %.4f", $0) } ?? "")), db)
        }
    }

    private static func run(_ row: Row) -> Run {
        Run(id: row["id"], monthId: row["monthId"], state: row["state"], engine: row["engine"], timeLimit: row["timeLimit"],
            incumbent: row["incumbent"], bound: row["bound"], seconds: row["seconds"], message: row["message"],
            startedAt: row["startedAt"], finishedAt: row["finishedAt"])
    }

    public func run(_ id: Int64) throws -> Run? {
        try pool.read { db in try Row.fetchOne(db, sql: "SELECT * FROM run WHERE id = ?", arguments: [id]).map(Self.run) }
    }

    public func runs(ofMonth month: Int64) throws -> [Run] {
        try pool.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM run WHERE monthId = ? ORDER BY id DESC", arguments: [month]).map(Self.run)
        }
    }

    // MARK: - Drafts and published versions

    public struct StoredPlan: Sendable, Hashable {
        public var plan: String
        public var version: Int
        public var note: String?
        public var at: String
        /// For a published version: the month's revision it was published on.
        public var instanceRevision: Int? = nil
    }

    public func draft(ofMonth month: Int64) throws -> StoredPlan? {
        try pool.read { db in
            try Row.fetchOne(db, sql: "SELECT plan, version, updatedAt FROM draft WHERE monthId = ?", arguments: [month]).map {
                StoredPlan(plan: $0["plan"], version: $0["version"], note: nil, at: $0["updatedAt"])
            }
        }
    }

    /// Saves an edited draft if nobody changed it since `expectedVersion` was read.
    /// - Returns: the new version.
    public func saveDraft(month: Int64, plan: String, expectedVersion: Int, audit: AuditEntry? = nil) throws -> Int {
        try pool.write { db in
            let current = try Int.fetchOne(db, sql: "SELECT version FROM draft WHERE monthId = ?", arguments: [month]) ?? 0
            guard current == expectedVersion else { throw Conflict.draftChanged(current: current) }
            try db.execute(sql: """
                INSERT INTO draft (monthId, plan, version, updatedAt) VALUES (?, ?, ?, ?)
                ON CONFLICT(monthId) DO UPDATE SET plan = excluded.plan, version = excluded.version, updatedAt = excluded.updatedAt
                """, arguments: [month, plan, current + 1, Self.now()])
            if var audit {
                audit.target = "draft \(current + 1)"
                try Self.append(audit, db)
            }
            return current + 1
        }
    }

    /// Publishes the current draft as the next version, in one transaction.
    public func publish(month: Int64, note: String, audit: AuditEntry? = nil) throws -> Int {
        try pool.write { db in
            guard let plan = try String.fetchOne(db, sql: "SELECT plan FROM draft WHERE monthId = ?", arguments: [month]) else {
                throw Conflict.noDraft
            }
            let next = (try Int.fetchOne(db, sql: "SELECT MAX(version) FROM published WHERE monthId = ?", arguments: [month]) ?? 0) + 1
            try db.execute(sql: """
                INSERT INTO published (monthId, version, plan, note, createdAt, instance, instanceRevision)
                SELECT ?, ?, ?, ?, ?, instance, revision FROM month WHERE id = ?
                """, arguments: [month, next, plan, note, Self.now(), month])
            if var audit {
                audit.target = "version \(next)"
                audit.before = next > 1 ? "version \(next - 1)" : nil
                try Self.append(audit, db)
            }
            return next
        }
    }

    /// A published version, or the latest one when `version` is nil.
    public func published(month: Int64, version: Int? = nil) throws -> StoredPlan? {
        try pool.read { db in
            let row: Row?
            if let version {
                row = try Row.fetchOne(db, sql: "SELECT * FROM published WHERE monthId = ? AND version = ?", arguments: [month, version])
            } else {
                row = try Row.fetchOne(db, sql: "SELECT * FROM published WHERE monthId = ? ORDER BY version DESC LIMIT 1",
                                       arguments: [month])
            }
            return row.map(Self.publishedPlan)
        }
    }

    private static func publishedPlan(_ row: Row) -> StoredPlan {
        StoredPlan(plan: row["plan"], version: row["version"], note: row["note"], at: row["createdAt"],
                   instanceRevision: row["instanceRevision"])
    }

    /// Every published version of the month, newest first, without their plans.
    public func versions(month: Int64) throws -> [StoredPlan] {
        try pool.read { db in
            try Row.fetchAll(db, sql: """
                SELECT '' AS plan, version, note, createdAt, instanceRevision FROM published WHERE monthId = ? ORDER BY version DESC
                """, arguments: [month]).map(Self.publishedPlan)
        }
    }

    /// The instance a published version was published on (the month's current one for a
    /// version stored before revisions existed).
    public func instance(ofMonth month: Int64, version: Int) throws -> StoredInstance? {
        try pool.read { db in
            try Row.fetchOne(db, sql: """
                SELECT COALESCE(p.instance, m.instance) AS instance, COALESCE(p.instanceRevision, m.revision) AS revision
                FROM published p JOIN month m ON m.id = p.monthId WHERE p.monthId = ? AND p.version = ?
                """, arguments: [month, version]).map { StoredInstance(text: $0["instance"], revision: $0["revision"]) }
        }
    }

    /// Every month's latest published version, with the revision of the instance it was
    /// published on (for calendar feeds; the instance's text is read only when needed).
    public func latestPublished() throws -> [(month: Int64, version: Int, revision: Int, plan: String)] {
        try pool.read { db in
            try Row.fetchAll(db, sql: """
                SELECT m.id, p.version, COALESCE(p.instanceRevision, m.revision) AS revision, p.plan
                FROM month m JOIN published p ON p.monthId = m.id
                WHERE p.version = (SELECT MAX(version) FROM published WHERE monthId = m.id)
                ORDER BY m.periodStart
                """).map { ($0["id"], $0["version"], $0["revision"], $0["plan"]) }
        }
    }

    // MARK: - Members' calendar links

    /// The member's secret calendar token, made on first use.
    public func calendarToken(member: String) throws -> String {
        try pool.write { db in
            if let token = try String.fetchOne(db, sql: "SELECT token FROM memberLink WHERE memberId = ? AND revokedAt IS NULL",
                                               arguments: [member]) {
                return token
            }
            let token = Self.newToken()
            try db.execute(sql: """
                INSERT INTO memberLink (memberId, token, createdAt) VALUES (?, ?, ?)
                ON CONFLICT(memberId) DO UPDATE SET token = excluded.token, createdAt = excluded.createdAt, revokedAt = NULL
                """, arguments: [member, token, Self.now()])
            return token
        }
    }

    /// Revokes the member's link; the next `calendarToken` makes a new one.
    public func revokeCalendarToken(member: String, audit: AuditEntry? = nil) throws {
        try pool.write { db in
            try db.execute(sql: "UPDATE memberLink SET revokedAt = ? WHERE memberId = ? AND revokedAt IS NULL",
                           arguments: [Self.now(), member])
            if let audit { try Self.append(audit, db) }
        }
    }

    /// The member a live token belongs to.
    public func member(forToken token: String) throws -> String? {
        try pool.read { db in
            try String.fetchOne(db, sql: "SELECT memberId FROM memberLink WHERE token = ? AND revokedAt IS NULL", arguments: [token])
        }
    }

    /// 32 random bytes as URL-safe text (from the system's random source).
    static func newToken() -> String {
        var generator = SystemRandomNumberGenerator()
        let bytes = (0..<32).map { _ in UInt8.random(in: 0...255, using: &generator) }
        return Data(bytes).base64EncodedString().replacingOccurrences(of: "+", with: "-")
            .replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
    }

    /// A consistent copy of the database at `path` (`VACUUM INTO`), safe while the server runs.
    public func backup(to path: String) throws {
        try pool.writeWithoutTransaction { db in try db.execute(sql: "VACUUM INTO ?", arguments: [path]) }
    }
}
