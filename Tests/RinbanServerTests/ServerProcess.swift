import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// The built `rinban-server` beside the test bundle.
func serverExecutable() -> URL {
    var probe = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
    var executable = probe.appendingPathComponent("rinban-server")
    while !FileManager.default.isExecutableFile(atPath: executable.path) && probe.path != "/" {
        probe = probe.deletingLastPathComponent()
        executable = probe.appendingPathComponent("rinban-server")
    }
    return executable
}

/// A real server process on a free port, talked to over HTTP.
final class ServerProcess {
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
        let (status, _, data) = try exchange(method, path, body: body, type: type)
        return (status, data)
    }

    /// The status, the response headers and the body.
    func exchange(_ method: String, _ path: String, body: Data? = nil, type: String = "application/json",
                  headers extra: [String: String] = [:]) throws
        -> (status: Int, headers: [String: String], body: Data)
    {
        var request = URLRequest(url: URL(string: "http://127.0.0.1:\(port)\(path)")!)
        request.httpMethod = method
        request.httpBody = body
        request.setValue(type, forHTTPHeaderField: "Content-Type")
        for (name, value) in extra { request.setValue(value, forHTTPHeaderField: name) }
        request.timeoutInterval = 30
        let done = DispatchSemaphore(value: 0)
        nonisolated(unsafe) var result: (Int, [String: String], Data)?
        nonisolated(unsafe) var failure: Error?
        URLSession.shared.dataTask(with: request) { data, response, error in
            if let error { failure = error } else {
                let http = response as! HTTPURLResponse
                var headers: [String: String] = [:]
                for (key, value) in http.allHeaderFields { headers[String(describing: key).lowercased()] = String(describing: value) }
                result = (http.statusCode, headers, data ?? Data())
            }
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

