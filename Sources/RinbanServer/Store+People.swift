import Crypto
import Foundation
import GRDB

/// People, their credentials, availability collection and the audit trail.
///
/// Secrets (session cookies, API tokens, members' sign-in links) are stored only as their
/// SHA-256 digests: a copy of the database lets nobody sign in. Passwords are bcrypt hashes.
extension Store {
    static func registerPeople(_ migrator: inout DatabaseMigrator) {
        migrator.registerMigration("v3 people") { db in
            try db.create(table: "user") { t in
                t.autoIncrementedPrimaryKey("id")
                t.column("name", .text).notNull().unique()
                t.column("role", .text).notNull().check(sql: "role IN ('office', 'leader', 'member')")
                // Leaders: their blocks, comma-separated. Members: their member id in the instances.
                t.column("blocks", .text).notNull().defaults(to: "")
                t.column("memberId", .text)
                t.column("passwordHash", .text)
                t.column("createdAt", .text).notNull()
                t.column("revokedAt", .text)
            }
            // One live account per member id.
            try db.execute(sql: "CREATE UNIQUE INDEX user_one_member ON user(memberId) WHERE memberId IS NOT NULL AND revokedAt IS NULL")
            try db.create(table: "credential") { t in
                t.primaryKey("digest", .text)
                t.belongsTo("user", onDelete: .cascade).notNull()
                t.column("kind", .text).notNull().check(sql: "kind IN ('session', 'api', 'link')")
                // Sessions: the token forms must send back (CSRF), and the link they came from.
                t.column("csrf", .text)
                t.column("viaLink", .text)
                t.column("createdAt", .text).notNull()
                t.column("expiresAt", .text)
                t.column("revokedAt", .text)
            }
            try db.create(table: "audit") { t in
                t.autoIncrementedPrimaryKey("id")
                t.column("at", .text).notNull()
                t.column("userId", .integer)
                t.column("actor", .text).notNull()
                t.column("action", .text).notNull()
                t.column("monthId", .integer)
                t.column("target", .text).notNull()
                t.column("before", .text)
                t.column("after", .text)
            }
            // The trail is append-only, enforced by the database.
            try db.execute(sql: """
                CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit BEGIN SELECT RAISE(ABORT, 'the audit trail is append-only'); END;
                CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit BEGIN SELECT RAISE(ABORT, 'the audit trail is append-only'); END;
                """)
            try db.create(table: "collection") { t in
                t.primaryKey("monthId", .integer).references("month", onDelete: .cascade)
                t.column("deadline", .text).notNull()
                t.column("openedAt", .text).notNull()
            }
            try db.create(table: "answer") { t in
                t.belongsTo("month", onDelete: .cascade).notNull()
                t.column("memberId", .text).notNull()
                t.column("note", .text).notNull()
                t.column("answeredAt", .text).notNull()
                t.primaryKey(["monthId", "memberId"])
            }
            try db.alter(table: "run") { t in t.add(column: "startedBy", .text) }
        }
    }

    // MARK: - Users

    public enum Role: String, Sendable, Codable, CaseIterable {
        case office, leader, member
    }

    public struct User: Sendable, Hashable, Codable {
        public var id: Int64
        public var name: String
        public var role: Role
        /// A leader's blocks.
        public var blocks: [String]
        /// A member's id in the month instances.
        public var member: String?
        public var createdAt: String
        public var revokedAt: String?
    }

    public enum PeopleError: Error, Sendable, Equatable {
        case nameTaken(String)
        case memberTaken(String)
        case noSuchUser(String)
    }

    static func user(_ row: Row) -> User {
        User(id: row["id"], name: row["name"], role: Role(rawValue: row["role"]) ?? .member,
             blocks: (row["blocks"] as String).split(separator: ",").map(String.init), member: row["memberId"],
             createdAt: row["createdAt"], revokedAt: row["revokedAt"])
    }

    /// Adds a person. A name or a member id already held by a live account is refused.
    public func addUser(name: String, role: Role, blocks: [String], member: String?, passwordHash: String?, audit: AuditEntry) throws -> User {
        try pool.write { db in
            if try Bool.fetchOne(db, sql: "SELECT 1 FROM user WHERE name = ?", arguments: [name]) == true { throw PeopleError.nameTaken(name) }
            if let member, try Bool.fetchOne(db, sql: "SELECT 1 FROM user WHERE memberId = ? AND revokedAt IS NULL", arguments: [member]) == true {
                throw PeopleError.memberTaken(member)
            }
            try db.execute(sql: "INSERT INTO user (name, role, blocks, memberId, passwordHash, createdAt) VALUES (?, ?, ?, ?, ?, ?)",
                           arguments: [name, role.rawValue, blocks.joined(separator: ","), member, passwordHash, Self.now()])
            let id = db.lastInsertedRowID
            try Self.append(audit, db)
            return try Row.fetchOne(db, sql: "SELECT * FROM user WHERE id = ?", arguments: [id]).map(Self.user)!
        }
    }

    public func users() throws -> [User] {
        try pool.read { db in try Row.fetchAll(db, sql: "SELECT * FROM user ORDER BY revokedAt IS NOT NULL, role, name").map(Self.user) }
    }

