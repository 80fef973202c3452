import Foundation
import GRDB

/// Proposed changes to a published version (a leader's what-if, a cover, a swap) and the
/// office's rules for them.
///
/// A proposal is made on one published version (its base). It is published as the next
/// version only if its base is still the latest: otherwise it is *stale* and must be
/// rebased (its changes made again on the latest version). Nothing is ever deleted:
/// rejected, withdrawn and rebased proposals stay in the history.
extension Store {
    static func registerProposals(_ migrator: inout DatabaseMigrator) {
        migrator.registerMigration("v4 proposals") { db in
            try db.create(table: "proposal") { t in
                t.autoIncrementedPrimaryKey("id")
                t.belongsTo("month", onDelete: .cascade).notNull()
                t.column("kind", .text).notNull().check(sql: "kind IN ('whatif', 'cover', 'swap')")
                t.column("baseVersion", .integer).notNull()
                t.column("state", .text).notNull()
                    .check(sql: "state IN ('proposed', 'offered', 'accepted', 'submitted', 'published', 'rejected', 'withdrawn', 'rebased')")
                t.column("createdBy", .integer)
                t.column("createdByName", .text).notNull()
                t.column("createdAt", .text).notNull()
                t.column("description", .text).notNull()
                // The change file (what-if), the plan and instance it makes, and its difference.
                t.column("changes", .text)
                t.column("plan", .text).notNull()
                t.column("instance", .text).notNull()
                t.column("summary", .text).notNull()
                // Blocks whose areas the proposal changes (comma-separated): who may see and approve it.
                t.column("blocks", .text).notNull()
                // Swaps: the member offering, the one asked (nil: anyone eligible), the one who accepted.
                t.column("offeredBy", .text)
                t.column("offeredTo", .text)
                t.column("acceptedBy", .text)
                t.column("decidedBy", .text)
                t.column("decidedAt", .text)
                t.column("version", .integer)
                t.column("rebasedTo", .integer)
            }
            try db.create(table: "setting") { t in
                t.primaryKey("key", .text)
                t.column("value", .text).notNull()
            }
        }
    }

    public struct Proposal: Sendable, Hashable {
        public var id: Int64
        public var month: Int64
        public var kind: String
        public var baseVersion: Int
        public var state: String
        public var createdBy: Int64?
        public var createdByName: String
        public var createdAt: String
        public var description: String
        public var changes: String?
        public var plan: String
        public var instance: String
        public var summary: String
        public var blocks: [String]
        public var offeredBy: String?
        public var offeredTo: String?
        public var acceptedBy: String?
        public var decidedBy: String?
        public var decidedAt: String?
        public var version: Int?
        public var rebasedTo: Int64?
    }

    public struct NewProposal: Sendable {
        public var month: Int64
        public var kind: String
        public var baseVersion: Int
        public var state: String
        public var createdBy: Int64?
        public var createdByName: String
        public var description: String
        public var changes: String?
        public var plan: String
        public var instance: String
        public var summary: String
        public var blocks: [String]
        public var offeredBy: String? = nil
        public var offeredTo: String? = nil
    }

    static func proposal(_ row: Row) -> Proposal {
        Proposal(id: row["id"], month: row["monthId"], kind: row["kind"], baseVersion: row["baseVersion"], state: row["state"],
                 createdBy: row["createdBy"], createdByName: row["createdByName"], createdAt: row["createdAt"],
                 description: row["description"], changes: row["changes"], plan: row["plan"], instance: row["instance"],
                 summary: row["summary"], blocks: (row["blocks"] as String).split(separator: ",").map(String.init),
                 offeredBy: row["offeredBy"], offeredTo: row["offeredTo"], acceptedBy: row["acceptedBy"], decidedBy: row["decidedBy"],
                 decidedAt: row["decidedAt"], version: row["version"], rebasedTo: row["rebasedTo"])
    }

    /// Stores a proposal; `rebasing` marks an older one as rebased onto it, in the same transaction.
    public func createProposal(_ new: NewProposal, rebasing: Int64? = nil, audit: AuditEntry) throws -> Int64 {
        try pool.write { db in
            try db.execute(sql: """
                INSERT INTO proposal (monthId, kind, baseVersion, state, createdBy, createdByName, createdAt, description, changes, plan,
                instance, summary, blocks, offeredBy, offeredTo) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """, arguments: [new.month, new.kind, new.baseVersion, new.state, new.createdBy, new.createdByName, Self.now(),
                                 new.description, new.changes, new.plan, new.instance, new.summary, new.blocks.joined(separator: ","),
                                 new.offeredBy, new.offeredTo])
            let id = db.lastInsertedRowID
            if let rebasing {
                try db.execute(sql: "UPDATE proposal SET state = 'rebased', rebasedTo = ? WHERE id = ?", arguments: [id, rebasing])
            }
            var audit = audit
            audit.target = "proposal \(id)"
            try Self.append(audit, db)
            return id
        }
    }

    public func proposal(_ id: Int64) throws -> Proposal? {
        try pool.read { db in try Row.fetchOne(db, sql: "SELECT * FROM proposal WHERE id = ?", arguments: [id]).map(Self.proposal) }
    }

