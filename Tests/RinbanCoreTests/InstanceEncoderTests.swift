import Foundation
@testable import RinbanCore
import Testing

/// Every instance the package ships or tests with, by path.
private let encoderFixtures: [String] = {
    let tests = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
    let bundled = (try? FileManager.default.contentsOfDirectory(atPath: instancesFolder.path)) ?? []
    return bundled.filter { $0.hasSuffix(".json") }.sorted().map { instancesFolder.appendingPathComponent($0).path }
        + [tinyPath,
           tests.appendingPathComponent("Fixtures/deputies.json").path,
           tests.appendingPathComponent("Fixtures/deputy-whatif.json").path]
}()

/// An instance using every key the decoder knows, most of them away from their defaults.
private let everyKeyInstance = """
{
  "format": "rinban/1",
  "association": "全項目市医師会",
  "period": { "start": "2027-03-01", "end": "2027-03-14" },
  "calendar": { "extraHolidays": ["2027-03-05", "2027-02-27", "2027-03-02"], "saturdayIsHoliday": true },
  "blocks": [
    { "id": "n", "name": "北", "neighbors": ["w"] },
    { "id": "w", "neighbors": ["s"] },
    { "id": "s", "name": "南" }
  ],
  "clinics": [
    { "id": "c1", "name": "一", "block": "n" },
    { "id": "c2", "block": "w" },
    { "id": "c3", "name": "三", "block": "s" }
  ],
  "physicians": [
    { "id": "p1", "name": "甲", "clinic": "c1", "skills": ["eol", "24h"], "share": 1.5, "maxDuties": 4,
      "unavailable": [ { "date": "2027-03-03" }, { "from": "2027-03-08", "to": "2027-03-09", "shifts": ["night", "day"] } ],
      "avoid": [ { "from": "2027-03-10", "to": "2027-03-12" } ], "history": { "points": 12.25, "holidays": 3 },
      "maxDeputyPatients": 2 },
    { "id": "p2", "clinic": "c2", "share": 0, "maxDeputyPatients": 0 },
    { "id": "p3", "name": "丙", "clinic": "c3", "skills": ["eol"], "history": { "points": 0.1 } },
    { "id": "p4", "name": "丁", "clinic": "c1", "share": 1 }
  ],
  "stations": [
    { "id": "s1", "name": "北ST", "block": "n", "nurses": 2.5, "capacity": 40, "load": 12.5, "skills": ["eol"] },
    { "id": "s2", "name": "南ST", "block": "s", "nurses": 3, "capacity": 30, "share": 1,
      "history": { "holidays": 2 }, "unavailable": [ { "date": "2027-03-04", "shifts": ["night"] } ] }
  ],
  "shifts": [
    { "id": "night", "name": "夜間", "start": "18:00", "end": "08:00", "points": { "weekday": 1, "holiday": 1.5 } },
    { "id": "day", "start": "08:00", "end": "08:00" }
  ],
  "duties": [
    { "id": "sub", "name": "副主治医当番", "pool": "physicians", "scope": "block",
      "demand": { "night": { "weekday": 1, "saturday": 0, "holiday": 1 } } },
    { "id": "east", "pool": "physicians", "scope": "areas", "allowNeighbors": false, "requires": ["eol"],
      "areas": [ { "id": "a1", "name": "東", "blocks": ["n", "w"] }, { "id": "a2", "blocks": ["s"] } ],
      "demand": { "day": { "holiday": 1 }, "night": { "saturday": 1 } } },
    { "id": "nurse", "pool": "stations", "scope": "network", "demand": {} }
  ],
  "rules": { "maxDutiesPerDate": 1, "minDaysBetween": 3, "stations": { "spreadDays": 4 } },
  "pins": [ { "duty": "sub", "area": "n", "date": "2027-03-01", "shift": "night", "member": "p4" } ],
  "weights": { "fairness": 10, "avoid": 80, "deputyGap": 0.5 },
  "loadSharing": { "items": [
    { "id": "t1", "from": "s1", "visits": 3 },
    { "id": "t2", "from": "s1", "block": "s", "visits": 2.5, "requires": ["eol"] },
    { "id": "t3", "from": null, "block": "w", "visits": 4 },
    { "id": "t4", "block": "s", "visits": 1 }
  ] },
  "beds": {
    "hospitals": [
      { "id": "h1", "name": "北病院", "block": "n", "group": ["c2", "c1"], "beds": { "acute": 2, "palliative": 0, "respite": 1 } },
      { "id": "h2", "block": "s", "beds": { "palliative": 1 } }
    ],
    "patients": [ { "id": "r1", "clinic": "c1", "needs": "acute", "risk": 0.3 },
                  { "id": "r2", "clinic": "c3", "needs": "palliative", "risk": 0 } ],
    "respite": [ { "id": "q1", "clinic": "c1", "nights": 3, "earliest": "2027-03-02", "latest": "2027-03-05" },
                 { "id": "q2", "clinic": "c3", "nights": 60, "earliest": "2027-03-14", "latest": "2027-03-14", "priority": 3 } ]
  },
  "deputies": { "patients": [
    { "id": "h1", "attending": "p1", "requires": ["eol"], "previous": "p3" },
    { "id": "h2", "attending": "p3", "block": "w", "previous": null },
    { "id": "h3", "attending": "p4", "block": "n" }
  ] }
}
"""