    public func user(named name: String) throws -> User? {
        try pool.read { db in try Row.fetchOne(db, sql: "SELECT * FROM user WHERE name = ?", arguments: [name]).map(Self.user) }
    }

    public func user(id: Int64) throws -> User? {
        try pool.read { db in try Row.fetchOne(db, sql: "SELECT * FROM user WHERE id = ?", arguments: [id]).map(Self.user) }
    }

    /// The live account of a member id.
    public func user(member: String) throws -> User? {
        try pool.read { db in
            try Row.fetchOne(db, sql: "SELECT * FROM user WHERE memberId = ? AND revokedAt IS NULL", arguments: [member]).map(Self.user)
        }
    }

    public func passwordHash(ofUser id: Int64) throws -> String? {
        try pool.read { db in try String.fetchOne(db, sql: "SELECT passwordHash FROM user WHERE id = ? AND revokedAt IS NULL", arguments: [id]) }
    }

    /// Replaces a person's password; their sessions end.
    public func setPassword(user id: Int64, hash: String, audit: AuditEntry) throws {
        try pool.write { db in
            try db.execute(sql: "UPDATE user SET passwordHash = ? WHERE id = ?", arguments: [hash, id])
            try db.execute(sql: "UPDATE credential SET revokedAt = ? WHERE userId = ? AND kind = 'session' AND revokedAt IS NULL",
                           arguments: [Self.now(), id])
            try Self.append(audit, db)
        }
    }

    /// Revokes a person: every credential stops working at once, and a member's calendar
    /// address too.
    public func revokeUser(id: Int64, audit: AuditEntry) throws {
        try pool.write { db in
            let now = Self.now()
            guard let member = try Row.fetchOne(db, sql: "SELECT memberId FROM user WHERE id = ?", arguments: [id]) else {
                throw PeopleError.noSuchUser(String(id))
            }
            try db.execute(sql: "UPDATE user SET revokedAt = ? WHERE id = ? AND revokedAt IS NULL", arguments: [now, id])
            try db.execute(sql: "UPDATE credential SET revokedAt = ? WHERE userId = ? AND revokedAt IS NULL", arguments: [now, id])
            if let memberId = member["memberId"] as String? {
                try db.execute(sql: "UPDATE memberLink SET revokedAt = ? WHERE memberId = ? AND revokedAt IS NULL", arguments: [now, memberId])
            }
            try Self.append(audit, db)
        }
    }

    // MARK: - Credentials

    public enum CredentialKind: String, Sendable {
        case session, api, link
    }

    /// The stored form of a secret.
    static func digest(_ secret: String) -> String {
        SHA256.hash(data: Data(secret.utf8)).map { String(format: "%02x", $0) }.joined()
    }

    /// A new secret for the person. A new link replaces the old one and ends the sessions
    /// it opened; a new API token replaces the old one; a session remembers its CSRF token
    /// and the link it came from.
    public func issue(_ kind: CredentialKind, user: Int64, lifetime: TimeInterval?, csrf: String? = nil, viaLink: String? = nil,
                      audit: AuditEntry? = nil) throws -> String
    {
        let secret = Self.newToken()
        try pool.write { db in
            let now = Self.now()
            if kind == .link {
                try db.execute(sql: """
                    UPDATE credential SET revokedAt = ? WHERE userId = ? AND revokedAt IS NULL AND (kind = 'link' OR viaLink IS NOT NULL)
                    """, arguments: [now, user])
            }
            if kind == .api {
                try db.execute(sql: "UPDATE credential SET revokedAt = ? WHERE userId = ? AND kind = 'api' AND revokedAt IS NULL",
                               arguments: [now, user])
            }
            let expires = lifetime.map { Self.timestamp(Date().addingTimeInterval($0)) }
            try db.execute(sql: """
                INSERT INTO credential (digest, userId, kind, csrf, viaLink, createdAt, expiresAt) VALUES (?, ?, ?, ?, ?, ?, ?)
                """, arguments: [Self.digest(secret), user, kind.rawValue, csrf, viaLink, now, expires])
            if let audit { try Self.append(audit, db) }
        }
        return secret
    }

    /// A live credential: its person (not revoked), kind, CSRF token and digest.
    /// A new API token for the person; their older tokens stop working.
    public func issueAPIToken(user: Int64, audit: AuditEntry) throws -> String {
        try issue(.api, user: user, lifetime: nil, audit: audit)
    }

    public struct LiveCredential: Sendable {
        public var user: User
        public var kind: CredentialKind
        public var csrf: String?
        public var digest: String
    }

    public func credential(_ secret: String) throws -> LiveCredential? {
        let digest = Self.digest(secret)
        return try pool.read { db in
            guard let row = try Row.fetchOne(db, sql: """
                SELECT u.*, c.kind, c.csrf, c.expiresAt FROM credential c JOIN user u ON u.id = c.userId
                WHERE c.digest = ? AND c.revokedAt IS NULL AND u.revokedAt IS NULL
                """, arguments: [digest]) else { return nil }
            if let expires = row["expiresAt"] as String?, expires < Self.timestamp(Date()) { return nil }
            return LiveCredential(user: Self.user(row), kind: CredentialKind(rawValue: row["kind"]) ?? .session, csrf: row["csrf"], digest: digest)
        }
    }

