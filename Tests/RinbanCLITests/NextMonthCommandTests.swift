import Foundation
import Testing

private let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent()
private let tokushima = repository.appendingPathComponent("instances/tokushima-2026-12.json").path
private let published = repository.appendingPathComponent("examples/tokushima-2026-12.published.json").path

/// A fresh folder, removed when `body` returns.
private func inTemporaryFolder(_ body: (URL) throws -> Void) throws {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("rinban-next-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: dir) }
    try body(dir)
}

private func jsonObject(_ path: String) throws -> [String: Any] {
    try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: path))) as? [String: Any])
}

/// Σ history.points and Σ history.holidays over physicians and stations.
private func historyTotals(_ instance: [String: Any]) -> (points: Double, holidays: Int) {
    let members = ((instance["physicians"] as? [[String: Any]]) ?? []) + ((instance["stations"] as? [[String: Any]]) ?? [])
    return members.reduce((0.0, 0)) { total, member in
        let history = member["history"] as? [String: Any]
        return (total.0 + ((history?["points"] as? Double) ?? 0), total.1 + ((history?["holidays"] as? Int) ?? 0))
    }
}

@Suite("rinban next-month")
struct NextMonthCommandTests {
    @Test("Tokushima December + its published plan → a valid January instance")
    func tokushimaJanuary() throws {
        try inTemporaryFolder { dir in
            let next = dir.appendingPathComponent("tokushima-2027-01.json").path
            let run = try runRinban(["next-month", tokushima, "--plan", published, "-o", next])
            #expect(run.status == 0, "\(run.stderr)")
            let lines = run.stdout.split(separator: "\n").map(String.init)
            #expect(lines.first == "期間: 2027-01-01〜2027-01-31 (前の期間: 2026-12-01〜2026-12-31)")
            #expect(lines.contains("固定 (pins): 0 件を引き継ぎ、1 件を削除"))
            #expect(lines.contains { $0.hasPrefix("レスパイト: 20 件を削除。新しい期間にかかる入院 ") })
            #expect(lines.contains("注意: 前の期間は年末 (12/29〜) を休日扱い。2027-01-02 も休日なら calendar.extraHolidays に追加してください"))
            #expect(run.stderr.contains("next month's instance written to \(next): 2027-01-01 – 2027-01-31"))

            let validate = try runRinban(["validate", next])
            #expect(validate.status == 0, "\(validate.stderr)")
            #expect(validate.stdout.contains("period    2027-01-01 – 2027-01-31: 31 days"))

            let old = try jsonObject(tokushima)
            let new = try jsonObject(next)
            #expect((new["period"] as? [String: String]) == ["start": "2027-01-01", "end": "2027-01-31"])
            #expect(new["pins"] == nil)
            #expect((new["beds"] as? [String: Any])?["respite"] == nil)
            #expect(((new["beds"] as? [String: Any])?["patients"] as? [Any])?.count == 100)
            #expect((new["physicians"] as? [Any])?.count == (old["physicians"] as? [Any])?.count)
            // The histories grew by what the summary says.
            let history = try #require(lines.first { $0.hasPrefix("当番の実績を ") })
            let before = historyTotals(old), after = historyTotals(new)
            let points = after.points - before.points
            let text = points == points.rounded() ? String(Int(points)) : String(points)
            #expect(history.hasSuffix("history に加算 (点数計 \(text)、休日 \(after.holidays - before.holidays) 回)"))
            #expect(after.holidays > before.holidays)
            // Nothing else in the folder: the write was atomic.
            #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path) == ["tokushima-2027-01.json"])
        }
    }

    @Test("--month and --fiscal-year-start: March of a fiscal year starting in March; .yaml output reads back")
    func monthAndFiscalYear() throws {
        try inTemporaryFolder { dir in
            let next = dir.appendingPathComponent("march.yaml").path
            let run = try runRinban(["next-month", tokushima, "--plan", published, "-o", next,
                                     "--month", "2027-03", "--fiscal-year-start", "3"])
            #expect(run.status == 0, "\(run.stderr)")
            #expect(run.stdout.hasPrefix("期間: 2027-03-01〜2027-03-31 (前の期間: 2026-12-01〜2026-12-31)\n年度始め (3 月): history を 0 から\n"))
            let validate = try runRinban(["validate", next])
            #expect(validate.status == 0, "\(validate.stderr)")
            #expect(validate.stdout.contains("period    2027-03-01 – 2027-03-31: 31 days"))
            // Every history is zero again, so none is written.
            #expect(try !String(contentsOfFile: next, encoding: .utf8).contains("\"history\""))
        }
    }

    @Test("bad input: exit 2, the reason, nothing written")
    func refused() throws {
        try inTemporaryFolder { dir in
            let next = dir.appendingPathComponent("next.json").path
            // A plan of another instance's period.
            let other = try runRinban(["next-month", tinyInstance, "--plan", published, "-o", next])
            #expect(other.status == 2)
            #expect(other.stderr.contains("\(published): 1 problem"))
            #expect(other.stderr.contains("period: the plan covers 2026-12-01 – 2026-12-31, the instance 2027-01-01 – 2027-01-14"))
            // A plan breaking a hard rule: the first assignment twice.
            var plan = try jsonObject(published)
            var assignments = try #require(plan["assignments"] as? [Any])
            assignments.append(assignments[0])
            plan["assignments"] = assignments
            let broken = dir.appendingPathComponent("broken.json").path
            try JSONSerialization.data(withJSONObject: plan).write(to: URL(fileURLWithPath: broken))
            let rule = try runRinban(["next-month", tokushima, "--plan", broken, "-o", next])
            #expect(rule.status == 2)
            #expect(rule.stderr.contains("\(broken): "))
            #expect(rule.stderr.contains("the served plan breaks H1"))
            // Options.
            let overlap = try runRinban(["next-month", tokushima, "--plan", published, "-o", next, "--month", "2026-12"])
            #expect(overlap.status == 2)
            #expect(overlap.stderr.contains("must start after the served period ends (2026-12-31)"))
            let month = try runRinban(["next-month", tokushima, "--plan", published, "-o", next, "--month", "2027-13"])
            #expect(month.status == 2)
            #expect(month.stderr.contains("--month 2027-13 is not a month; give YYYY-MM"))
            let fiscal = try runRinban(["next-month", tokushima, "--plan", published, "-o", next, "--fiscal-year-start", "0"])
            #expect(fiscal.status == 2)
            #expect(fiscal.stderr.contains("--fiscal-year-start 0 is not a month"))
            // Never over an input.
            let copy = dir.appendingPathComponent("instance.json").path
            try FileManager.default.copyItem(atPath: tokushima, toPath: copy)
            let over = try runRinban(["next-month", copy, "--plan", published, "-o", copy])
            #expect(over.status == 2)
            #expect(over.stderr.contains("is an input file"))
            #expect(try Data(contentsOf: URL(fileURLWithPath: copy)) == Data(contentsOf: URL(fileURLWithPath: tokushima)))
            #expect(!FileManager.default.fileExists(atPath: next))
        }
    }
}
