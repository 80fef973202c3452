@testable import RinbanCore
import Testing

@Suite("Occurrences, absences and the pre-check")
struct SlotRulesTests {
    let night = Shift(id: "night", name: "夜間", start: TimeOfDay(text: "18:00")!, end: TimeOfDay(text: "08:00")!, points: [:])
    let allDay = Shift(id: "all", name: "24h", start: TimeOfDay(text: "09:00")!, end: TimeOfDay(text: "09:00")!, points: [:])
    let d = { (s: String) in CivilDate(iso: s)! }

    @Test("a night runs into the next day; start = end lasts 24 hours")
    func occurrenceIntervals() {
        let o = Occurrence(shift: night, date: d("2027-01-05"))
        #expect(o.end - o.start == 14 * 60)
        #expect(o.start == d("2027-01-05").dayNumber * 1440 + 18 * 60)
        #expect(allDay.duration == 1440)
        let next = Occurrence(shift: night, date: d("2027-01-06"))
        #expect(!o.overlaps(next))
        // 24 hours from 01-06 09:00 starts after the night ends at 08:00; from 01-05 09:00 it overlaps.
        #expect(!o.overlaps(Occurrence(shift: allDay, date: d("2027-01-06"))))
        #expect(o.overlaps(Occurrence(shift: allDay, date: d("2027-01-05"))))
    }

    @Test("whole-day absences block overlapping occurrences; shift absences block by start date")
    func absenceBlocking() {
        let away = Absence(from: d("2027-01-06"), to: d("2027-01-06"))
        #expect(away.blocks(Occurrence(shift: night, date: d("2027-01-05"))))   // ends 01-06 08:00
        #expect(away.blocks(Occurrence(shift: night, date: d("2027-01-06"))))
        #expect(!away.blocks(Occurrence(shift: night, date: d("2027-01-07"))))  // starts 01-07 18:00
        #expect(!away.blocks(Occurrence(shift: night, date: d("2027-01-04"))))  // ends 01-05 08:00
        let nightsOnly = Absence(from: d("2027-01-06"), to: d("2027-01-06"), shifts: ["night"])
        #expect(!nightsOnly.blocks(Occurrence(shift: night, date: d("2027-01-05"))))
        #expect(nightsOnly.blocks(Occurrence(shift: night, date: d("2027-01-06"))))
        #expect(!nightsOnly.blocks(Occurrence(shift: allDay, date: d("2027-01-06"))))
    }

    @Test("the pre-check names short slots and members whose cap makes the rota impossible")
    func precheckFindings() throws {
        // South has p2 and p3 (p3 capped at 1); north is p1 alone and neighbours allowed off.
        let text = editedInstance([
            ("\"scope\": \"block\", ", "\"scope\": \"block\", \"allowNeighbors\": false, "),
            ("\"start\": \"2027-01-04\", \"end\": \"2027-01-10\"", "\"start\": \"2027-01-04\", \"end\": \"2027-01-06\""),
            ("{ \"id\": \"p2\", \"name\": \"鈴木\", \"clinic\": \"c2\" }",
             "{ \"id\": \"p2\", \"name\": \"鈴木\", \"clinic\": \"c2\", \"unavailable\": [ { \"date\": \"2027-01-05\", \"shifts\": [\"night\"] } ] }"),
        ])
        let loaded = try decode(text).get()
        let precheck = FeasibilityPrecheck(loaded: loaded)
        // North: p1 alone must take 01-04, 01-05 and 01-06 nights, but needs 2 days between duties.
        // South 01-05: p2 away, p3 alone.
        #expect(precheck.shortSlots.isEmpty)
        #expect(precheck.memberFindings.map(\.message) == [
            "p1 (佐藤) is needed on 2027-01-04 and 2027-01-05, but needs 2 days between duties",
            "p1 (佐藤) is needed on 2027-01-05 and 2027-01-06, but needs 2 days between duties",
        ])
        // Physicians: p1 2 (rest), p2 2, p3 1 (cap) = 5 of 6.
        #expect(precheck.poolFindings == [
            "the physicians can serve at most 5 of the 6 duties of the period (caps, eligibility and rest rules)",
        ])
    }
}
