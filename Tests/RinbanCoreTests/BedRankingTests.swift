import Foundation
@testable import RinbanCore
import Testing

/// The ranking of hospitals to call, on ../shared/examples/tiny.json, worked out by hand.
///
/// tiny.json: blocks north – west – south in a chain (north–south is distance 3); clinics
/// c01, c02 north, c03, c04 west, c05, c06 south. h1 北部中央病院 (north, group c01 c02 c03,
/// beds acute 2, palliative 1, respite 2); h2 南部記念病院 (south, group c04 c05 c06, acute 1,
/// respite 1). Patients r1 c01 acute 0.6, r2 c05 acute 0.8, r3 c06 palliative 0.5, r4 c04
/// acute 0.7. Respite q1 c05 5 nights, q2 c06 4 nights, q3 c02 7 nights.
@Suite("Bed ranking")
struct BedRankingTests {
    let instance: Instance = {
        switch decode(try! String(contentsOfFile: tinyPath, encoding: .utf8)) {
        case let .success(loaded): return loaded.instance
        case let .failure(error): fatalError("tiny.json does not load: \(error)")
        }
    }()

    func date(_ text: String) -> CivilDate { CivilDate(iso: text)! }

    /// r2 and r4 at h2: h2's acute load 0.8 + 0.7 = 1.5 exceeds its one bed (−0.5 left);
    /// h1 keeps 2 − 0.6 = 1.4. Stays: q1 at h1 from 01-04 (nights 4–8), q2 at h2 from 01-05
    /// (5–8), q3 at h1 from 01-08 (8–14).
    func crowdedPlan() -> Plan {
        Plan(
            period: instance.period,
            designations: [
                Designation(patient: "r1", hospital: "h1"), Designation(patient: "r2", hospital: "h2"),
                Designation(patient: "r3", hospital: "h1"), Designation(patient: "r4", hospital: "h2"),
            ],
            respite: [
                RespiteBooking(request: "q1", hospital: "h1", start: date("2027-01-04")),
                RespiteBooking(request: "q2", hospital: "h2", start: date("2027-01-05")),
                RespiteBooking(request: "q3", hospital: "h1", start: date("2027-01-08")),
            ])
    }

    @Test("without a plan: both have room, so the group decides")
    func noPlan() throws {
        // c03 (west) is in h1's group; both hospitals are one block away.
        let west1 = try BedRanking.rank(.newPatient(clinic: "c03", needs: .acute), on: date("2027-01-06"), instance: instance)
        #expect(west1.candidates.map(\.id) == ["h1", "h2"])
        #expect(west1.candidates.map(\.distance) == [1, 1])
        #expect(west1.candidates.map(\.inGroup) == [true, false])
        #expect(west1.candidates.map(\.expectedLoad) == [0, 0])
        #expect(west1.candidates.map(\.respiteBooked) == [0, 0])
        #expect(west1.designated == nil)
        // c04 (west) is in h2's group.
        let west2 = try BedRanking.rank(.newPatient(clinic: "c04", needs: .acute), on: date("2027-01-06"), instance: instance)
        #expect(west2.candidates.map(\.id) == ["h2", "h1"])
        // Palliative beds only at h1; r3's clinic c06 is south: distance 3, outside the group.
        let r3 = try BedRanking.rank(.patient("r3"), on: date("2027-01-06"), instance: instance)
        #expect(r3.needs == .palliative && r3.clinic == "c06")
        #expect(r3.candidates.map(\.id) == ["h1"])
        #expect(r3.candidates[0].distance == 3 && !r3.candidates[0].inGroup && r3.candidates[0].pledged == 1)
    }