    /// The month's proposals, newest first.
    public func proposals(month: Int64) throws -> [Proposal] {
        try pool.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM proposal WHERE monthId = ? ORDER BY id DESC", arguments: [month]).map(Self.proposal)
        }
    }

    /// Moves a proposal from one of `from` to `to`; false when it was in another state (someone was first).
    public func moveProposal(_ id: Int64, from: [String], to: String, acceptedBy: String? = nil, decidedBy: String? = nil,
                             audit: AuditEntry) throws -> Bool
    {
        try pool.write { db in
            let marks = from.map { _ in "?" }.joined(separator: ", ")
            var arguments: StatementArguments = [to, acceptedBy, decidedBy, decidedBy == nil ? nil : Self.now(), id]
            _ = arguments.append(contentsOf: StatementArguments(from))
            try db.execute(sql: """
                UPDATE proposal SET state = ?, acceptedBy = COALESCE(?, acceptedBy), decidedBy = COALESCE(?, decidedBy),
                decidedAt = COALESCE(?, decidedAt) WHERE id = ? AND state IN (\(marks))
                """, arguments: arguments)
            guard db.changesCount == 1 else { return false }
            try Self.append(audit, db)
            return true
        }
    }

    /// A colleague takes an offered swap: the proposal gets its plan, instance and
    /// difference on version `base`, if it is still offered (false when someone was first).
    public func acceptSwap(_ id: Int64, by member: String, base: Int, plan: String, instance: String, summary: String,
                           audit: AuditEntry) throws -> Bool
    {
        try pool.write { db in
            try db.execute(sql: """
                UPDATE proposal SET state = 'accepted', acceptedBy = ?, baseVersion = ?, plan = ?, instance = ?, summary = ?
                WHERE id = ? AND state = 'offered'
                """, arguments: [member, base, plan, instance, summary, id])
            guard db.changesCount == 1 else { return false }
            try Self.append(audit, db)
            return true
        }
    }

    public enum ProposalConflict: Error, Sendable, Equatable {
        /// Another version was published since the proposal's base.
        case stale(latest: Int)
        /// The proposal is not waiting to be published (already decided, or withdrawn).
        case notPending(state: String)
        /// The month's working instance changed while the proposal's change was applied to it.
        case instanceChanged
    }

    /// Publishes a proposal as the next version, if its base is still the latest version,
    /// in one transaction: the version (the proposal's plan and instance), the proposal's
    /// state, the month's working instance with the same change (when given: the text and
    /// the revision it was computed from) and the audit entry.
    /// - Returns: the new version.
    public func publishProposal(_ id: Int64, from states: [String], decidedBy: String, working: (text: String, revision: Int)?,
                                audit: AuditEntry) throws -> Int
    {
        try pool.write { db in
            guard let row = try Row.fetchOne(db, sql: "SELECT * FROM proposal WHERE id = ?", arguments: [id]) else {
                throw ProposalConflict.notPending(state: "missing")
            }
            let proposal = Self.proposal(row)
            guard states.contains(proposal.state) else { throw ProposalConflict.notPending(state: proposal.state) }
            let latest = try Int.fetchOne(db, sql: "SELECT MAX(version) FROM published WHERE monthId = ?", arguments: [proposal.month]) ?? 0
            guard latest == proposal.baseVersion else { throw ProposalConflict.stale(latest: latest) }
            if let working {
                try db.execute(sql: "UPDATE month SET instance = ?, revision = revision + 1 WHERE id = ? AND revision = ?",
                               arguments: [working.text, proposal.month, working.revision])
                guard db.changesCount == 1 else { throw ProposalConflict.instanceChanged }
            }
            let next = latest + 1
            let note = "\(proposal.kind == "whatif" ? "変更案" : proposal.kind == "cover" ? "代わり" : "交代") #\(proposal.id): \(proposal.description)"
            try db.execute(sql: """
                INSERT INTO published (monthId, version, plan, note, createdAt, instance, instanceRevision)
                SELECT ?, ?, ?, ?, ?, ?, revision FROM month WHERE id = ?
                """, arguments: [proposal.month, next, proposal.plan, String(note.prefix(2000)), Self.now(), proposal.instance, proposal.month])
            try db.execute(sql: "UPDATE proposal SET state = 'published', version = ?, decidedBy = ?, decidedAt = ? WHERE id = ?",
                           arguments: [next, decidedBy, Self.now(), id])
            var audit = audit
            audit.target = "proposal \(id)"
            audit.after = "version \(next)"
            audit.before = "version \(latest)"
            try Self.append(audit, db)
            return next
        }
    }

    // MARK: - Settings

    /// The office's rules for proposals.
    public struct Rules: Sendable, Hashable, Codable {
        /// Leaders publish what-ifs and covers of their own blocks themselves.
        public var leadersPublish: Bool = false
        /// Swaps that keep every hard rule and raise the objective by less than this are
        /// published without approval (nil: every swap waits for a leader or the office).
        public var swapAutoApprove: Double? = nil

        public init(leadersPublish: Bool = false, swapAutoApprove: Double? = nil) {
            self.leadersPublish = leadersPublish
            self.swapAutoApprove = swapAutoApprove
        }
    }

    public func rules() throws -> Rules {
        try pool.read { db in
            guard let text = try String.fetchOne(db, sql: "SELECT value FROM setting WHERE key = 'rules'") else { return Rules() }
            return (try? JSONDecoder().decode(Rules.self, from: Data(text.utf8))) ?? Rules()
        }
    }

    public func setRules(_ rules: Rules, audit: AuditEntry) throws {
        let text = String(decoding: try JSONEncoder().encode(rules), as: UTF8.self)
        try pool.write { db in
            let before = try String.fetchOne(db, sql: "SELECT value FROM setting WHERE key = 'rules'")
            try db.execute(sql: "INSERT INTO setting (key, value) VALUES ('rules', ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
                           arguments: [text])
            var audit = audit
            audit.before = before
            audit.after = text
            try Self.append(audit, db)
        }
    }
}
