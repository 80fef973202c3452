@testable import RinbanCore
import Testing

@Suite("Instance validation: every defect class has its path and message")
struct InstanceValidationTests {
    @Test("the base instance is valid")
    func baseIsValid() throws {
        let loaded = try decode(baseInstance).get()
        #expect(loaded.instance.members.map(\.id.rawValue) == ["p1", "p2", "p3", "s1"])
        #expect(loaded.warnings.isEmpty)
    }

    @Test("unknown keys, with a suggestion for near misses")
    func unknownKeys() {
        #expect(errors(editedInstance([("\"shifts\": [", "\"shfits\": [")])) == [
            "shfits: unknown key \"shfits\" (did you mean \"shifts\"?)",
            "duties[0].demand.night: unknown shift \"night\"",
        ])
        #expect(errors(editedInstance([("\"clinic\": \"c2\", \"maxDuties\": 1", "\"clinic\": \"c2\", \"maxDutys\": 1")])) == [
            "physicians[2].maxDutys: unknown key \"maxDutys\" (did you mean \"maxDuties\"?)",
        ])
        #expect(errors(editedInstance([("\"format\": \"rinban/1\",", "\"format\": \"rinban/1\", \"colour\": 3,")])) == [
            "colour: unknown key \"colour\"",
        ])
    }

    @Test("duplicate ids, and member ids shared by a physician and a station")
    func duplicateIDs() {
        #expect(errors(editedInstance([("{ \"id\": \"c2\", \"name\": \"南クリニック\"", "{ \"id\": \"c1\", \"name\": \"南クリニック\"")])) == [
            "clinics[1].id: duplicate clinic id \"c1\" (first at clinics[0].id)",
            "physicians[1].clinic: unknown clinic \"c2\"",
            "physicians[2].clinic: unknown clinic \"c2\"",
        ])
        #expect(errors(editedInstance([("{ \"id\": \"s1\"", "{ \"id\": \"p2\"")])) == [
            "stations[0].id: duplicate member id \"p2\" (first at physicians[1].id)",
            "loadSharing.items[0].from: unknown station \"s1\"",
        ])
    }

    @Test("unknown references name the kind and the id, at the reference's line")
    func unknownReferences() throws {
        let text = editedInstance([("\"clinic\": \"c2\" }", "\"clinic\": \"c99\" }")])
        let error = try #require(decode(text).failure)
        #expect(error.issues.map(\.description) == [
            "physicians[1].clinic (line \(line(of: "c99", in: text)), column 43): unknown clinic \"c99\"",
        ])
        #expect(errors(editedInstance([("\"neighbors\": [\"south\"]", "\"neighbors\": [\"east\"]")])) == [
            "blocks[0].neighbors[0]: unknown block \"east\"",
        ])
    }

    @Test("numbers out of range and of the wrong kind")
    func numbers() {
        #expect(errors(editedInstance([("\"capacity\": 40", "\"capacity\": 0")])) == [
            "stations[0].capacity: 0 is out of range: must be > 0 visits per week",
        ])
        #expect(errors(editedInstance([("\"maxDuties\": 1", "\"maxDuties\": 1.5")])) == [
            "physicians[2].maxDuties: expected a whole number, found 1.5",
        ])
        #expect(errors(editedInstance([("\"risk\": 0.5", "\"risk\": -1")])) == [
            "beds.patients[0].risk: -1 is out of range: must be ≥ 0 expected admissions",
        ])
        #expect(errors(editedInstance([("\"saturday\": 1,", "\"saturday\": \"1\",")])) == [
            "duties[0].demand.night.saturday: expected a number, found a string",
        ])
        #expect(errors(editedInstance([("\"pins\": [],", "\"rules\": { \"minDaysBetween\": 0 },\n  \"pins\": [],")])) == [
            "rules.minDaysBetween: 0 is out of range: must be a whole number ≥ 1",
        ])
        #expect(errors(editedInstance([("\"pins\": [],", "\"weights\": { \"fairness\": -2 },\n  \"pins\": [],")])) == [
            "weights.fairness: -2 is out of range: must be ≥ 0",
        ])
    }

    @Test("periods: inverted, longer than 92 days, outside 1980–2099, malformed dates")
    func periods() {
        #expect(errors(editedInstance([("\"end\": \"2027-01-10\"", "\"end\": \"2027-01-01\"")])) == [
            "period.end: the period ends (2027-01-01) before it starts (2027-01-04)",
        ])
        #expect(errors(editedInstance([("\"end\": \"2027-01-10\"", "\"end\": \"2027-04-06\"")])) == [
            "period.end: the period has 93 days; the limit is 92",
        ])
        #expect(errors(editedInstance([("\"start\": \"2027-01-04\", \"end\": \"2027-01-10\"",
                                        "\"start\": \"1979-12-30\", \"end\": \"1980-01-05\"")])) == [
            "period.start: 1979-12-30 is outside 1980–2099, the years rinban's holiday calendar covers",
        ])
        #expect(errors(editedInstance([("\"start\": \"2027-01-04\"", "\"start\": \"2027-02-30\"")])) == [
            "period.start: \"2027-02-30\" is not a date (YYYY-MM-DD)",
        ])
    }

    @Test("dates outside the period where they must be inside")
    func datesOutsidePeriod() {
        #expect(errors(editedInstance([("\"respite\": []",
            "\"respite\": [ { \"id\": \"q1\", \"clinic\": \"c1\", \"nights\": 2, \"earliest\": \"2027-01-03\", \"latest\": \"2027-01-12\" } ]")])) == [
            "beds.respite[0].earliest: 2027-01-03 is outside the period 2027-01-04–2027-01-10",
            "beds.respite[0].latest: 2027-01-12 is outside the period 2027-01-04–2027-01-10",
        ])
        #expect(errors(editedInstance([("\"pins\": []",
            "\"pins\": [ { \"duty\": \"sub\", \"area\": \"north\", \"date\": \"2027-01-11\", \"shift\": \"night\", \"member\": \"p1\" } ]")])) == [
            "pins[0].date: 2027-01-11 is outside the period 2027-01-04–2027-01-10",
        ])
    }

    @Test("pins that break a hard rule or repeat each other")
    func pins() {
        func pin(_ area: String, _ date: String, _ member: String) -> String {
            "{ \"duty\": \"sub\", \"area\": \"\(area)\", \"date\": \"\(date)\", \"shift\": \"night\", \"member\": \"\(member)\" }"
        }
        // H1: a south physician is a neighbour of north, so eligible; a station is not.
        #expect(errors(editedInstance([("\"pins\": []", "\"pins\": [ \(pin("north", "2027-01-04", "s1")) ]")])) == [
            "pins[0]: pin breaks H1: s1 is not eligible for sub/north 2027-01-04 night: the duty is for physicians",
        ])
        // H1: the same pin twice.
        #expect(errors(editedInstance([("\"pins\": []", "\"pins\": [ \(pin("north", "2027-01-04", "p1")), \(pin("north", "2027-01-04", "p1")) ]")])) == [
            "pins[1]: pin breaks H1: p1 is assigned twice to sub/north 2027-01-04 night (with pins[0])",
        ])
        // H1: more members than the demand.
        #expect(errors(editedInstance([("\"pins\": []", "\"pins\": [ \(pin("north", "2027-01-04", "p1")), \(pin("north", "2027-01-04", "p2")) ]")])) == [
            "pins[1]: pin breaks H1: sub/north 2027-01-04 night has 2 members for a demand of 1 (with pins[0])",
        ])
        // H2 and H3: two areas the same night.
        #expect(errors(editedInstance([("\"pins\": []", "\"pins\": [ \(pin("north", "2027-01-04", "p1")), \(pin("south", "2027-01-04", "p1")) ]")])) == [
            "pins[1]: pin breaks H2: p1 holds overlapping sub/north 2027-01-04 night and sub/south 2027-01-04 night (with pins[0])",
            "pins[1]: pin breaks H3: p1 has 2 duties starting on 2027-01-04; at most 1 allowed (with pins[0])",
        ])
        // H4: consecutive dates with the default minDaysBetween 2.
        #expect(errors(editedInstance([("\"pins\": []", "\"pins\": [ \(pin("north", "2027-01-04", "p2")), \(pin("south", "2027-01-05", "p2")) ]")])) == [
            "pins[1]: pin breaks H4: p2 has duties on 2027-01-04 and 2027-01-05, 1 day apart; at least 2 required (with pins[0])",
        ])
        // H5: p3 may take one duty.
        #expect(errors(editedInstance([("\"pins\": []", "\"pins\": [ \(pin("south", "2027-01-04", "p3")), \(pin("south", "2027-01-08", "p3")) ]")])) == [
            "pins[1]: pin breaks H5: p3 has 2 duties; maxDuties is 1 (with pins[0])",
        ])
        // Unknown area of the duty.
        #expect(errors(editedInstance([("\"pins\": []", "\"pins\": [ \(pin("west", "2027-01-04", "p1")) ]")])) == [
            "pins[0].area: duty sub has no area \"west\"",
        ])
    }

    @Test("an item no station may take, a patient whose need no hospital offers")
    func noAllowedTarget() {
        #expect(errors(editedInstance([("{ \"id\": \"t1\", \"from\": \"s1\", \"visits\": 3 }",
                                        "{ \"id\": \"t1\", \"from\": null, \"block\": \"south\", \"visits\": 3, \"requires\": [\"pediatric\"] }")])) == [
            "loadSharing.items[0]: no station with skills pediatric in block south or a neighbouring block can take item t1",
        ])
        #expect(errors(editedInstance([("\"needs\": \"acute\"", "\"needs\": \"palliative\"")])) == [
            "beds.patients[0].needs: no hospital offers palliative beds for patient r1",
        ])
        #expect(errors(editedInstance([("{ \"id\": \"t1\", \"from\": \"s1\", \"visits\": 3 }", "{ \"id\": \"t1\", \"from\": null, \"visits\": 3 }")])) == [
            "loadSharing.items[0].block: missing \"block\" (needed when \"from\" is null)",
        ])
    }

    @Test("structure: wrong types, missing keys, scope and areas")
    func structure() {
        #expect(errors(editedInstance([("\"format\": \"rinban/1\"", "\"format\": \"rinban/2\"")])) == [
            "format: format is \"rinban/2\"; this version of rinban reads \"rinban/1\"",
        ])
        #expect(errors(editedInstance([("\"scope\": \"block\", ", "")])) == [
            "duties[0].scope: missing \"scope\"",
        ])
        #expect(errors(editedInstance([("\"scope\": \"block\", ", "\"scope\": \"block\", \"areas\": [], ")])) == [
            "duties[0].areas: \"areas\" is only allowed with scope \"areas\"",
        ])
        #expect(errors(editedInstance([("\"start\": \"18:00\"", "\"start\": \"24:00\"")])) == [
            "shifts[0].start: \"24:00\" is not a time (HH:MM, 00:00–23:59)",
        ])
        #expect(errors(editedInstance([("{ \"id\": \"north\", \"name\": \"北部\", \"neighbors\": [\"south\"] }",
                                        "{ \"id\": \"north\", \"name\": \"北部\", \"neighbors\": [\"north\"] }")])) == [
            "blocks[0].neighbors[0]: a block is never its own neighbour",
        ])
    }

    @Test("every problem is reported at once, in document order")
    func allAtOnce() {
        let text = editedInstance([
            ("\"capacity\": 40", "\"capacity\": -1"),
            ("\"clinic\": \"c2\" }", "\"clinic\": \"c9\" }"),
            ("\"risk\": 0.5", "\"risk\": \"high\""),
        ])
        #expect(errors(text) == [
            "physicians[1].clinic: unknown clinic \"c9\"",
            "stations[0].capacity: -1 is out of range: must be > 0 visits per week",
            "beds.patients[0].risk: expected a number, found a string",
        ])
    }
}

extension Result {
    var failure: Failure? {
        if case let .failure(error) = self { return error }
        return nil
    }
}
