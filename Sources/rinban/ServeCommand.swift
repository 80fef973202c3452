import ArgumentParser
import Foundation

/// `rinban serve`: runs the `rinban-server` program built beside this one, so the command
/// line itself needs neither the web server nor the database library.
struct ServeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Serve the office's months in a browser (runs rinban-server; see README).",
        discussion: """
            Options are passed on: --data DIR (default ./rinban-data), --host (default \
            127.0.0.1), --port (default 8080). Build the server once with \
            `swift build -c release --product rinban-server`.
            """)

    @Argument(parsing: .allUnrecognized, help: "Options for rinban-server.")
    var arguments: [String] = []

    func run() throws {
        try Self.execServer(["serve"] + arguments)
    }

    /// Replaces this process with `rinban-server ARGUMENTS` (built beside this program).
    static func execServer(_ arguments: [String]) throws {
        let me = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
        let server = me.deletingLastPathComponent().appendingPathComponent("rinban-server").path
        guard FileManager.default.isExecutableFile(atPath: server) else {
            printError("rinban: \(server) is not built; run `swift build -c release --product rinban-server` (or `swift run -c release rinban-server`)")
            throw ExitCode(ExitStatus.failure.rawValue)
        }
        let cArguments = ([server] + arguments).map { strdup($0) } + [nil]
        execv(server, cArguments)
        printError("rinban: cannot start \(server): \(String(cString: strerror(errno)))")
        throw ExitCode(ExitStatus.failure.rawValue)
    }
}
