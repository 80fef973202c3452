import Foundation
@testable import RinbanCore
import Testing

// A December network worked by hand. 2026-12: the 1st and 8th are Tuesdays (weekday), the
// 5th a Saturday, the 6th a Sunday (holiday), the 30th a Wednesday made a holiday by
// extraHolidays. The night shift earns 1.0 on a weekday, 1.25 on a Saturday, 1.5 on a holiday.
private let december = """
{
  "format": "rinban/1",
  "association": "テスト医師会",
  "period": { "start": "2026-12-01", "end": "2026-12-31" },
  "calendar": { "extraHolidays": ["2026-12-29", "2026-12-30", "2026-12-31", "2027-01-02", "2027-01-03"] },
  "blocks": [ { "id": "n", "name": "北", "neighbors": ["s"] }, { "id": "s", "name": "南" } ],
  "clinics": [ { "id": "c1", "name": "北医院", "block": "n" }, { "id": "c2", "name": "南医院", "block": "s" } ],
  "physicians": [
    { "id": "p1", "name": "佐藤", "clinic": "c1",
      "unavailable": [ { "from": "2026-12-20", "to": "2026-12-24" }, { "from": "2026-12-28", "to": "2027-01-05" } ] },
    { "id": "p2", "name": "鈴木", "clinic": "c1",
      "unavailable": [ { "date": "2027-02-01" }, { "date": "2026-12-31", "shifts": ["night"] } ],
      "avoid": [ { "date": "2027-01-15" } ] },
    { "id": "p3", "name": "高橋", "clinic": "c2", "history": { "points": 10, "holidays": 2 },
      "unavailable": [ { "from": "2027-02-01", "to": "2027-02-03", "shifts": ["night"] } ],
      "avoid": [ { "from": "2027-01-30", "to": "2027-02-10" } ] },
    { "id": "p4", "name": "田中", "clinic": "c2", "share": 0, "history": { "points": 4, "holidays": 1 } }
  ],
  "stations": [
    { "id": "s1", "name": "北ST", "block": "n", "nurses": 2, "capacity": 40, "load": 10, "history": { "points": 3, "holidays": 1 } }
  ],
  "shifts": [
    { "id": "night", "name": "夜間", "start": "18:00", "end": "08:00",
      "points": { "weekday": 1.0, "saturday": 1.25, "holiday": 1.5 } }
  ],
  "duties": [
    { "id": "sub", "name": "副主治医当番", "pool": "physicians", "scope": "network",
      "demand": { "night": { "weekday": 1, "saturday": 1, "holiday": 1 } } }
  ],
  "pins": [ { "duty": "sub", "area": "all", "date": "2026-12-01", "shift": "night", "member": "p1" } ],
  "weights": { "avoid": 70 },
  "loadSharing": { "items": [ { "id": "t1", "from": "s1", "visits": 3 } ] },
  "beds": {
    "hospitals": [ { "id": "H1", "name": "中央病院", "block": "n", "group": ["c1"], "beds": { "acute": 1, "respite": 1 } } ],
    "patients": [ { "id": "r1", "clinic": "c1", "needs": "acute", "risk": 0.5 } ],
    "respite": [
      { "id": "q1", "clinic": "c1", "nights": 5, "earliest": "2026-12-28", "latest": "2026-12-30" },
      { "id": "q2", "clinic": "c2", "nights": 2, "earliest": "2026-12-10", "latest": "2026-12-12" }
    ]
  },
  "deputies": { "patients": [
    { "id": "h1", "attending": "p1", "previous": "p3" },
    { "id": "h2", "attending": "p3", "previous": "p1" },
    { "id": "h3", "attending": "p2" }
  ] }
}
"""

private func night(_ date: String, _ member: String) -> Assignment {
    Assignment(duty: "sub", area: "all", date: CivilDate(iso: date)!, shift: "night", member: MemberID(member))
}

private func period(_ start: String, _ end: String) -> Period {
    Period(start: CivilDate(iso: start)!, end: CivilDate(iso: end)!)
}

private func loadDecember() throws -> LoadedInstance {
    try InstanceDecoder.decode(DocumentReader.parse(Array(december.utf8), format: .json))
}