/// Encodes, reads the text back and decodes it; records the problems if it does not decode.
private func roundTrip(_ instance: Instance) throws -> (text: String, loaded: LoadedInstance) {
    let text = InstanceEncoder.jsonText(instance)
    let node = try DocumentReader.parse(Array(text.utf8), format: .json)
    return (text, try InstanceDecoder.decode(node))
}

/// The fields of two instances that differ, by name (empty when equal).
private func differingFields(_ a: Instance, _ b: Instance) -> [String] {
    var fields: [String] = []
    if a.association != b.association { fields.append("association") }
    if a.period != b.period { fields.append("period") }
    if a.calendar != b.calendar { fields.append("calendar") }
    if a.blocks != b.blocks { fields.append("blocks") }
    if a.clinics != b.clinics { fields.append("clinics") }
    for (x, y) in zip(a.members, b.members) where x != y { fields.append("member \(x.id)") }
    if a.members.count != b.members.count { fields.append("members") }
    if a.stations != b.stations { fields.append("stations") }
    if a.shifts != b.shifts { fields.append("shifts") }
    if a.duties != b.duties { fields.append("duties") }
    if a.rules != b.rules { fields.append("rules") }
    if a.pins != b.pins { fields.append("pins") }
    if ObjectiveTerm.allCases.contains(where: { a.weights[$0] != b.weights[$0] }) { fields.append("weights") }
    if a.loadSharingItems != b.loadSharingItems { fields.append("loadSharingItems") }
    if a.hospitals != b.hospitals { fields.append("hospitals") }
    if a.patients != b.patients { fields.append("patients") }
    if a.respiteRequests != b.respiteRequests { fields.append("respiteRequests") }
    if a.homePatients != b.homePatients { fields.append("homePatients") }
    return fields
}

@Suite("InstanceEncoder: instance → rinban/1 document → the same instance")
struct InstanceEncoderTests {
    @Test("every shipped and fixture instance survives encode → decode, with the same slots",
          arguments: encoderFixtures)
    func roundTripsFile(_ path: String) throws {
        let original = try InstanceDecoder.load(contentsOf: path)
        let (text, decoded) = try roundTrip(original.instance)
        #expect(differingFields(original.instance, decoded.instance) == [], "\(path)")
        #expect(decoded.instance == original.instance)
        #expect(decoded.slots.slots.count == original.slots.slots.count)
        #expect(decoded.slots.slots.reduce(0) { $0 + $1.demand } == original.slots.slots.reduce(0) { $0 + $1.demand })
        // Canonical: encoding the decoded instance writes the same text again.
        #expect(InstanceEncoder.jsonText(decoded.instance) == text)
    }

