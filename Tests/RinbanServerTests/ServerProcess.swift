import Foundation
import RinbanServer
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

/// A URL session that keeps no cookies and follows no redirects: every test says exactly
/// which credentials it sends and sees every answer as the server gave it.
final class PlainSession: NSObject, URLSessionTaskDelegate, @unchecked Sendable {
    static let shared = PlainSession()
    lazy var session: URLSession = {
        let configuration = URLSessionConfiguration.ephemeral
        configuration.httpCookieStorage = nil
        configuration.httpShouldSetCookies = false
        return URLSession(configuration: configuration, delegate: self, delegateQueue: nil)
    }()

    func urlSession(_ session: URLSession, task: URLSessionTask, willPerformHTTPRedirection response: HTTPURLResponse,
                    newRequest request: URLRequest, completionHandler: @escaping (URLRequest?) -> Void) {
        completionHandler(nil)
    }
}

/// The server did not answer /healthz: what it printed says why (a port in use, say).
struct ServerStartFailure: Error, CustomStringConvertible {
    let port: Int
    let output: String
    var description: String { "rinban serve on port \(port) did not start: \(output)" }
}

/// A real server process on a free port, talked to over HTTP. Requests carry an office
/// API token unless they say otherwise.
final class ServerProcess {
    private(set) var process = Process()
    private(set) var port = 0
    private(set) var log = Pipe()
    /// The office's API token (a person named `test-office`, made on first start).
    let officeToken: String

    /// Starts on a random port; a port another process holds (the bind fails) is given up
    /// for another, up to `attempts` times.
    init(data: String, attempts: Int = 5) throws {
        let store = try Store(directory: data)
        let entry = Store.AuditEntry(userId: nil, actor: "test", action: "user.add", target: "test-office")
        let office = try store.user(named: "test-office")
            ?? store.addUser(name: "test-office", role: .office, blocks: [], member: nil, passwordHash: nil, audit: entry)
        officeToken = try store.issueAPIToken(user: office.id, audit: entry)
        for attempt in 1...attempts {
            do {
                try start(data: data)
                return
            } catch let failure as ServerStartFailure where failure.output.contains("Address already in use") && attempt < attempts {
                process = Process()
                log = Pipe()
            }
        }
    }

    private func start(data: String) throws {
        port = Int.random(in: 20000...40000)
        process.executableURL = serverExecutable()
        process.arguments = ["serve", "--data", data, "--port", String(port)]
        process.standardOutput = log
        process.standardError = log
        try process.run()
        // Generous: with the other tests busy on both cores, a debug server can take a while.
        let deadline = Date().addingTimeInterval(60)
        while Date() < deadline, process.isRunning {
            if (try? request("GET", "/healthz").status) == 200 { return }
            Thread.sleep(forTimeInterval: 0.1)
        }
        if process.isRunning { kill() }
        try? log.fileHandleForWriting.close()  // our copy of the write end, so that reading ends
        let output = String(decoding: log.fileHandleForReading.availableData, as: UTF8.self)
        throw ServerStartFailure(port: port, output: output)
    }

    func kill() {
        Foundation.kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
    }

    /// A blocking HTTP request (URLSession's synchronous use through a semaphore).
    func request(_ method: String, _ path: String, body: Data? = nil, type: String = "application/json",
                 credentials: [String: String]? = nil) throws -> (status: Int, body: Data)
    {
        let (status, _, data) = try exchange(method, path, body: body, type: type, credentials: credentials)
        return (status, data)
    }

    /// The status, the response headers and the body.
    /// `credentials` nil sends the office's token; otherwise those headers (none: `[:]`).
    func exchange(_ method: String, _ path: String, body: Data? = nil, type: String = "application/json",
                  headers extra: [String: String] = [:], credentials: [String: String]? = nil) throws
        -> (status: Int, headers: [String: String], body: Data)
    {
        var request = URLRequest(url: URL(string: "http://127.0.0.1:\(port)\(path)")!)
        request.httpMethod = method
        request.httpBody = body
        request.setValue(type, forHTTPHeaderField: "Content-Type")
        for (name, value) in (credentials ?? ["Authorization": "Bearer \(officeToken)"]).merging(extra, uniquingKeysWith: { _, b in b }) {
            request.setValue(value, forHTTPHeaderField: name)
        }
        request.timeoutInterval = 30
        let done = DispatchSemaphore(value: 0)
        nonisolated(unsafe) var result: (Int, [String: String], Data)?
        nonisolated(unsafe) var failure: Error?
        PlainSession.shared.session.dataTask(with: request) { data, response, error in
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

