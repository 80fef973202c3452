import Foundation
@testable import RinbanCore
import Testing

/// Applies a change document (JSON text) to `baseInstance`.
private func applying(_ changes: String, to instance: String = baseInstance) -> Result<ChangedInstance, InputError> {
    do {
        let document = try DocumentReader.parse(Array(instance.utf8), format: .json)
        let set = try ChangeSet.parse(DocumentReader.parse(Array(changes.utf8), format: .json))
        return .success(try set.apply(to: document))
    } catch {
        return .failure(error)
    }
}

private func changeFile(_ changes: String...) -> String {
    "{ \"format\": \"rinban-change/1\", \"changes\": [\n" + changes.joined(separator: ",\n") + "\n] }"
}

private func changed(_ changes: String...) throws -> ChangedInstance {
    let text = "{ \"format\": \"rinban-change/1\", \"changes\": [\n" + changes.joined(separator: ",\n") + "\n] }"
    switch applying(text) {
    case let .success(result): return result
    case let .failure(error): Issue.record("\(error)"); throw error
    }
}

/// The issues of a change document that must be refused.
private func problems(_ changes: String, instance: String = baseInstance) -> [InputIssue] {
    if case let .failure(error) = applying(changes, to: instance) { return error.issues }
    Issue.record("the changes were accepted")
    return []
}

