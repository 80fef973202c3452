import Foundation
import Hummingbird
import Logging

/// Runs the server until SIGINT or SIGTERM: one process, the database in `data`.
public enum Server {
    public static func run(data: String, host: String, port: Int) async throws {
        var logger = Logger(label: "rinban")
        logger.logLevel = .info
        let store = try Store(directory: data)
        let application = ServerApplication(store: store)
        if try store.users().isEmpty {
            FileHandle.standardOutput.write(Data("rinban: no one can sign in yet; add the office first: rinban users add NAME --role office --data \(data)\n".utf8))
        }
        let app = Application(
            router: application.router(),
            configuration: .init(address: .hostname(host, port: port), serverName: "rinban"),
            onServerRunning: { _ in
                FileHandle.standardOutput.write(Data("rinban: serving \(store.path) at http://\(host):\(port)/  (Ctrl-C stops)\n".utf8))
            },
            logger: logger)
        try await app.runService()
        // Stopped cleanly: a run still going is recorded as cancelled; its thread ends with the process.
        try store.cancelRunningRuns()
    }
}