    @Test("an instance using every key, most away from their defaults, survives the round trip")
    func roundTripsEveryKey() throws {
        let original = try InstanceDecoder.decode(DocumentReader.parse(Array(everyKeyInstance.utf8), format: .json))
        let (text, decoded) = try roundTrip(original.instance)
        #expect(differingFields(original.instance, decoded.instance) == [])
        #expect(decoded.instance == original.instance)
        #expect(decoded.slots.slots.count == original.slots.slots.count)
        #expect(decoded.slots.slots.reduce(0) { $0 + $1.demand } == original.slots.slots.reduce(0) { $0 + $1.demand })
        #expect(decoded.warnings.map(\.message) == original.warnings.map(\.message))

        // Sets sorted, defaults left out, what differs kept.
        #expect(text.contains(#""extraHolidays": ["2027-02-27", "2027-03-02", "2027-03-05"]"#))
        #expect(text.contains(#""skills": ["24h", "eol"]"#))
        #expect(text.contains(#""group": ["c1", "c2"]"#))
        #expect(text.contains(#""shifts": ["day", "night"]"#))
        #expect(text.contains(#"{ "date": "2027-03-03" }"#))
        #expect(text.contains(#"{ "from": "2027-03-08", "to": "2027-03-09", "shifts": ["day", "night"] }"#))
        #expect(text.contains(#""rules": { "minDaysBetween": 3, "stations": { "spreadDays": 4 } }"#))
        #expect(text.contains(#""weights": { "avoid": 80, "deputyGap": 0.5 }"#))
        #expect(text.contains(#"{ "id": "t1", "from": "s1", "visits": 3 }"#))
        #expect(text.contains(#"{ "id": "t2", "from": "s1", "block": "s", "visits": 2.5, "requires": ["eol"] }"#))
        #expect(text.contains(#"{ "id": "t4", "from": null, "block": "s", "visits": 1 }"#))
        #expect(text.contains(#"{ "id": "h1", "attending": "p1", "requires": ["eol"], "previous": "p3" }"#))
        #expect(text.contains(#"{ "id": "h2", "attending": "p3", "block": "w" }"#))
        #expect(text.contains(#"{ "id": "h3", "attending": "p4" }"#))
        #expect(text.contains(#"{ "id": "q1", "clinic": "c1", "nights": 3, "earliest": "2027-03-02", "latest": "2027-03-05" }"#))
        #expect(text.contains(#""demand": { "night": { "weekday": 1, "saturday": 0, "holiday": 1 } }"#))
        #expect(text.contains(#""history": { "points": 0.1, "holidays": 0 }"#))
        // Scope block/network: the scope, not the derived areas; scope areas: its areas.
        #expect(text.contains(#""scope": "network","#) && text.contains(#""demand": {}"#))
        #expect(text.contains(#"{ "id": "a1", "name": "東", "blocks": ["n", "w"] }"#))
        #expect(text.contains(#"{ "id": "a2", "blocks": ["s"] }"#))
        #expect(!text.contains(#""id": "all""#))
        // p4's share 1 is the default; s2's share 1 differs from its 3 nurses.
        let p4 = try #require(text.range(of: #""id": "p4""#))
        #expect(!text[p4.lowerBound...].prefix(120).contains("share"))
        let s2 = try #require(text.range(of: #""id": "s2""#))
        #expect(text[s2.lowerBound...].contains(#""share": 1"#))
        #expect(!text.contains("allowNeighbors\": true"))
        #expect(!text.contains("\"priority\": 1"))
    }

    @Test("sections left at their defaults are not written; the document keeps the SPEC's key order")
    func shortAndOrdered() throws {
        let loaded = try InstanceDecoder.decode(DocumentReader.parse(Array(baseInstance.utf8), format: .json))
        let document = InstanceEncoder.document(loaded.instance)
        guard case let .object(members) = document.value else {
            Issue.record("the document is not an object")
            return
        }
        #expect(members.map(\.key) == ["format", "period", "blocks", "clinics", "physicians", "stations", "shifts",
                                       "duties", "loadSharing", "beds"])
        let text = InstanceEncoder.jsonText(loaded.instance)
        #expect(text.hasPrefix("{\n  \"format\": \"rinban/1\",\n  \"period\": { \"start\": \"2027-01-04\", \"end\": \"2027-01-10\" },\n"))
        #expect(!text.contains("\"respite\": ["))
        #expect(!text.contains("\"pins\""))
    }

    @Test("equality compares data, not how weights were spelled")
    func equality() throws {
        let loaded = try InstanceDecoder.decode(DocumentReader.parse(Array(baseInstance.utf8), format: .json))
        var other = loaded.instance
        #expect(other == loaded.instance)
        other.weights = Weights(overrides: [.fairness: ObjectiveTerm.fairness.defaultWeight])
        #expect(other == loaded.instance)
        other.weights = Weights(overrides: [.fairness: 11])
        #expect(other != loaded.instance)
        other = loaded.instance
        other.members[0].history.points += 1
        #expect(other != loaded.instance)
        other = loaded.instance
        other.calendar.extraHolidays.insert(CivilDate(iso: "2027-01-05")!)
        #expect(other != loaded.instance)
    }
}
