import Foundation
import Hummingbird
import HTTPTypes
import HummingbirdBcrypt
import NIOCore

/// What a request may do. Every route names one action when it is registered
/// (``ServerApplication/router()``), and ``Policy`` decides before any work is done.
public enum Action: String, Sendable, CaseIterable {
    /// No sign-in needed (health, assets, sign-in itself, calendar feeds by secret address).
    case open
    /// Anyone signed in.
    case signedIn
    case readMonths, createMonth, readInstance, readAvailability, editAvailability, startRun, readRun, readDraft, editDraft
    /// A published version's plan and calendar, narrowed to what the person may see.
    case readPublished
    /// A published version's calendar view (the whole month for the office, the leader's blocks for a leader).
    case readPublishedView
    /// A published version's files and differences (patient tables included).
    case readPublishedFiles
    case publish, readMembers, manageLinks, manageUsers, readAudit, manageCollection
    /// A member's own duties, patients, availability and answer.
    case readOwn, editOwn
    /// Cover and what-if on the published version, proposing, submitting and (by the
    /// office's rule) publishing proposals: the office, and leaders within their blocks.
    case propose
    /// Proposals one may see (a leader: those of their blocks; a member: their swaps).
    case readProposals
    /// The office's rules for proposals.
    case manageRules
}

/// Who may do what: one table of role × action, and for a leader the blocks an action
/// touches. Anything not listed is refused.
public struct Policy: Sendable {
    public init() {}

    static let leader: Set<Action> = [.signedIn, .readMonths, .readPublished, .readPublishedView, .propose, .readProposals]
    static let member: Set<Action> = [.signedIn, .readMonths, .readPublished, .readOwn, .editOwn, .readProposals]

    /// Whether `principal` may do `action`; `blocks`, when given, are the blocks the action
    /// touches (a leader must lead one of them).
    public func allows(_ principal: Principal?, _ action: Action, blocks: Set<String>? = nil) -> Bool {
        if action == .open { return true }
        guard let principal else { return false }
        switch principal.user.role {
        case .office:
            return action != .readOwn && action != .editOwn
        case .leader:
            guard Self.leader.contains(action) else { return false }
            return blocks.map { !$0.isDisjoint(with: principal.blocks) } ?? true
        case .member:
            return Self.member.contains(action) && principal.user.member != nil
        }
    }
}

/// The person behind a request and how they proved it.
public struct Principal: Sendable {
    public var user: Store.User
    /// The session's CSRF token (nil for an API token).
    public var csrf: String?
    /// The credential's digest (signing out ends it).
    public var digest: String

    public var blocks: Set<String> { Set(user.blocks) }

    /// The person of the request being handled (pages draw their header from it).
    @TaskLocal public static var current: Principal?
}

/// The request context: Hummingbird's, plus who is asking and from where.
public struct RinbanContext: RequestContext {
    public var coreContext: CoreRequestContextStorage
    public var principal: Principal?
    /// The peer's address (sign-in attempts are counted by it).
    public var remote: String

    public init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        remote = source.channel.remoteAddress?.ipAddress ?? "unknown"
    }
}

enum Session {
    static let cookie = "rinban_session"
    /// Office and leaders sign in for a working day; members' links open a month-long session.
    static let passwordLifetime: TimeInterval = 12 * 3600
    static let linkLifetime: TimeInterval = 30 * 24 * 3600
    static let csrfHeader = HTTPField.Name("X-CSRF-Token")!
}

/// Finds the person (bearer token or session cookie), and refuses a state-changing request
/// that carries a session cookie without its CSRF token, or that comes from another origin.
struct AuthMiddleware: RouterMiddleware {
    typealias Context = RinbanContext
    let store: Store