    @Test("the group hospital is full, so the other one ranks first")
    func groupHospitalFull() throws {
        let plan = crowdedPlan()
        // A new acute patient of c05 (south, h2's group): h2 has −0.5 beds left, h1 has 1.4,
        // so h1 comes first although it is outside the group and three blocks away.
        let result = try BedRanking.rank(.newPatient(clinic: "c05", needs: .acute), on: date("2027-01-08"), instance: instance, plan: plan)
        #expect(result.candidates.map(\.id) == ["h1", "h2"])
        let h1 = result.candidates[0], h2 = result.candidates[1]
        #expect(h1.hasRoom && !h1.inGroup && h1.distance == 3 && h1.pledged == 2)
        #expect(abs(h1.expectedLoad - 0.6) < 1e-9 && abs(h1.bedsLeft - 1.4) < 1e-9)
        #expect(!h2.hasRoom && h2.inGroup && h2.distance == 0 && h2.pledged == 1)
        #expect(abs(h2.expectedLoad - 1.5) < 1e-9 && abs(h2.bedsLeft + 0.5) < 1e-9)
        // The night of 01-08: q1 (4–8) and q3 (8–14) at h1, q2 (5–8) at h2.
        #expect(h1.respiteBooked == 2 && h1.respitePledged == 2)
        #expect(h2.respiteBooked == 1 && h2.respitePledged == 1)
        let lines = BedRanking.lines(result)
        #expect(lines[0] == "1. h1 北部中央病院 — beds left; acute beds 2 pledged, expected load 0.6, 1.4 left; group no; distance 3; respite 2 of 2 beds booked on 2027-01-08")
        #expect(lines[1] == "2. h2 南部記念病院 — no beds left; acute beds 1 pledged, expected load 1.5, -0.5 left; group yes; distance 0; respite 1 of 1 beds booked on 2027-01-08")
        // The next night q1 has left h1, q2 has left h2.
        let next = try BedRanking.rank(.newPatient(clinic: "c05", needs: .acute), on: date("2027-01-09"), instance: instance, plan: plan)
        #expect(next.candidates.map(\.respiteBooked) == [1, 0])
    }

    @Test("the designated hospital comes first, full or not")
    func designatedFirst() throws {
        let plan = crowdedPlan()
        // r2 is designated to h2, which is full: still called first.
        let r2 = try BedRanking.rank(.patient("r2"), on: date("2027-01-06"), instance: instance, plan: plan)
        #expect(r2.designated == "h2")
        #expect(r2.candidates.map(\.id) == ["h2", "h1"])
        #expect(r2.candidates.map(\.isDesignated) == [true, false])
        #expect(BedRanking.lines(r2)[0].hasPrefix("1. h2 南部記念病院 — designated in the plan; no beds left;"))
        // Designated to h1 instead, r2 has h1 first for both reasons.
        var moved = plan
        moved.designations[1].hospital = "h1"
        let again = try BedRanking.rank(.patient("r2"), on: date("2027-01-06"), instance: instance, plan: moved)
        #expect(again.designated == "h1" && again.candidates.map(\.id) == ["h1", "h2"])
        // h2 now holds r4 alone (0.7): room again, but h1 stays first as the designated one.
        #expect(again.candidates[1].hasRoom)
    }

    @Test("ties fall to distance, then id")
    func tieBreaks() {
        func candidate(_ id: String, distance: Int) -> BedCandidate {
            BedCandidate(
                hospital: 0, id: HospitalID(id), name: id, isDesignated: false, inGroup: false, distance: distance,
                pledged: 1, expectedLoad: 0, respitePledged: 0, respiteBooked: 0)
        }
        let sorted = [candidate("hb", distance: 1), candidate("hc", distance: 0), candidate("ha", distance: 1)]
            .sorted(by: BedRanking.precedes)
        #expect(sorted.map(\.id.rawValue) == ["hc", "ha", "hb"])
    }

    @Test("bad questions are input errors")
    func errors() {
        func message(_ body: () throws(InputError) -> BedRankingResult) -> String? {
            do { _ = try body(); return nil } catch { return error.issues.first?.message }
        }
        #expect(message { () throws(InputError) in try BedRanking.rank(.patient("r9"), on: date("2027-01-06"), instance: instance) }
            == "unknown patient \"r9\"")
        #expect(message { () throws(InputError) in
            try BedRanking.rank(.newPatient(clinic: "c99", needs: .acute), on: date("2027-01-06"), instance: instance)
        } == "unknown clinic \"c99\"")
        #expect(message { () throws(InputError) in try BedRanking.rank(.patient("r1"), on: date("2027-01-15"), instance: instance) }
            == "2027-01-15 is outside the instance's period 2027-01-01 to 2027-01-14")
        let other = Plan(period: Period(start: date("2027-01-01"), end: date("2027-01-31")))
        #expect(message { () throws(InputError) in
            try BedRanking.rank(.patient("r1"), on: date("2027-01-06"), instance: instance, plan: other)
        }?.hasPrefix("the plan covers 2027-01-01 to 2027-01-31") == true)
    }
}
