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
        #expect(found.contains("changes[0].change: unknown change \"unavailible\"; use one of unavailable, addMember, removeMember, setMember, addPin, removePin, setDemand, setStation, setBeds, addPatient, removePatient, addRespite, removeRespite, addHomePatient, removeHomePatient, setDeputy"))
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

// MARK: Home-care patients and deputies

/// The deputies network worked out by hand (Fixtures/deputy-whatif.json): blocks n – w – s
/// in a chain; A1, A2 (clinic c1) and B1, B2 (c2) in n, W1, W2 (c3) in w, S1 (c4) and S2
/// (c5) in s; B2 has share 0, W1 maxDeputyPatients 3, W2 0. Its published plan
/// (deputy-whatif.published.json): h1 B1, h2 W1, h3 W1, h4 W1, h5 S2, h6 S2.
let deputyWhatIfPath = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
    .appendingPathComponent("Fixtures/deputy-whatif.json").path
let deputyWhatIfPublishedPath = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
    .appendingPathComponent("Fixtures/deputy-whatif.published.json").path

/// Applies changes (one JSON object each) to the deputies network, with or without its published plan.
private func applyingToDeputies(_ changes: [String], published: Bool = true) -> Result<ChangedInstance, InputError> {
    do {
        let document = try DocumentReader.read(contentsOf: deputyWhatIfPath).node
        let set = try ChangeSet.parse(DocumentReader.parse(Array(changeFile(changes).utf8), format: .json))
        let plan = published ? try PlanReader.load(contentsOf: deputyWhatIfPublishedPath) : nil
        return .success(try set.apply(to: document, published: plan))
    } catch {
        return .failure(error)
    }
}

private func changeFile(_ changes: [String]) -> String {
    "{ \"format\": \"rinban-change/1\", \"changes\": [\n" + changes.joined(separator: ",\n") + "\n] }"
}

private func deputiesChanged(_ changes: String..., published: Bool = true) throws -> ChangedInstance {
    switch applyingToDeputies(changes, published: published) {
    case let .success(result): return result
    case let .failure(error): Issue.record("\(error)"); throw error
    }
}

/// "path: message" of every problem of changes that must be refused.
private func deputyProblems(_ changes: String..., published: Bool = true) -> [String] {
    if case let .failure(error) = applyingToDeputies(changes, published: published) {
        return error.issues.map { "\($0.path): \($0.message)" }
    }
    Issue.record("the changes were accepted")
    return []
}

