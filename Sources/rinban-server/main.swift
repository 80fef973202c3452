import ArgumentParser
import RinbanServer

/// `rinban serve` runs this program (kept apart so the command line builds without the
/// server's dependencies).
@main
struct RinbanServerCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rinban serve",
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