    /// Ends one credential (signing out).
    public func revokeCredential(digest: String) throws {
        try pool.write { db in
            try db.execute(sql: "UPDATE credential SET revokedAt = ? WHERE digest = ? AND revokedAt IS NULL", arguments: [Self.now(), digest])
        }
    }

    /// Whether the member has a live sign-in link.
    public func linkedMembers() throws -> Set<String> {
        try pool.read { db in
            Set(try String.fetchAll(db, sql: """
                SELECT u.memberId FROM user u JOIN credential c ON c.userId = u.id
                WHERE c.kind = 'link' AND c.revokedAt IS NULL AND u.revokedAt IS NULL AND u.memberId IS NOT NULL
                """))
        }
    }

    static func timestamp(_ date: Date) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return formatter.string(from: date)
    }

    // MARK: - Availability collection

    public struct Collection: Sendable, Hashable, Codable {
        /// The last moment answers are taken (ISO 8601).
        public var deadline: String
        public var openedAt: String
    }

    public struct Answer: Sendable, Hashable, Codable {
        public var member: String
        public var note: String
        public var answeredAt: String
    }

    public func collection(month: Int64) throws -> Collection? {
        try pool.read { db in
            try Row.fetchOne(db, sql: "SELECT deadline, openedAt FROM collection WHERE monthId = ?", arguments: [month]).map {
                Collection(deadline: $0["deadline"], openedAt: $0["openedAt"])
            }
        }
    }

    /// Opens the month's collection, or moves its deadline.
    public func openCollection(month: Int64, deadline: String, audit: AuditEntry) throws {
        try pool.write { db in
            try db.execute(sql: """
                INSERT INTO collection (monthId, deadline, openedAt) VALUES (?, ?, ?)
                ON CONFLICT(monthId) DO UPDATE SET deadline = excluded.deadline
                """, arguments: [month, deadline, Self.now()])
            try Self.append(audit, db)
        }
    }

    public func answers(month: Int64) throws -> [Answer] {
        try pool.read { db in
            try Row.fetchAll(db, sql: "SELECT memberId, note, answeredAt FROM answer WHERE monthId = ? ORDER BY memberId", arguments: [month]).map {
                Answer(member: $0["memberId"], note: $0["note"], answeredAt: $0["answeredAt"])
            }
        }
    }

    /// Records that a member answered (inside the transaction of their availability edit).
    static func recordAnswer(_ db: Database, month: Int64, member: String, note: String) throws {
        try db.execute(sql: """
            INSERT INTO answer (monthId, memberId, note, answeredAt) VALUES (?, ?, ?, ?)
            ON CONFLICT(monthId, memberId) DO UPDATE SET note = excluded.note, answeredAt = excluded.answeredAt
            """, arguments: [month, member, note, Self.now()])
    }

    // MARK: - The audit trail

    /// One change that matters: who, what, on which month, before and after.
    public struct AuditEntry: Sendable, Hashable, Codable {
        public var id: Int64 = 0
        public var at: String = ""
        public var userId: Int64?
        /// The person's name at the time (kept if the account is revoked), or `system`.
        public var actor: String
        public var action: String
        public var month: Int64?
        public var target: String
        public var before: String?
        public var after: String?

        public init(userId: Int64?, actor: String, action: String, month: Int64? = nil, target: String, before: String? = nil,
                    after: String? = nil)
        {
            self.userId = userId
            self.actor = actor
            self.action = action
            self.month = month
            self.target = target
            self.before = before
            self.after = after
        }
    }

    static func append(_ entry: AuditEntry, _ db: Database) throws {
        try db.execute(sql: """
            INSERT INTO audit (at, userId, actor, action, monthId, target, before, after) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
            """, arguments: [Self.now(), entry.userId, entry.actor, entry.action, entry.month, entry.target, entry.before, entry.after])
    }

    /// Records an entry on its own (for changes with no other row to write).
    public func record(_ entry: AuditEntry) throws {
        try pool.write { db in try Self.append(entry, db) }
    }

    /// The trail, newest first.
    public func audit(month: Int64? = nil, limit: Int = 1000) throws -> [AuditEntry] {
        try pool.read { db in
            let filter = month == nil ? "" : "WHERE monthId = ?"
            var arguments: StatementArguments = month.map { [$0] } ?? []
            _ = arguments.append(contentsOf: [limit])
            return try Row.fetchAll(db, sql: "SELECT * FROM audit \(filter) ORDER BY id DESC LIMIT ?", arguments: arguments).map {
                var entry = AuditEntry(userId: $0["userId"], actor: $0["actor"], action: $0["action"], month: $0["monthId"], target: $0["target"],
                                       before: $0["before"], after: $0["after"])
                entry.id = $0["id"]
                entry.at = $0["at"]
                return entry
            }
        }
    }
}