@Suite("change files: home-care patients and deputies")
struct DeputyChangeSetTests {
    @Test("addHomePatient creates deputies.patients when the instance has none; its block defaults to the attending's")
    func addHomePatientCreatesSection() throws {
        let result = try changed(#"{ "change": "addHomePatient", "patient": { "id": "hp1", "attending": "p1", "requires": ["eol"] } }"#)
        #expect(result.loaded.instance.homePatients == [HomePatient(id: "hp1", attending: "p1", block: "north", requires: ["eol"])])
        #expect(result.applied == ["home-care patient hp1 added"])
        #expect(result.touchesDeputies && !result.touchesBeds && !result.touchesLoadSharing)
        #expect(result.document.jsonText().contains("\"deputies\": {"))
    }

    @Test("a problem inside an added home-care patient points into the change file")
    func addHomePatientProblems() {
        #expect(deputyProblems(#"{ "change": "addHomePatient", "patient": { "id": "h7", "attending": "Z9", "previous": "st1" } }"#) == [
            "changes[0].patient.attending: unknown physician \"Z9\"",
            "changes[0].patient.previous: \"st1\" is a visiting-nurse station; a home-care patient's previous is a physician",
        ])
        #expect(deputyProblems(#"{ "change": "addHomePatient", "patient": { "id": "h2", "attending": "A1" } }"#) == [
            "changes[0].patient.id: duplicate home-care patient id \"h2\" (first at deputies.patients[1].id)",
        ])
        #expect(deputyProblems(#"{ "change": "addHomePatient", "patient": "h7" }"#) == ["changes[0].patient: expected an object, found a string"])
    }

    @Test("removeHomePatient removes the patient and the deputy set by hand for it; unknown ids get a suggestion")
    func removeHomePatient() throws {
        let result = try deputiesChanged(#"{ "change": "setDeputy", "patient": "h5", "deputy": "A1" }"#,
                                         #"{ "change": "removeHomePatient", "patient": "h5" }"#)
        #expect(result.loaded.instance.homePatients.map(\.id.rawValue) == ["h1", "h2", "h3", "h4", "h6"])
        #expect(result.deputyPins.isEmpty)
        #expect(result.applied == ["h5: deputy set by hand to A1", "home-care patient h5 removed (with its deputy set by hand, A1)"])
        #expect(result.touchesDeputies)
        #expect(deputyProblems(#"{ "change": "removeHomePatient", "patient": "hh1" }"#)
            == ["changes[0].patient: unknown home-care patient \"hh1\" (did you mean \"h1\"?)"])
        // h7 is one edit from each of h1 … h6: no single suggestion.
        #expect(deputyProblems(#"{ "change": "removeHomePatient", "patient": "h7" }"#)
            == ["changes[0].patient: unknown home-care patient \"h7\""])
    }

    @Test("setDeputy: a deputy set by hand lives in the change set; the later of two for one patient wins")
    func setDeputy() throws {
        let result = try deputiesChanged(#"{ "change": "setDeputy", "patient": "h5", "deputy": "A1" }"#,
                                         #"{ "change": "setDeputy", "patient": "h3", "deputy": "A2" }"#,
                                         #"{ "change": "setDeputy", "patient": "h5", "deputy": "B1" }"#)
        #expect(result.deputyPins == ["h5": "B1", "h3": "A2"])
        #expect(result.applied == ["h5: deputy set by hand to A1", "h3: deputy set by hand to A2",
                                   "h5: deputy set by hand to B1 (replaces A1, set at changes[0])"])
        #expect(result.touchesDeputies)
        // The instance document has no place for it: the document is the original one.
        let original = try DocumentReader.read(contentsOf: deputyWhatIfPath).node
        #expect(result.document.jsonText() == original.jsonText())
    }

    @Test("setDeputy refers to a known patient and physician, then must be eligible and within the cap after the changes")
    func setDeputyProblems() {
        #expect(deputyProblems(#"{ "change": "setDeputy", "patient": "h9", "deputy": "A1" }"#,
                               #"{ "change": "setDeputy", "patient": "h1", "deputy": "W3" }"#,
                               #"{ "change": "setDeputy", "patient": "h1", "deputy": "st1" }"#) == [
            "changes[0].patient: unknown home-care patient \"h9\"",
            // W3 is one edit from W1 and from W2: no single suggestion.
            "changes[1].deputy: unknown physician \"W3\"",
            "changes[2].deputy: \"st1\" is a visiting-nurse station; a deputy is a physician",
        ])
        #expect(deputyProblems(#"{ "change": "setDeputy", "patient": "h5", "deputy": "SS2" }"#)
            == ["changes[0].deputy: unknown physician \"SS2\" (did you mean \"S2\"?)"])
        // Shape problems come first and alone.
        #expect(deputyProblems(#"{ "change": "setDeputy", "patient": "h1" }"#) == ["changes[0].deputy: missing \"deputy\""])
        // B2 works at h3's attending's clinic and has share 0.
        #expect(deputyProblems(#"{ "change": "setDeputy", "patient": "h3", "deputy": "B2" }"#) == [
            "changes[0].deputy: B2 cannot be the deputy of home-care patient h3: works at the attending physician's clinic "
                + "(主治医と同じ診療所); share is 0 (当番の割合が 0)",
        ])
        // Eligible when set, not after a later change: the problem still points at the setDeputy.
        #expect(deputyProblems(#"{ "change": "setDeputy", "patient": "h3", "deputy": "A2" }"#,
                               #"{ "change": "setMember", "member": "A2", "share": 0 }"#) == [
            "changes[0].deputy: A2 cannot be the deputy of home-care patient h3: share is 0 (当番の割合が 0)",
        ])
        // W1 takes at most one patient: two set by hand are one too many.
        #expect(deputyProblems(#"{ "change": "setMember", "member": "W1", "maxDeputyPatients": 1 }"#,
                               #"{ "change": "setDeputy", "patient": "h2", "deputy": "W1" }"#,
                               #"{ "change": "setDeputy", "patient": "h3", "deputy": "W1" }"#) == [
            "changes[2].deputy: W1 is set by hand as the deputy of 2 patients (h2, h3); maxDeputyPatients is 1",
        ])
    }

    @Test("setMember sets or removes maxDeputyPatients; never on a station, never below 0")
    func setMemberCap() throws {
        let lowered = try deputiesChanged(#"{ "change": "setMember", "member": "W1", "maxDeputyPatients": 1 }"#,
                                          #"{ "change": "setMember", "member": "S1", "maxDeputyPatients": 0 }"#,
                                          #"{ "change": "setMember", "member": "W2", "maxDeputyPatients": null }"#)
        let members = lowered.loaded.instance.members
        #expect(members[4].maxDeputyPatients == 1 && members[6].maxDeputyPatients == 0 && members[5].maxDeputyPatients == nil)
        #expect(lowered.applied == ["W1: deputy of at most 1 patient", "S1: deputy of at most 0 patients", "W2: no cap on deputy patients"])
        #expect(lowered.touchesDeputies)
        let share = try deputiesChanged(#"{ "change": "setMember", "member": "A1", "share": 2 }"#)
        #expect(!share.touchesDeputies)
        #expect(deputyProblems(#"{ "change": "setMember", "member": "st1", "maxDeputyPatients": 2 }"#) == [
            "changes[0].maxDeputyPatients: st1 is a visiting-nurse station: only physicians are deputies of home-care patients, "
                + "so a station takes no maxDeputyPatients",
        ])
        #expect(deputyProblems(#"{ "change": "setMember", "member": "W1", "maxDeputyPatients": -1 }"#,
                               #"{ "change": "setMember", "member": "W1", "maxDeputyPatients": 1.5 }"#) == [
            "changes[0].maxDeputyPatients: -1 is out of range: must be ≥ 0",
            "changes[1].maxDeputyPatients: expected a whole number, found 1.5",
        ])
    }

    @Test("a physician who leaves: their patients go to the published deputy, their previous entries go")
    func attendingLeaves() throws {
        let result = try deputiesChanged(#"{ "change": "removeMember", "member": "B1" }"#)
        #expect(result.applied == [
            "B1 removed",
            "h1: previous deputy B1 leaves; no continuity to keep",
            "h3: attending B1 leaves; W1 (the deputy) becomes the attending; the patient stays in block n; "
                + "no previous deputy any more (was W1)",
        ])
        let patients = result.loaded.instance.homePatients
        #expect(patients[0] == HomePatient(id: "h1", attending: "A1", block: "n", requires: ["eol"], previous: nil))
        // W1's clinic is in block w: without the explicit block, h3 would have moved there.
        #expect(patients[2] == HomePatient(id: "h3", attending: "W1", block: "n", requires: [], previous: nil))
        #expect(result.touchesDeputies)
    }

    @Test("a leaving attending with no published deputy who stays is refused at the change")
    func attendingLeavesWithoutDeputy() {
        #expect(deputyProblems(#"{ "change": "removeMember", "member": "S1" }"#, published: false) == [
            "changes[0]: home-care patients h4 (attending S1; no published plan to take a deputy from), h6 (attending S1; "
                + "no published plan to take a deputy from) would have no attending: a patient whose attending leaves goes to "
                + "its deputy in the published plan, and these have none who stays. Remove each (removeHomePatient) and add "
                + "each again (addHomePatient) with a new attending, before this change",
        ])
        // A patient added by the same change file has no published deputy.
        #expect(deputyProblems(#"{ "change": "addHomePatient", "patient": { "id": "h7", "attending": "A2" } }"#,
                               #"{ "change": "removeMember", "clinic": "c1" }"#) == [
            "changes[1]: home-care patient h7 (attending A2; no deputy in the published plan) would have no attending: a patient "
                + "whose attending leaves goes to its deputy in the published plan, and this one has none who stays. Remove it "
                + "(removeHomePatient) and add it again (addHomePatient) with a new attending, before this change",
        ])
        // Removing the patient first, as the message says, is accepted.
        let fixed = applyingToDeputies([#"{ "change": "addHomePatient", "patient": { "id": "h7", "attending": "A2" } }"#,
                                        #"{ "change": "removeHomePatient", "patient": "h7" }"#,
                                        #"{ "change": "removeMember", "clinic": "c1" }"#])
        let applied = try? fixed.get().applied
        #expect(applied == ["home-care patient h7 added", "home-care patient h7 removed", "clinic c1 leaves the rota: A1, A2 removed",
                            "h1: attending A1 leaves; B1 (the deputy) becomes the attending; the patient stays in block n; "
                                + "no previous deputy any more (was B1)",
                            "h2: attending A2 leaves; W1 (the deputy) becomes the attending; the patient stays in block n"])
    }

    @Test("deputies set by hand naming a leaving physician vanish with them; a physician with no part in deputies touches none")
    func removedDeputyPins() throws {
        let result = try deputiesChanged(#"{ "change": "setDeputy", "patient": "h5", "deputy": "S1" }"#,
                                         #"{ "change": "setDeputy", "patient": "h2", "deputy": "B1" }"#,
                                         #"{ "change": "removeMember", "member": "S1" }"#)
        #expect(result.deputyPins == ["h2": "B1"])
        #expect(result.applied == [
            "h5: deputy set by hand to S1", "h2: deputy set by hand to B1", "S1 removed (with 1 deputy set by hand)",
            "h4: attending S1 leaves; W1 (the deputy) becomes the attending; the patient stays in block s",
            // h6 lives in block w (written in the instance): nothing to keep.
            "h6: attending S1 leaves; S2 (the deputy) becomes the attending",
        ])
        #expect(result.loaded.instance.homePatients[3] == HomePatient(id: "h4", attending: "W1", block: "s", requires: ["eol"]))
        #expect(result.loaded.instance.homePatients[5] == HomePatient(id: "h6", attending: "S2", block: "w"))
        let unrelated = try deputiesChanged(#"{ "change": "removeMember", "member": "B2" }"#)
        #expect(!unrelated.touchesDeputies)
        // S2 is the published deputy of h5 and h6 and nothing else: no line, but deputies are concerned.
        let deputyOnly = try deputiesChanged(#"{ "change": "removeMember", "member": "S2" }"#)
        #expect(deputyOnly.touchesDeputies)
        #expect(deputyOnly.applied == ["S2 removed"])
        // A deputy who left in an earlier change cannot take over.
        #expect(deputyProblems(#"{ "change": "removeMember", "member": "S2" }"#, #"{ "change": "removeMember", "member": "S1" }"#) == [
            "changes[1]: home-care patient h6 (attending S1; its deputy S2 is no longer in the instance) would have no attending: "
                + "a patient whose attending leaves goes to its deputy in the published plan, and this one has none who stays. "
                + "Remove it (removeHomePatient) and add it again (addHomePatient) with a new attending, before this change",
        ])
        let unchanged = try deputiesChanged(#"{ "change": "unavailable", "member": "A1", "date": "2027-01-08" }"#)
        #expect(!unchanged.touchesDeputies && unchanged.deputyPins.isEmpty)
    }
}
