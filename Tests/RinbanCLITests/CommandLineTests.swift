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
        try #require(lines.count == 37)
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

/// The shared example instance beside the package.
let tinyInstance: String = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("shared/examples/tiny.json").path

@Suite("rinban validate and calendar")
struct ValidateCommandTests {
    @Test("a valid instance: summary on stdout, status 0")
    func validTiny() throws {
        let run = try runRinban(["validate", tinyInstance])
        #expect(run.status == 0)
        let lines = run.stdout.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        try #require(lines.count > 4, "no summary; stderr: \(run.stderr)")
        #expect(lines[0].hasSuffix("tiny.json: valid rinban/1 instance — 例示市医師会 在宅医療ネットワーク"))
        #expect(lines[1] == "period    2027-01-01 – 2027-01-14: 14 days (8 weekday, 1 saturday, 5 holiday)")
        #expect(lines[2] == "holidays  1/1 元日, 1/2 extra holiday, 1/3 extra holiday, 1/11 成人の日 (and Sundays)")
        #expect(lines[3] == "network   3 blocks, 6 clinics, 9 physicians (1 with share 0), 3 stations, 2 shifts, 3 duties, 1 pins")
        #expect(run.stdout.contains("  substitute (physicians)      24 / 24       3 / 3     30 / 30     57 / 57"))
        #expect(run.stdout.contains("substitute/南部 2027-01-09 (土) night     4 / 1   (1 unavailable)"))
        #expect(run.stdout.contains("the physicians can serve at most 52 of the 63 duties"))
        #expect(run.stderr.isEmpty)
    }

    @Test("an invalid instance: every problem on stderr with path and line, status 2")
    func invalid() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("rinban-validate-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        var text = try String(contentsOfFile: tinyInstance, encoding: .utf8)
        text = text.replacingOccurrences(of: "\"clinic\": \"c04\" }", with: "\"clinic\": \"c99\" }")
            .replacingOccurrences(of: "\"capacity\": 45", with: "\"capacity\": 0")
        let path = dir.appendingPathComponent("broken.json").path
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        let run = try runRinban(["validate", path])
        #expect(run.status == 2)
        #expect(run.stdout.isEmpty)
        let lines = run.stderr.split(separator: "\n").map(String.init)
        #expect(lines.first == "\(path): 2 problems")
        #expect(lines.contains { $0.hasPrefix("  physicians[4].clinic (line 26, column ") && $0.hasSuffix("): unknown clinic \"c99\"") })
        #expect(lines.contains { $0.hasPrefix("  stations[2].capacity (line 39, column ") && $0.hasSuffix("): 0 is out of range: must be > 0 visits per week") })
    }

    @Test("home-care patients: the deputy pool, eligible deputies per patient, the patient nobody can deputise for")
    func deputies() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("rinban-validate-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        var text = try String(contentsOfFile: tinyInstance, encoding: .utf8)
        for (old, new) in [
            ("\"maxDuties\": 3 },", "\"maxDuties\": 3, \"maxDeputyPatients\": 0 },"),
            ("\"clinic\": \"c04\" },", "\"clinic\": \"c04\", \"maxDeputyPatients\": 1 },"),
            ("  ]\n  }\n}", """
                  ]
                  },
                  "deputies": { "patients": [
                    { "id": "h1", "attending": "p02" },
                    { "id": "h2", "attending": "p07", "requires": ["eol"], "previous": "p06" },
                    { "id": "h3", "attending": "p04", "block": "south" },
                    { "id": "h4", "attending": "p09", "requires": ["pediatric"] },
                    { "id": "h5", "attending": "p01", "requires": ["eol"] }
                  ] }
                }
                """),
        ] {
            try #require(text.components(separatedBy: old).count == 2, "\(old)")
            text = text.replacingOccurrences(of: old, with: new)
        }
        let path = dir.appendingPathComponent("deputies.json").path
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        let run = try runRinban(["validate", path, "--fewest-deputies", "3"])
        #expect(run.status == 0, "\(run.stderr)")
        let lines = run.stdout.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        // The pool: every physician with share > 0 but 高橋 (p03, cap 0): Σ share 6.5 for 5 patients.
        let pool = [
            "deputies  5 home-care patients: 2 require \"eol\", 1 requires \"pediatric\"; 1 with a previous deputy",
            "          7 physicians in the deputy pool (Σ share 6.5: 0.77 patients per unit of share); capped: p05 at 1",
            "          not in the pool: p03 (maxDeputyPatients 0), p08 (share 0)",
        ]
        let start = try #require(lines.firstIndex(of: pool[0]))
        #expect(Array(lines[start..<start + 3]) == pool)
        // Eligible by hand: h1 p01 p04 p05 p06; h2 and h5 p04 p06; h3 p05 p06 p07 p09; h4 nobody
        // (no physician has "pediatric"). Ties keep the file's order; only three are listed.
        let counts = [
            "eligible deputies per home-care patient: min 0, median 2, max 4",
            "  eligible       0     1     2   3–4   5–9   10+",
            "  patients       1     0     2     2     0     0",
            "  1 patient with no eligible deputy (stays without one): h4",
            "",
            "fewest eligible deputies (patient: eligible physicians)",
            "  h4 (attending p09, 南部, requires pediatric)   0   none",
            "  h2 (attending p07, 南部, requires eol)        2   p04, p06",
            "  h5 (attending p01, 北部, requires eol)        2   p04, p06",
            "",
        ]
        let first = try #require(lines.firstIndex(of: counts[0]))
        #expect(Array(lines[first..<min(lines.count, first + counts.count)]) == counts)
        #expect(lines.contains { $0.hasPrefix("  deputies.patients[3] (line ") && $0.contains("patient h4 has no eligible deputy") })
    }

    @Test("a missing file is invalid input")
    func missingFile() throws {
        let run = try runRinban(["validate", "/nonexistent/instance.json"])
        #expect(run.status == 2)
        #expect(run.stderr.contains("/nonexistent/instance.json"))
    }

    @Test("calendar lists a year's holidays with weekday and name")
    func calendar() throws {
        let run = try runRinban(["calendar", "2026"])
        #expect(run.status == 0)
        let lines = run.stdout.split(separator: "\n").map(String.init)
        #expect(lines.first == "2026-01-01 (木) 元日")
        #expect(lines.contains("2026-05-06 (水) 振替休日"))
        #expect(lines.contains("2026-09-22 (火) 国民の休日"))
        #expect(lines.last == "2026-11-23 (月) 勤労感謝の日")
        #expect(lines.count == 18)
        let outside = try runRinban(["calendar", "1979"])
        #expect(outside.status == 2)
        #expect(outside.stderr.contains("year 1979 is outside 1980–2099"))
    }
}
