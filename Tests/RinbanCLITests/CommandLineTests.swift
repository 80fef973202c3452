import Foundation
import Testing

/// Runs the built `rinban` executable (it sits beside the test bundle) and captures its output.
func runRinban(_ arguments: [String]) throws -> (status: Int32, stdout: String, stderr: String) {
    let products = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
    var executable = products.appendingPathComponent("rinban")
    // The test bundle may be a directory (…/rinbanPackageTests.xctest); climb out of it.
    var probe = products
    while !FileManager.default.isExecutableFile(atPath: executable.path) && probe.path != "/" {
        probe = probe.deletingLastPathComponent()
        executable = probe.appendingPathComponent("rinban")
    }
    let process = Process()
    process.executableURL = executable
    process.arguments = arguments
    let out = Pipe()
    let err = Pipe()
    process.standardOutput = out
    process.standardError = err
    try process.run()
    let stdout = out.fileHandleForReading.readDataToEndOfFile()
    let stderr = err.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return (process.terminationStatus, String(decoding: stdout, as: UTF8.self), String(decoding: stderr, as: UTF8.self))
}

@Suite("rinban command line")
struct CommandLineTests {
    @Test("demo prints its rota and nothing of GLPK's own output")
    func demo() throws {
        let run = try runRinban(["demo"])
        #expect(run.status == 0)
        let lines = run.stdout.split(separator: "\n").map(String.init)
        // Header, status, 28 nights, 7 physicians.
        #expect(lines.count == 37)
        #expect(lines.first == "GLPK 5.0: 210 variables, 224 constraints")
        // Every physician can take exactly 4 non-consecutive nights, none of them avoided.
        #expect(lines[1].hasPrefix("status optimal, objective 0.0, bound 0.0, "))
        #expect(Array(lines.suffix(7)) == ["Aoki", "Baba", "Chiba", "Doi", "Endo", "Fujii", "Goto"].map { "\($0): 4 nights" })
        let nights = lines[2..<30].map { $0.split(separator: " ").last.map(String.init) ?? "" }
        #expect(zip(nights, nights.dropFirst()).allSatisfy { $0 != $1 })  // never two nights in a row
        for phrase in ["mip =", "GLPK Integer", "Error detected"] { #expect(!run.stdout.contains(phrase)) }
        #expect(run.stderr.isEmpty)
    }

    @Test("demo exports the model it solves as LP and MPS")
    func demoExports() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("rinban-cli-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let lp = dir.appendingPathComponent("demo.lp").path
        let mps = dir.appendingPathComponent("demo.mps").path
        let run = try runRinban(["demo", "--export-lp", lp, "--export-mps", mps])
        #expect(run.status == 0)
        let lpText = try String(contentsOfFile: lp, encoding: .utf8)
        #expect(lpText.contains("Minimize"))
        #expect(lpText.contains(" cover(1): "))  // GLPK writes brackets as parentheses in LP names
        let mpsText = try String(contentsOfFile: mps, encoding: .utf8)
        #expect(mpsText.contains("INTORG"))
        // Nothing but the two files: the atomic writes left no temporary behind.
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path).sorted() == ["demo.lp", "demo.mps"])
    }

    @Test("an unknown subcommand is a usage error")
    func unknownCommand() throws {
        let run = try runRinban(["frobnicate"])
        #expect(run.status == 64)
        #expect(run.stderr.contains("Unexpected argument 'frobnicate'"))
    }
}