/// The served December plan:
/// - p1: 12-01 Tue (1.0, the pin) and 12-06 Sun (1.5, holiday) → +2.5 points, +1 holiday;
/// - p2: 12-05 Sat (1.25) and 12-30 extra holiday (1.5) → +2.75 points, +1 holiday;
/// - p3: 12-08 Tue (1.0) → 10 + 1 = 11 points, 2 holidays;
/// - p4 (share 0) and s1 serve nothing: their histories stay 4/1 and 3/1.
/// q1 is accepted at H1 from 12-30 for 5 nights (to 2027-01-03); q2 is rejected.
/// Deputies: h1 → p3, h3 → p3; h2 has none.
private let servedDecember = Plan(
    period: period("2026-12-01", "2026-12-31"),
    assignments: [night("2026-12-01", "p1"), night("2026-12-05", "p2"), night("2026-12-06", "p1"),
                  night("2026-12-08", "p3"), night("2026-12-30", "p2")],
    placements: [Placement(item: "t1", station: "s1")],
    designations: [Designation(patient: "r1", hospital: "H1")],
    respite: [RespiteBooking(request: "q1", hospital: "H1", start: CivilDate(iso: "2026-12-30")!)],
    deputies: [DeputyDesignation(patient: "h1", deputy: "p3"), DeputyDesignation(patient: "h3", deputy: "p3")])

private func member(_ instance: Instance, _ id: String) -> Member {
    instance.members[instance.memberIndex[MemberID(id)]!]
}

@Suite("next month: the next instance from this month's and its served plan")
struct NextMonthTests {
    @Test("December → January: histories grow by the served points and holidays")
    func decemberToJanuary() throws {
        let loaded = try loadDecember()
        let (next, summary) = try NextMonth.make(from: loaded, served: servedDecember, options: NextMonthOptions())
        let instance = next.instance
        // The year rolls over: the whole of January.
        #expect(instance.period == period("2027-01-01", "2027-01-31"))
        #expect(member(instance, "p1").history == History(points: 2.5, holidays: 1))
        #expect(member(instance, "p2").history == History(points: 2.75, holidays: 1))
        #expect(member(instance, "p3").history == History(points: 11, holidays: 2))
        #expect(member(instance, "p4").history == History(points: 4, holidays: 1))
        #expect(member(instance, "s1").history == History(points: 3, holidays: 1))
        #expect(summary.membersCredited == 3)
        #expect(summary.pointsAdded == 6.25)
        #expect(summary.holidaysAdded == 2)
        #expect(!summary.fiscalYearStarted)
        #expect(summary.fiscalYearStart == CivilDate(iso: "2026-04-01"))
        // The same evaluator figures as the score of the plan.
        let figures = Evaluator(loaded).evaluate(servedDecember).members
        #expect(instance.members.map(\.history) == figures.map { History(points: $0.points, holidays: $0.holidays) })
    }

