@testable import RinbanCore
import Testing

/// Slots and eligibility of ../shared/examples/tiny.json, counted by hand:
/// 2027-01-01 (Fri, 元日), 01-02 (Sat, extra holiday), 01-03 (Sun), 01-10 (Sun) and
/// 01-11 (成人の日, the second Monday) are holidays; 01-09 is the only saturday-type date;
/// the other eight dates are weekdays.
@Suite("tiny.json: slots and eligibility by hand")
struct TinyInstanceTests {
    let loaded: LoadedInstance

    init() throws {
        loaded = try InstanceDecoder.load(contentsOf: tinyPath)
    }

    func date(_ text: String) -> CivilDate { CivilDate(iso: text)! }

    func slot(_ duty: String, _ area: String, _ day: String, _ shift: String) throws -> Slot {
        try #require(loaded.slots.slot(duty: DutyID(duty), area: AreaID(area), date: date(day), shift: ShiftID(shift)))
    }

    func eligible(_ slot: Slot) -> [String] {
        loaded.eligibility.eligible[slot.index].map { loaded.instance.members[$0.member].id.rawValue }
    }

    @Test("day types")
    func dayTypes() {
        let types = loaded.instance.period.dates.map { loaded.instance.dayType(of: $0) }
        #expect(types.filter { $0 == .holiday }.count == 5)
        #expect(types.filter { $0 == .saturday }.count == 1)
        #expect(types.filter { $0 == .weekday }.count == 8)
        #expect(loaded.instance.dayType(of: date("2027-01-11")) == .holiday)
        #expect(loaded.instance.dayType(of: date("2027-01-02")) == .holiday)
        #expect(loaded.instance.dayType(of: date("2027-01-09")) == .saturday)
    }

    @Test("slot counts per duty: 3 blocks × (14 nights + 5 holiday days), 6 eol nights, 6 station nights")
    func slotCounts() {
        let slots = loaded.slots.slots
        let perDuty = loaded.instance.duties.indices.map { d in slots.filter { $0.duty == d }.count }
        #expect(perDuty == [57, 6, 6])
        #expect(loaded.slots.totalDemand == 69)
        #expect(slots.filter { $0.dayType == .weekday }.count == 24)
        // Slots are ordered by date first.
        #expect(zip(slots, slots.dropFirst()).allSatisfy { $0.date <= $1.date })
    }

    @Test("points follow the day type; a missing day type counts 1")
    func points() throws {
        #expect(try slot("substitute", "north", "2027-01-05", "night").points == 1.0)
        #expect(try slot("substitute", "north", "2027-01-09", "night").points == 1.25)
        #expect(try slot("substitute", "north", "2027-01-10", "night").points == 1.5)
        #expect(try slot("substitute", "north", "2027-01-10", "day").points == 1.5)
        #expect(loaded.slots.slot(duty: "substitute", area: "north", date: date("2027-01-05"), shift: "day") == nil)
    }

    @Test("home, neighbour and the absence across midnight")
    func eligibilityNorth() throws {
        // North's own: p01, p02, p03; west is north's neighbour: p04, p05, p06. South is not.
        // p02 is away 01-04..01-06 (whole days): the night starting 01-03 18:00 ends 01-04 08:00
        // and is blocked; so are the nights of 01-04..01-06; the day shift of 01-03 is not.
        #expect(eligible(try slot("substitute", "north", "2027-01-05", "night")) == ["p01", "p03", "p04", "p05", "p06"])
        #expect(eligible(try slot("substitute", "north", "2027-01-03", "night")) == ["p01", "p03", "p04", "p05", "p06"])
        #expect(eligible(try slot("substitute", "north", "2027-01-03", "day")) == ["p01", "p02", "p03", "p04", "p05", "p06"])
        #expect(eligible(try slot("substitute", "north", "2027-01-07", "night")) == ["p01", "p02", "p03", "p04", "p05", "p06"])
        let night5 = try slot("substitute", "north", "2027-01-05", "night")
        #expect(loaded.eligibility.unavailable[night5.index].map { loaded.instance.members[$0].id.rawValue } == ["p02"])
        let proximity = loaded.eligibility.eligible[night5.index].map(\.proximity)
        #expect(proximity == [.home, .home, .neighbour, .neighbour, .neighbour])
    }

    @Test("west reaches everyone; p08 (share 0) never; a shift-only absence blocks just that shift")
    func eligibilityWestAndSkills() throws {
        #expect(eligible(try slot("substitute", "west", "2027-01-10", "day")) == ["p01", "p02", "p03", "p04", "p05", "p06", "p07", "p09"])
        // p06 is away only for the night of 01-09.
        #expect(eligible(try slot("substitute", "west", "2027-01-09", "night")) == ["p01", "p02", "p03", "p04", "p05", "p07", "p09"])
        // End-of-life duty needs "eol": p01, p03, p04, p06, p07.
        #expect(eligible(try slot("eol", "all", "2027-01-10", "night")) == ["p01", "p03", "p04", "p06", "p07"])
        #expect(eligible(try slot("eol", "all", "2027-01-09", "night")) == ["p01", "p03", "p04", "p07"])
        #expect(eligible(try slot("eol-nurse", "all", "2027-01-09", "night")) == ["s01", "s02"])
        let p08 = try #require(loaded.instance.memberIndex["p08"])
        #expect(loaded.eligibility.slotsOfMember[p08].isEmpty)
    }

    @Test("pre-check: at most 52 of the 63 physician duties can be served")
    func precheck() {
        // 14 days with minDaysBetween 2: at most 7 duties each; p03 is capped at 3;
        // p08 has share 0: 6 × 7 + 7 + 3 = 52.
        let precheck = FeasibilityPrecheck(loaded: loaded)
        #expect(precheck.shortSlots.isEmpty)
        #expect(precheck.memberFindings.isEmpty)
        #expect(precheck.poolFindings == [
            "the physicians can serve at most 52 of the 63 duties of the period (caps, eligibility and rest rules)",
        ])
    }
}
