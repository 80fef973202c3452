import ArgumentParser
import Foundation

/// `rinban users`: the server's accounts, kept by the `rinban-server` program built beside
/// this one (the database library stays out of the command line's build).
struct UsersCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "users",
        abstract: "Add, list and revoke the server's people; print API tokens (runs rinban-server users).",
        discussion: """
            rinban users add NAME --role office|leader|member [--blocks b1,b2] [--member ID] --data DIR
            prints a one-time password (office, leader) or the member's personal link;
            rinban users list --data DIR; rinban users revoke NAME --data DIR;
            rinban users token NAME --data DIR prints a new API token on standard output.
            """)

    @Argument(parsing: .allUnrecognized, help: "add, list, revoke or token, and their options.")
    var arguments: [String] = []

    func run() throws {
        try ServeCommand.execServer(["users"] + arguments)
    }
}