@Suite("change files")
struct ChangeSetTests {
    @Test("unavailable adds an absence that blocks the slot")
    func unavailable() throws {
        let result = try changed(#"{ "change": "unavailable", "member": "p1", "from": "2027-01-05", "to": "2027-01-06", "shifts": ["night"] }"#)
        let p1 = result.loaded.instance.members[0]
        #expect(p1.unavailable == [Absence(from: CivilDate(iso: "2027-01-05")!, to: CivilDate(iso: "2027-01-06")!, shifts: ["night"])])
        // The north slot of the 5th has p1 only in its own block: p1 is no longer eligible there.
        let slot = try #require(result.loaded.slots.slot(duty: "sub", area: "north", date: CivilDate(iso: "2027-01-05")!, shift: "night"))
        #expect(!result.loaded.eligibility.eligible[slot.index].contains { $0.member == 0 })
        #expect(result.applied == ["p1 unavailable 2027-01-05 – 2027-01-06 (night)"])
        #expect(!result.touchesBeds && !result.touchesLoadSharing)
    }

    @Test("one date is shorthand for from = to")
    func unavailableOneDate() throws {
        let result = try changed(#"{ "change": "unavailable", "member": "s1", "date": "2027-01-07" }"#)
        let s1 = result.loaded.instance.members[3]
        #expect(s1.unavailable == [Absence(from: CivilDate(iso: "2027-01-07")!, to: CivilDate(iso: "2027-01-07")!)])
    }

    @Test("members join and leave; a leaving member's pins go with them")
    func addAndRemoveMembers() throws {
        let joined = try changed(
            #"{ "change": "addMember", "physician": { "id": "p4", "name": "伊藤", "clinic": "c1" } }"#,
            #"{ "change": "addMember", "station": { "id": "s2", "name": "南ステーション", "block": "south", "nurses": 1, "capacity": 20 } }"#)
        #expect(joined.loaded.instance.members.map(\.id.rawValue) == ["p1", "p2", "p3", "p4", "s1", "s2"])
        #expect(joined.touchesLoadSharing)

        let left = try changed(
            #"{ "change": "addPin", "duty": "sub", "area": "south", "date": "2027-01-05", "shift": "night", "member": "p3" }"#,
            #"{ "change": "removeMember", "member": "p3" }"#)
        #expect(left.loaded.instance.members.map(\.id.rawValue) == ["p1", "p2", "s1"])
        #expect(left.loaded.instance.pins.isEmpty)
        #expect(left.applied[1] == "p3 removed (with 1 pin)")

        let clinic = try changed(#"{ "change": "removeMember", "clinic": "c2" }"#)
        #expect(clinic.loaded.instance.members.map(\.id.rawValue) == ["p1", "s1"])
        // The clinic stays (its patients and hospital groups still refer to it).
        #expect(clinic.loaded.instance.clinics.count == 2)
    }

    @Test("a station that leaves turns the items it referred into new referrals of its block")
    func removeStation() throws {
        let result = try changed(
            #"{ "change": "addMember", "station": { "id": "s2", "name": "南", "block": "south", "nurses": 1, "capacity": 20 } }"#,
            #"{ "change": "removeMember", "member": "s1" }"#)
        let item = try #require(result.loaded.instance.loadSharingItems.first)
        #expect(item.from == nil)
        #expect(item.block == "north")
        #expect(result.touchesLoadSharing)
    }

    @Test("share and cap change; a null cap removes it")
    func setMember() throws {
        let result = try changed(
            #"{ "change": "setMember", "member": "p1", "share": 0.5, "maxDuties": 2 }"#,
            #"{ "change": "setMember", "member": "p3", "maxDuties": null }"#)
        let members = result.loaded.instance.members
        #expect(members[0].share == 0.5 && members[0].maxDuties == 2)
        #expect(members[2].maxDuties == nil)
    }

    @Test("pins are added and removed")
    func pins() throws {
        let pin = #""duty": "sub", "area": "north", "date": "2027-01-06", "shift": "night", "member": "p1""#
        let added = try changed(#"{ "change": "addPin", \#(pin) }"#)
        #expect(added.loaded.instance.pins.count == 1)
        let removed = try changed(#"{ "change": "addPin", \#(pin) }"#, #"{ "change": "removePin", \#(pin) }"#)
        #expect(removed.loaded.instance.pins.isEmpty)
    }

    @Test("demand changes for one shift and day type")
    func setDemand() throws {
        let base = try #require(try? applying(changeFile(#"{ "change": "setMember", "member": "p1", "share": 1 }"#)).get())
        // 2027-01-04 … 10: 5 weekdays, Saturday the 9th, Sunday the 10th; two blocks.
        #expect(base.loaded.slots.slots.count == 14)
        let result = try changed(#"{ "change": "setDemand", "duty": "sub", "shift": "night", "dayType": "saturday", "count": 0 }"#)
        #expect(result.loaded.slots.slots.count == 12)
        let more = try changed(#"{ "change": "setDemand", "duty": "sub", "shift": "night", "dayType": "holiday", "count": 2 }"#)
        #expect(more.loaded.slots.slots.filter { $0.dayType == .holiday }.map(\.demand) == [2, 2])
    }

    @Test("station capacity and load, hospital beds")
    func stationsAndBeds() throws {
        let result = try changed(
            #"{ "change": "setStation", "station": "s1", "capacity": 50, "load": 12.5 }"#,
            #"{ "change": "setBeds", "hospital": "h1", "acute": 3, "palliative": 1 }"#)
        let station = result.loaded.instance.stations[0]
        #expect(station.capacity == 50 && station.load == 12.5)
        let hospital = result.loaded.instance.hospitals[0]
        #expect(hospital.beds(.acute) == 3 && hospital.beds(.palliative) == 1 && hospital.beds(.respite) == 1)
        #expect(result.touchesBeds && result.touchesLoadSharing)
    }

    @Test("patients and respite requests are added and removed")
    func patientsAndRespite() throws {
        let result = try changed(
            #"{ "change": "addPatient", "patient": { "id": "r2", "clinic": "c2", "needs": "acute", "risk": 0.3 } }"#,
            #"{ "change": "removePatient", "patient": "r1" }"#,
            #"{ "change": "addRespite", "request": { "id": "q1", "clinic": "c1", "nights": 2, "earliest": "2027-01-05", "latest": "2027-01-06" } }"#)
        #expect(result.loaded.instance.patients.map(\.id.rawValue) == ["r2"])
        #expect(result.loaded.instance.respiteRequests.map(\.id.rawValue) == ["q1"])
        let removed = try changed(
            #"{ "change": "addRespite", "request": { "id": "q1", "clinic": "c1", "nights": 2, "earliest": "2027-01-05", "latest": "2027-01-06" } }"#,
            #"{ "change": "removeRespite", "request": "q1" }"#)
        #expect(removed.loaded.instance.respiteRequests.isEmpty)
        #expect(removed.touchesBeds && !removed.touchesLoadSharing)
    }

    @Test("changes apply in order: a later change may use a member an earlier one added")
    func order() throws {
        let result = try changed(
            #"{ "change": "addMember", "physician": { "id": "p4", "name": "伊藤", "clinic": "c1" } }"#,
            #"{ "change": "unavailable", "member": "p4", "date": "2027-01-04" }"#)
        #expect(result.loaded.instance.members[3].unavailable.count == 1)
    }

    // MARK: Problems, with their paths in the change file

    @Test("unknown references point at the change and the field")
    func unknownReferences() {
        let text = changeFile(
            #"{ "change": "unavailable", "member": "p9", "date": "2027-01-04" }"#,
            #"{ "change": "setBeds", "hospital": "h7", "acute": 1 }"#,
            #"{ "change": "setDemand", "duty": "sub", "shift": "evening", "dayType": "weekday", "count": 1 }"#,
            #"{ "change": "removePin", "duty": "sub", "area": "north", "date": "2027-01-04", "shift": "night", "member": "p1" }"#,
            #"{ "change": "addPin", "duty": "subx", "area": "north", "date": "2027-01-04", "shift": "night", "member": "p1" }"#)
        let issues = problems(text)
        #expect(issues.map { "\($0.path): \($0.message)" } == [
            "changes[0].member: unknown member \"p9\"",
            "changes[1].hospital: unknown hospital \"h7\"",
            "changes[2].shift: unknown shift \"evening\"",
            "changes[3]: the instance has no pin sub north 2027-01-04 night p1",
            "changes[4].duty: unknown duty \"subx\"",
        ])
        #expect(issues[0].position?.line == 2)
    }

    @Test("shapes are checked before anything is applied: kinds, keys, types, ranges")
    func shapes() {
        let text = changeFile(
            #"{ "change": "unavailible", "member": "p1" }"#,
            #"{ "change": "setMember", "memebr": "p1", "share": 1 }"#,
            #"{ "change": "setDemand", "duty": "sub", "shift": "night", "dayType": "sunday", "count": -1 }"#,
            #"{ "change": "setStation", "station": "s1" }"#,
            #"{ "change": "unavailable", "member": "p1", "from": "2027-01-06", "to": "2027-01-05" }"#,
            #"{ "change": "addMember", "physician": { "id": "p5", "clinic": "c1" }, "station": { "id": "s5" } }"#)
        let found = problems(text).map { "\($0.path): \($0.message)" }
        #expect(found.contains("changes[0].change: unknown change \"unavailible\"; use one of unavailable, addMember, removeMember, setMember, addPin, removePin, setDemand, setStation, setBeds, addPatient, removePatient, addRespite, removeRespite"))
        #expect(found.contains("changes[1].memebr: unknown key \"memebr\" (did you mean \"member\"?)"))
        #expect(found.contains("changes[2].dayType: unknown day type \"sunday\"; use weekday, saturday or holiday"))
        #expect(found.contains("changes[2].count: -1 is out of range: must be ≥ 0"))
        #expect(found.contains("changes[3]: nothing to change: give at least one of \"capacity\", \"load\", \"nurses\""))
        #expect(found.contains("changes[4].to: the absence ends (2027-01-05) before it starts (2027-01-06)"))
        #expect(found.contains("changes[5]: give exactly one of \"physician\" and \"station\""))
    }

    @Test("a problem inside an added entity points into the change file")
    func addedEntityProblems() {
        let issues = problems(changeFile(#"{ "change": "addMember", "physician": { "id": "p4", "name": "伊藤", "clinic": "c9" } }"#))
        #expect(issues.map { "\($0.path): \($0.message)" } == ["changes[0].physician.clinic: unknown clinic \"c9\""])
        #expect(issues.first?.position?.line == 2)
    }

    @Test("a problem that only shows in the changed instance names the instance path")
    func afterTheChanges() {
        // A pin on p3 (cap 1) on two dates breaks H5 once both are pinned.
        let issues = problems(changeFile(
            #"{ "change": "addPin", "duty": "sub", "area": "south", "date": "2027-01-04", "shift": "night", "member": "p3" }"#,
            #"{ "change": "addPin", "duty": "sub", "area": "south", "date": "2027-01-08", "shift": "night", "member": "p3" }"#))
        #expect(!issues.isEmpty)
        #expect(issues.allSatisfy { $0.message.hasPrefix("in the instance after the changes: ") && $0.path.description.hasPrefix("pins") })
    }

    @Test("format, empty list and YAML")
    func fileLevel() throws {
        #expect(problems(#"{ "format": "rinban/1", "changes": [] }"#).map { "\($0.path): \($0.message)" } == [
            "format: format is \"rinban/1\"; a change file says \"rinban-change/1\"",
            "changes: the list of changes is empty",
        ])
        let yaml = """
            format: rinban-change/1
            description: 佐藤先生の出張
            changes:
              - change: unavailable
                member: p1
                from: 2027-01-05
                to: 2027-01-06
                note: 学会
            """
        let set = try ChangeSet.parse(DocumentReader.parse(Array(yaml.utf8), format: .yaml))
        #expect(set.description == "佐藤先生の出張")
        #expect(set.changes.map(\.kind) == [.unavailable])
        #expect(set.changes[0].note == "学会")
    }

    @Test("the changed instance written as JSON reads back as the same instance")
    func jsonRoundTrip() throws {
        let result = try changed(
            #"{ "change": "setStation", "station": "s1", "capacity": 50 }"#,
            #"{ "change": "unavailable", "member": "p2", "date": "2027-01-08" }"#)
        let again = try InstanceDecoder.decode(DocumentReader.parse(Array(result.document.jsonText().utf8), format: .json))
        #expect(again.instance.stations[0].capacity == 50)
        #expect(again.instance.members[1].unavailable == result.loaded.instance.members[1].unavailable)
        #expect(again.slots.slots.count == result.loaded.slots.slots.count)
    }
}
