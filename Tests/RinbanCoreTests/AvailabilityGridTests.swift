import Foundation
@testable import RinbanCore
import Testing

@Suite struct AvailabilityGridTests {
    typealias Mark = AvailabilityGrid.Mark

    /// The base instance (period 2027-01-04 – 01-10, one night shift) with p1's absences:
    /// unavailable on the 5th, and avoiding nights from the 3rd (before the period) to the 5th.
    func instance() throws -> Instance {
        let text = editedInstance([(
            "\"skills\": [\"eol\"] },\n    { \"id\": \"p2\"",
            """
            "skills": ["eol"], "unavailable": [ { "date": "2027-01-05" } ],
              "avoid": [ { "from": "2027-01-03", "to": "2027-01-05", "shifts": ["night"] } ] },
                { "id": "p2"
            """)])
        return try decode(text).get().instance
    }

    func day(_ d: Int) -> CivilDate { CivilDate(year: 2027, month: 1, day: d)! }

    @Test func readsTheMarksInsideThePeriod() throws {
        // The avoided nights of the 3rd fall before the period; on the 5th the whole-day
        // unavailable and the avoided night are two keys of one cell.
        #expect(AvailabilityGrid.marks(of: try instance()) == [
            Mark(member: "p1", date: day(4), shift: "night", kind: .avoid),
            Mark(member: "p1", date: day(5), shift: nil, kind: .unavailable),
            Mark(member: "p1", date: day(5), shift: "night", kind: .avoid),
        ])
    }

    @Test func writesRunsOfDatesAsSingleAbsences() throws {
        let edits: [AvailabilityGrid.Edit] = [
            .init(member: "p2", date: day(6), kind: .unavailable),
            .init(member: "p2", date: day(8), kind: .unavailable),
            .init(member: "p2", date: day(7), kind: .unavailable),
            .init(member: "p2", date: day(9), shift: "night", kind: .avoid),
            .init(member: "p2", date: day(10), shift: "night", kind: .avoid),
        ]
        let edited = AvailabilityGrid.applying(edits, to: try instance())
        let p2 = edited.members[edited.memberIndex["p2"]!]
        #expect(p2.unavailable == [Absence(from: day(6), to: day(8))])
        #expect(p2.avoid == [Absence(from: day(9), to: day(10), shifts: ["night"])])
        // Members without edits are untouched.
        #expect(edited.members[edited.memberIndex["p1"]!] == (try instance()).members[edited.memberIndex["p1"]!])
    }

    @Test func keepsThePartsOutsideThePeriod() throws {
        // Clearing the avoided nights of the 5th leaves the 3rd (outside) and the 4th.
        let edited = AvailabilityGrid.applying([.init(member: "p1", date: day(5), shift: "night", kind: nil)], to: try instance())
        let p1 = edited.members[edited.memberIndex["p1"]!]
        #expect(p1.avoid == [Absence(from: day(3), to: day(3), shifts: ["night"]), Absence(from: day(4), to: day(4), shifts: ["night"])])
        #expect(p1.unavailable == [Absence(from: day(5), to: day(5))])
    }

    @Test func aWholeDayReplacesTheCellAndClearingEmptiesIt() throws {
        var edited = AvailabilityGrid.applying([.init(member: "p1", date: day(5), kind: .avoid)], to: try instance())
        var p1 = edited.members[edited.memberIndex["p1"]!]
        #expect(p1.unavailable.isEmpty)
        #expect(p1.avoid == [Absence(from: day(3), to: day(3), shifts: ["night"]), Absence(from: day(4), to: day(4), shifts: ["night"]),
                             Absence(from: day(5), to: day(5))])
        edited = AvailabilityGrid.applying([.init(member: "p1", date: day(5), kind: nil), .init(member: "p1", date: day(4), shift: "night", kind: nil)],
                                           to: edited)
        p1 = edited.members[edited.memberIndex["p1"]!]
        #expect(p1.unavailable.isEmpty)
        #expect(p1.avoid == [Absence(from: day(3), to: day(3), shifts: ["night"])])
        #expect(AvailabilityGrid.marks(of: edited).isEmpty)
    }

    /// An independent check of "writing back keeps the meaning": for every member of the
    /// bundled instances, rewriting their lists (clearing a blank cell)
    /// blocks exactly the same shift occurrences, over the period and a day either side.
    @Test func rewritingKeepsWhatIsBlocked() throws {
        let files = try FileManager.default.contentsOfDirectory(atPath: instancesFolder.path).filter { $0.hasSuffix(".json") }.sorted()
        #expect(files.count >= 5)
        var rewritten = 0
        for file in files {
            let instance = try InstanceDecoder.load(contentsOf: instancesFolder.appendingPathComponent(file).path).instance
            let marks = AvailabilityGrid.marks(of: instance)
            // One no-op edit per member with marks: clearing a date they left blank, which
            // makes the member's lists be written anew.
            var seen = Set<MemberID>()
            var edits: [AvailabilityGrid.Edit] = []
            for member in Set(marks.map(\.member)).sorted(by: { $0.rawValue < $1.rawValue }) {
                let marked = Set(marks.filter { $0.member == member }.map(\.date))
                guard let blank = instance.period.dates.first(where: { !marked.contains($0) }) else { continue }
                seen.insert(member)
                edits.append(AvailabilityGrid.Edit(member: member, date: blank, kind: nil))
            }
            let edited = AvailabilityGrid.applying(edits, to: instance)
            // The grid reads the same, but for shift marks under a whole day of the same kind.
            let redundant = Set(marks.filter { $0.shift == nil }.map { "\($0.member) \($0.date) \($0.kind)" })
            #expect(AvailabilityGrid.marks(of: edited) == marks.filter { $0.shift == nil || !redundant.contains("\($0.member) \($0.date) \($0.kind)") },
                    "\(file)")
            let dates = (-1...instance.period.count).map { instance.period.start.adding(days: $0) }
            for (before, after) in zip(instance.members, edited.members) where seen.contains(before.id) {
                rewritten += 1
                for shift in instance.shifts {
                    for date in dates {
                        let occurrence = Occurrence(shift: shift, date: date)
                        #expect(before.unavailable.contains { $0.blocks(occurrence) } == after.unavailable.contains { $0.blocks(occurrence) },
                                "\(file) \(before.id) \(date) \(shift.id)")
                        #expect(before.avoid.contains { $0.blocks(occurrence) } == after.avoid.contains { $0.blocks(occurrence) },
                                "\(file) \(before.id) \(date) \(shift.id) avoid")
                    }
                }
            }
        }
        #expect(rewritten > 50)
    }
}
