import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import Testing

@Suite("rinban serve survives SIGKILL")
struct KillTests {
    /// A server on `data` with the Tokushima month uploaded and a short greedy run started.
    static func startPlanning(data: String) throws -> (server: ServerProcess, month: Int, run: Int) {
        let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let instance = try Data(contentsOf: repository.appendingPathComponent("instances/tokushima-2026-12.json"))
        let server = try ServerProcess(data: data)
        let month = try server.object("POST", "/api/months", body: instance)["id"] as! Int
        let run = try server.object("POST", "/api/months/\(month)/runs", body: Data(#"{"engine":"greedy","timeLimit":3}"#.utf8))["id"] as! Int
        return (server, month, run)
    }

    @Test("Killed in the middle of a run: published versions and the saved draft are all there after a restart")
    func killDuringRun() throws {
        let data = FileManager.default.temporaryDirectory.appendingPathComponent("rinban-kill-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: data) }
        let (first, month, run) = try Self.startPlanning(data: data)
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

    @Test("Killed while publishing: every version that was answered is there after a restart, numbered without gaps")
    func killDuringPublish() throws {
        let data = FileManager.default.temporaryDirectory.appendingPathComponent("rinban-kill-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: data) }
        let (first, month, run) = try Self.startPlanning(data: data)
        _ = try first.request("GET", "/api/runs/\(run)/events")
        let draft = try first.request("GET", "/api/months/\(month)/draft").body
        // Publish as fast as possible from another thread, and kill the server meanwhile.
        let answered = NSLock()
        nonisolated(unsafe) var versions: [Int] = []
        let done = DispatchSemaphore(value: 0)
        nonisolated(unsafe) let publisher = first
        DispatchQueue.global().async {
            while let response = try? publisher.request("POST", "/api/months/\(month)/publish", body: Data(#"{"note":"again"}"#.utf8)),
                  response.status == 201,
                  let version = (try? JSONSerialization.jsonObject(with: response.body) as? [String: Any])?["version"] as? Int {
                answered.withLock { versions.append(version) }
            }
            done.signal()
        }
        Thread.sleep(forTimeInterval: 1)
        first.kill()
        done.wait()
        let seen = answered.withLock { versions }
        #expect(seen.count >= 3, "publishing went on before the kill")

        let second = try ServerProcess(data: data)
        defer { second.kill() }
        let latest = try second.object("GET", "/api/months/\(month)/published/1")
        #expect(latest["format"] as? String == "rinban-plan/1")
        let last = Int(try second.exchange("GET", "/api/months/\(month)/published").headers["etag"]!.trimmingCharacters(in: CharacterSet(charactersIn: "\"")))!
        // Every answered version survived; at most one more committed without its answer arriving.
        #expect(last >= seen.max()!)
        #expect(last <= seen.max()! + 1)
        for version in 1...last {
            let plan = try second.request("GET", "/api/months/\(month)/published/\(version)")
            #expect(plan.status == 200, "version \(version)")
            #expect(plan.body == draft, "version \(version) is the draft")
        }
        #expect(try second.object("POST", "/api/months/\(month)/publish", body: Data(#"{"note":"after"}"#.utf8))["version"] as? Int == last + 1)
    }
}
