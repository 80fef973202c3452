import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import Testing

/// The built `rinban-server` beside the test bundle.
private func serverExecutable() -> URL {
    var probe = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
    var executable = probe.appendingPathComponent("rinban-server")
    while !FileManager.default.isExecutableFile(atPath: executable.path) && probe.path != "/" {
        probe = probe.deletingLastPathComponent()
        executable = probe.appendingPathComponent("rinban-server")
    }
    return executable
}

/// A real server process on a free port, talked to over HTTP.
private final class ServerProcess {
    let process = Process()
    let port: Int
    let log = Pipe()

    init(data: String) throws {
        port = Int.random(in: 20000...40000)
        process.executableURL = serverExecutable()
        process.arguments = ["--data", data, "--port", String(port)]
        process.standardOutput = log
        process.standardError = log
        try process.run()
        let deadline = Date().addingTimeInterval(20)
        while Date() < deadline {
            if (try? request("GET", "/healthz").status) == 200 { return }
            Thread.sleep(forTimeInterval: 0.1)
        }
        throw CocoaError(.fileReadUnknown)
    }

    func kill() {
        Foundation.kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
    }

    /// A blocking HTTP request (URLSession's synchronous use through a semaphore).
    func request(_ method: String, _ path: String, body: Data? = nil, type: String = "application/json") throws
        -> (status: Int, body: Data)
    {
        var request = URLRequest(url: URL(string: "http://127.0.0.1:\(port)\(path)")!)
        request.httpMethod = method
        request.httpBody = body
        request.setValue(type, forHTTPHeaderField: "Content-Type")
        request.timeoutInterval = 30
        let done = DispatchSemaphore(value: 0)
        nonisolated(unsafe) var result: (Int, Data)?
        nonisolated(unsafe) var failure: Error?
        URLSession.shared.dataTask(with: request) { data, response, error in
            if let error { failure = error } else { result = ((response as! HTTPURLResponse).statusCode, data ?? Data()) }
            done.signal()
        }.resume()
        done.wait()
        if let failure { throw failure }
        return result!
    }

    func object(_ method: String, _ path: String, body: Data? = nil) throws -> [String: Any] {
        let (_, data) = try request(method, path, body: body)
        return try JSONSerialization.jsonObject(with: data) as! [String: Any]
    }
}

@Suite("rinban serve survives SIGKILL")
struct KillTests {
    @Test("Killed in the middle of a run: published versions and the saved draft are all there after a restart")
    func killDuringRun() throws {
        let data = FileManager.default.temporaryDirectory.appendingPathComponent("rinban-kill-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: data) }
        let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let instance = try Data(contentsOf: repository.appendingPathComponent("instances/tokushima-2026-12.json"))

        let first = try ServerProcess(data: data)
        let month = try first.object("POST", "/api/months", body: instance)["id"] as! Int
        let run = try first.object("POST", "/api/months/\(month)/runs", body: Data(#"{"engine":"greedy","timeLimit":3}"#.utf8))["id"] as! Int
        var state = ""
        for _ in 0..<200 where state != "done" {
            state = try first.object("GET", "/api/runs/\(run)")["state"] as! String
            Thread.sleep(forTimeInterval: 0.1)
        }
        #expect(state == "done")
        #expect(try first.object("POST", "/api/months/\(month)/publish", body: Data(#"{"note":"v1"}"#.utf8))["version"] as? Int == 1)
        let draft = try first.request("GET", "/api/months/\(month)/draft").body
        let published = try first.request("GET", "/api/months/\(month)/published/1").body
        // A long run, killed while GLPK works.
        let long = try first.object("POST", "/api/months/\(month)/runs", body: Data(#"{"engine":"glpk","timeLimit":60}"#.utf8))["id"] as! Int
        Thread.sleep(forTimeInterval: 1.5)
        first.kill()

        let second = try ServerProcess(data: data)
        defer { second.kill() }
        #expect(try second.request("GET", "/api/months/\(month)/published/1").body == published)
        #expect(try second.request("GET", "/api/months/\(month)/draft").body == draft)
        let after = try second.object("GET", "/api/runs/\(long)")
        #expect(after["state"] as? String == "failed")
        #expect((after["message"] as? String)?.contains("interrupted") == true)
        // The month works as before: a new run may start, and the draft publishes as version 2.
        #expect(try second.request("POST", "/api/months/\(month)/runs", body: Data(#"{"engine":"greedy","timeLimit":2}"#.utf8)).status == 202)
        #expect(try second.object("POST", "/api/months/\(month)/publish", body: Data(#"{"note":"v2"}"#.utf8))["version"] as? Int == 2)
    }
}