    func handle(_ request: Request, context: RinbanContext, next: (Request, RinbanContext) async throws -> Response) async throws -> Response {
        var context = context
        let changes = ![.get, .head, .options].contains(request.method)
        if changes, let origin = request.headers[.origin], !Self.sameOrigin(origin, request) {
            throw HTTPError(.forbidden, message: "別のサイトからの送信は受け付けません / cross-origin request refused")
        }
        if let authorization = request.headers[.authorization], authorization.lowercased().hasPrefix("bearer ") {
            let secret = String(authorization.dropFirst(7)).trimmingCharacters(in: .whitespaces)
            guard let live = try store.credential(secret), live.kind == .api else {
                throw HTTPError(.unauthorized, headers: [.wwwAuthenticate: "Bearer"], message: "トークンが無効です / invalid or revoked token")
            }
            context.principal = Principal(user: live.user, csrf: nil, digest: live.digest)
        } else if let cookie = request.cookies[Session.cookie]?.value, let live = try store.credential(cookie), live.kind == .session {
            if changes {
                // Constant-time comparison of the form's token with the session's.
                guard let sent = request.headers[Session.csrfHeader], let expected = live.csrf, Self.equal(sent, expected) else {
                    throw HTTPError(.forbidden, message: "フォームの確認用トークンがありません。ページを読み直してください / missing or wrong CSRF token")
                }
            }
            context.principal = Principal(user: live.user, csrf: live.csrf, digest: live.digest)
        }
        return try await Principal.$current.withValue(context.principal) { try await next(request, context) }
    }

    /// Compares in time that depends only on the length (a token is never guessed byte by byte).
    static func equal(_ a: String, _ b: String) -> Bool {
        let x = Array(a.utf8), y = Array(b.utf8)
        guard x.count == y.count else { return false }
        var difference: UInt8 = 0
        for i in x.indices { difference |= x[i] ^ y[i] }
        return difference == 0
    }

    /// Whether `Origin` names the host the request was sent to.
    static func sameOrigin(_ origin: String, _ request: Request) -> Bool {
        guard let host = request.head.authority else { return false }
        let bare = origin.replacingOccurrences(of: "https://", with: "").replacingOccurrences(of: "http://", with: "")
        return bare == host
    }
}

/// Failed sign-ins per name and per address in a sliding window: the sixth wrong password
/// for one name within 15 minutes (or the 21st from one address) is refused with 429
/// until the window passes. Kept in memory: a restart forgets the counts.
final class SignInLimiter: @unchecked Sendable {
    private let lock = NSLock()
    private var failures: [String: [Date]] = [:]
    static let window: TimeInterval = 15 * 60
    static let perName = 5
    static let perAddress = 20

    /// Seconds to wait, or nil when an attempt is allowed now.
    func wait(name: String, address: String, now: Date = Date()) -> Int? {
        lock.withLock {
            var longest: TimeInterval?
            for (key, limit) in [("n:" + name, Self.perName), ("a:" + address, Self.perAddress)] {
                let recent = (failures[key] ?? []).filter { now.timeIntervalSince($0) < Self.window }
                failures[key] = recent
                if recent.count >= limit { longest = max(longest ?? 0, Self.window - now.timeIntervalSince(recent[recent.count - limit])) }
            }
            return longest.map { Int($0.rounded(.up)) }
        }
    }

    func failed(name: String, address: String, now: Date = Date()) {
        lock.withLock {
            failures["n:" + name, default: []].append(now)
            failures["a:" + address, default: []].append(now)
        }
    }

    func succeeded(name: String) {
        _ = lock.withLock { failures.removeValue(forKey: "n:" + name) }
    }
}

/// Password hashing (bcrypt, cost 12) off the request threads.
public enum Passwords {
    public static let cost: UInt8 = 12
    public static let minimumLength = 10

    public static func hash(_ password: String) async -> String {
        await withCheckedContinuation { continuation in
            DispatchQueue.global().async { continuation.resume(returning: Bcrypt.hash(password, cost: cost)) }
        }
    }

    public static func verify(_ password: String, hash: String) async -> Bool {
        await withCheckedContinuation { continuation in
            DispatchQueue.global().async { continuation.resume(returning: Bcrypt.verify(password, hash: hash)) }
        }
    }

    /// A one-time password for a new account: 16 characters without look-alikes (0/O, 1/l/I).
    public static func generate() -> String {
        let alphabet = Array("abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789")
        var generator = SystemRandomNumberGenerator()
        return String((0..<16).map { _ in alphabet[Int.random(in: 0..<alphabet.count, using: &generator)] })
    }
}
