import ArgumentParser
import Foundation
import RinbanServer

/// `rinban serve` and `rinban users` run this program (kept apart so the command line
/// builds without the server's dependencies).
@main
struct RinbanServerCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rinban-server",
        abstract: "The office's server (docs/openapi.yaml) and its accounts.",
        subcommands: [Serve.self, Users.self],
        defaultSubcommand: Serve.self)
}

struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Serve the office's months in a browser and through the JSON API (docs/openapi.yaml).")

    @Option(help: "The folder of the database (rinban.sqlite).")
    var data = "./rinban-data"

    @Option(help: "The address to listen on (loopback unless told otherwise).")
    var host = "127.0.0.1"

    @Option(help: "The port.")
    var port = 8080

    func run() async throws {
        try await Server.run(data: data, host: host, port: port)
    }
}

/// Errors of `rinban users`, in Japanese and English, with exit status 1.
struct UsersFailure: Error, CustomStringConvertible {
    var description: String
}

struct Users: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "users",
        abstract: "Add, list and revoke the people who may use the server, and give API tokens.",
        subcommands: [Add.self, List.self, Revoke.self, Token.self])

    struct Common: ParsableArguments {
        @Option(help: "The folder of the database (rinban.sqlite), as given to rinban serve.")
        var data = "./rinban-data"
    }

    struct Add: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Add a person; prints their one-time password (office, leader) or personal link (member).")

        @Argument(help: "The person's name (what they type to sign in).")
        var name: String

        @Option(help: "office (事務局), leader (ブロック幹事) or member (会員).")
        var role: String

        @Option(help: "A leader's blocks, comma-separated (block ids of the instance).")
        var blocks: String?

        @Option(help: "A member's id in the instances.")
        var member: String?

        @Option(help: "The server's address as members open it (for the member's link).")
        var url = "http://127.0.0.1:8080"

        @OptionGroup var common: Common

        func run() async throws {
            let store = try Store(directory: common.data)
            let blocks = blocks.map { $0.split(separator: ",").map(String.init) } ?? []
            do {
                let issued = try await Accounts(store: store).add(
                    name: name, role: role, blocks: blocks, member: member,
                    audit: Store.AuditEntry(userId: nil, actor: "command line", action: "user.add", target: "user \(name)",
                                            after: "\(role) \(blocks.joined(separator: ","))\(member ?? "")"))
                if let password = issued.password {
                    print("\(issued.user.name) (\(issued.user.role.rawValue)) を加えました。初回パスワード (ここでしか表示しません):")
                    print(password)
                } else if let link = issued.link {
                    print("\(issued.user.name) (member \(issued.user.member ?? "")) を加えました。本人だけに渡すリンク (ここでしか表示しません):")
                    print("\(url.hasSuffix("/") ? String(url.dropLast()) : url)/m/\(link)")
                }
            } catch let refusal as Accounts.Refusal {
                throw UsersFailure(description: "rinban users add: \(refusal.field): \(refusal.japanese) / \(refusal.english)")
            }
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List the people, live ones first.")

        @OptionGroup var common: Common

        func run() async throws {
            for user in try Store(directory: common.data).users() {
                let scope = user.role == .leader ? user.blocks.joined(separator: ",") : (user.member ?? "")
                print([user.name, user.role.rawValue, scope, user.createdAt, user.revokedAt.map { "revoked \($0)" } ?? "live"]
                    .joined(separator: "\t"))
            }
        }
    }

    struct Revoke: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Revoke a person: their sessions, tokens, link and calendar address stop working at once.")

        @Argument(help: "The person's name.")
        var name: String

        @OptionGroup var common: Common

        func run() async throws {
            let store = try Store(directory: common.data)
            guard let user = try store.user(named: name) else {
                throw UsersFailure(description: "rinban users revoke: 「\(name)」は登録されていません / no such user")
            }
            try store.revokeUser(id: user.id, audit: Store.AuditEntry(userId: nil, actor: "command line", action: "user.revoke",
                                                                       target: "user \(name)"))
            print("\(name) を取り消しました / revoked")
        }
    }

    struct Token: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Print a new API token for the person (send it as Authorization: Bearer TOKEN); their older tokens stop working.")

        @Argument(help: "The person's name.")
        var name: String

        @OptionGroup var common: Common

        func run() async throws {
            let store = try Store(directory: common.data)
            guard let user = try store.user(named: name), user.revokedAt == nil else {
                throw UsersFailure(description: "rinban users token: 「\(name)」は登録されていないか、取り消されています / no such live user")
            }
            print(try store.issueAPIToken(user: user.id, audit: Store.AuditEntry(userId: nil, actor: "command line", action: "token.new",
                                                                                 target: "user \(name)")))
        }
    }
}