    @Test("December → January: calendar, absences, pins, respite and deputies")
    func carriedAndDropped() throws {
        let loaded = try loadDecember()
        let (next, summary) = try NextMonth.make(from: loaded, served: servedDecember, options: NextMonthOptions())
        let instance = next.instance
        // Only January's extra holidays.
        #expect(instance.calendar.extraHolidays == [CivilDate(iso: "2027-01-02")!, CivilDate(iso: "2027-01-03")!])
        #expect(summary.extraHolidaysKept == 2 && summary.extraHolidaysDropped == 3)
        // p1: 12-20–24 dropped; 12-28 – 01-05 clipped to 01-01 – 01-05.
        #expect(member(instance, "p1").unavailable == [Absence(from: CivilDate(iso: "2027-01-01")!, to: CivilDate(iso: "2027-01-05")!)])
        // p2: the whole day 02-01 still blocks the night of 01-31 (18:00–08:00), so it stays;
        // the night of 12-31 is gone; the avoided 01-15 stays.
        #expect(member(instance, "p2").unavailable == [Absence(from: CivilDate(iso: "2027-02-01")!, to: CivilDate(iso: "2027-02-01")!)])
        #expect(member(instance, "p2").avoid == [Absence(from: CivilDate(iso: "2027-01-15")!, to: CivilDate(iso: "2027-01-15")!)])
        // p3: the February nights block nothing of January; the avoided 01-30 – 02-10 keeps 01-30 – 02-01.
        #expect(member(instance, "p3").unavailable == [])
        #expect(member(instance, "p3").avoid == [Absence(from: CivilDate(iso: "2027-01-30")!, to: CivilDate(iso: "2027-02-01")!)])
        #expect(summary.absencesKept == 2 && summary.absencesClipped == 2 && summary.absencesDropped == 3)
        // The December pin is gone; respite requests are gone, q1's stay runs into January.
        #expect(instance.pins.isEmpty && summary.pinsDropped == 1 && summary.pinsKept == 0)
        #expect(instance.respiteRequests.isEmpty && summary.respiteDropped == 2)
        #expect(summary.staysRunningOn.map(\.request) == ["q1"])
        // Previous deputies from the plan; h2 had none in December.
        #expect(instance.homePatients.map(\.previous) == ["p3", nil, "p3"])
        #expect(summary.previousSet == 2 && summary.previousCleared == 1)
        // Everything else as it was.
        let old = loaded.instance
        #expect(instance.association == old.association)
        #expect(instance.blocks == old.blocks && instance.clinics == old.clinics && instance.stations == old.stations)
        #expect(instance.shifts == old.shifts && instance.duties == old.duties && instance.rules == old.rules)
        #expect(instance.weights[.avoid] == 70)
        #expect(instance.loadSharingItems == old.loadSharingItems && instance.hospitals == old.hospitals)
        #expect(instance.patients == old.patients)
        #expect(instance.homePatients.map(\.attending) == old.homePatients.map(\.attending))
        #expect(summary.lines == [
            "期間: 2027-01-01〜2027-01-31 (前の期間: 2026-12-01〜2026-12-31)",
            "当番の実績を 3 人の history に加算 (点数計 6.25、休日 2 回)",
            "追加の休日 (extraHolidays): 2 日を引き継ぎ、3 日を削除",
            "不在・避けたい日: 4 件を引き継ぎ (うち 2 件は新しい期間に合わせて短縮)、3 件を削除",
            "固定 (pins): 0 件を引き継ぎ、1 件を削除",
            "レスパイト: 2 件を削除。新しい期間にかかる入院 1 件 (q1 H1 〜2027-01-03) の病床は含まれていません",
            "副主治医: 2 人の previous を更新、1 人は副主治医なし (previous なし)",
            "そのまま引き継ぎ: 負担分担 1 件、後方支援病院 1、登録患者 1 人",
        ])
    }

    @Test("the result is a valid instance whose canonical text reads back equal")
    func resultDecodes() throws {
        let (next, _) = try NextMonth.make(from: try loadDecember(), served: servedDecember, options: NextMonthOptions())
        let text = InstanceEncoder.jsonText(next.instance)
        let again = try InstanceDecoder.decode(DocumentReader.parse(Array(text.utf8), format: .json))
        #expect(again.instance == next.instance)
        // A plan of January scores against it (no pins, every slot in January).
        #expect(next.slots.slots.allSatisfy { $0.date.year == 2027 && $0.date.month == 1 })
        #expect(next.slots.slots.count == 31)
    }

    @Test("March → April: the new fiscal year starts every history from zero")
    func fiscalYearStart() throws {
        var march = try loadDecember().instance
        march.period = period("2027-03-01", "2027-03-31")
        march.pins = []
        march.respiteRequests = []
        let loaded = try InstanceDecoder.decode(InstanceEncoder.document(march))
        // p1 serves Monday 03-01 (1.0): in the old fiscal year, so it counts for nothing.
        let plan = Plan(period: march.period, assignments: [night("2027-03-01", "p1")],
                        placements: [Placement(item: "t1", station: "s1")],
                        designations: [Designation(patient: "r1", hospital: "H1")])
        let (next, summary) = try NextMonth.make(from: loaded, served: plan, options: NextMonthOptions())
        #expect(next.instance.period == period("2027-04-01", "2027-04-30"))
        #expect(next.instance.members.allSatisfy { $0.history == History() })
        #expect(summary.fiscalYearStarted && summary.membersCredited == 0)
        #expect(summary.lines[1] == "年度始め (4 月): history を 0 から")
        // With the fiscal year starting in January instead, April is mid-year: histories carry.
        let carried = try NextMonth.make(from: loaded, served: plan, options: NextMonthOptions(fiscalYearStartMonth: 1))
        #expect(member(carried.loaded.instance, "p1").history == History(points: 1, holidays: 0))
        #expect(member(carried.loaded.instance, "p3").history == History(points: 10, holidays: 2))
    }

    @Test("a served period across April 1: only the duties from April 1 on start the new year")
    func periodAcrossFiscalYearStart() throws {
        var spring = try loadDecember().instance
        spring.period = period("2027-03-16", "2027-04-15")
        spring.pins = []
        spring.respiteRequests = []
        let loaded = try InstanceDecoder.decode(InstanceEncoder.document(spring))
        // p1: 03-17 Wed (1.0, old year) and 04-04 Sun (1.5, holiday, new year); p2: 04-07 Wed (1.0).
        let plan = Plan(period: spring.period,
                        assignments: [night("2027-03-17", "p1"), night("2027-04-04", "p1"), night("2027-04-07", "p2")],
                        placements: [Placement(item: "t1", station: "s1")],
                        designations: [Designation(patient: "r1", hospital: "H1")])
        let (next, summary) = try NextMonth.make(from: loaded, served: plan, options: NextMonthOptions())
        // Not a whole month: the next period is still the whole next calendar month.
        #expect(next.instance.period == period("2027-05-01", "2027-05-31"))
        #expect(member(next.instance, "p1").history == History(points: 1.5, holidays: 1))
        #expect(member(next.instance, "p2").history == History(points: 1, holidays: 0))
        #expect(member(next.instance, "p3").history == History())
        #expect(member(next.instance, "p4").history == History())
        #expect(summary.fiscalYearStarted && summary.membersCredited == 2)
        #expect(summary.lines[1] == "年度始め (4 月): history を 0 から、2027-04-01 以降の当番を 2 人の history に加算 (点数計 2.5、休日 1 回)")
    }

    @Test("--month: another period; absences clipped to it")
    func monthOverride() throws {
        let loaded = try loadDecember()
        let february = period("2027-02-01", "2027-02-28")
        let (next, summary) = try NextMonth.make(from: loaded, served: servedDecember, options: NextMonthOptions(period: february))
        let instance = next.instance
        #expect(instance.period == february)
        #expect(instance.calendar.extraHolidays.isEmpty)
        #expect(member(instance, "p1").unavailable.isEmpty)
        #expect(member(instance, "p2").unavailable == [Absence(from: CivilDate(iso: "2027-02-01")!, to: CivilDate(iso: "2027-02-01")!)])
        #expect(member(instance, "p2").avoid.isEmpty)
        #expect(member(instance, "p3").unavailable == [Absence(from: CivilDate(iso: "2027-02-01")!, to: CivilDate(iso: "2027-02-03")!, shifts: ["night"])])
        #expect(member(instance, "p3").avoid == [Absence(from: CivilDate(iso: "2027-02-01")!, to: CivilDate(iso: "2027-02-10")!)])
        // Histories carry the same way.
        #expect(member(instance, "p1").history == History(points: 2.5, holidays: 1))
        // q1's stay ended on 01-03, before February.
        #expect(summary.staysRunningOn.isEmpty)
        // A period that does not start after the served one is refused.
        #expect(throws: InputError.self) {
            try NextMonth.make(from: loaded, served: servedDecember,
                               options: NextMonthOptions(period: period("2026-12-15", "2027-01-14")))
        }
    }

    @Test("a plan for another period, or one breaking a hard rule, is refused with the reason")
    func refused() throws {
        let loaded = try loadDecember()
        var other = servedDecember
        other.period = period("2026-11-01", "2026-11-30")
        do {
            _ = try NextMonth.make(from: loaded, served: other, options: NextMonthOptions())
            Issue.record("a plan of November was accepted for December")
        } catch {
            #expect(error.issues.map(\.description) == [
                "period: the plan covers 2026-11-01 – 2026-11-30, the instance 2026-12-01 – 2026-12-31: give the plan served in the instance's period",
            ])
        }
        // p4 has share 0 (H1); p3 on consecutive dates (H4).
        var broken = servedDecember
        broken.assignments += [night("2026-12-15", "p4"), night("2026-12-09", "p3")]
        do {
            _ = try NextMonth.make(from: loaded, served: broken, options: NextMonthOptions())
            Issue.record("a plan breaking H1 and H4 was accepted")
        } catch {
            let text = error.issues.map(\.description)
            #expect(text.count == 2)
            #expect(text.first?.hasPrefix("assignments[5]: the served plan breaks H1 (") == true)
            #expect(text.last?.contains("the served plan breaks H4") == true)
        }
        #expect(throws: InputError.self) {
            try NextMonth.make(from: loaded, served: servedDecember, options: NextMonthOptions(fiscalYearStartMonth: 13))
        }
    }
}
