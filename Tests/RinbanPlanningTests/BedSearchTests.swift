import Foundation
import MIP
import MIPGLPK
import RinbanCore
@testable import RinbanPlanning
import Testing

/// The beds' local search, judged by the scorer's own terms (`SharingGreedy.terms`, written
/// from SPEC section 5) rather than by the search's incremental bookkeeping.
@Suite("Backup beds: local search")
struct BedSearchTests {
    func value(_ instance: Instance, _ designations: [Designation], _ respite: [RespiteBooking]) -> Double {
        let terms = SharingGreedy(instance: instance).terms(placements: [], designations: designations, respite: respite)
        return SharingPlanner.bedTerms.reduce(0) { $0 + instance.weights[$1] * (terms[$1] ?? 0) }
    }

    /// SPEC section 4's bed rules: every patient with an offering hospital designated once,
    /// there; every booking inside its window at a hospital with respite beds, and no night
    /// with more stays than beds.
    func expectWithinRules(_ instance: Instance, _ designations: [Designation], _ respite: [RespiteBooking]) {
        for patient in instance.patients where instance.hospitals.contains(where: { $0.beds(patient.needs.bedKind) > 0 }) {
            let mine = designations.filter { $0.patient == patient.id }
            #expect(mine.count == 1, "patient \(patient.id): \(mine.count) designations")
            if let d = mine.first, let hospital = instance.hospitals.first(where: { $0.id == d.hospital }) {
                #expect(hospital.beds(patient.needs.bedKind) > 0)
            }
        }
        var nights: [String: Int] = [:]
        for booking in respite {
            let request = instance.respiteRequests.first { $0.id == booking.request }!
            let hospital = instance.hospitals.first { $0.id == booking.hospital }!
            #expect(booking.start >= request.earliest && booking.start <= request.latest)
            for n in 0..<request.nights {
                let key = "\(hospital.id) \(booking.start.adding(days: n))"
                nights[key, default: 0] += 1
                #expect(nights[key]! <= hospital.beds(.respite), "\(key): more stays than beds")
            }
        }
    }

    @Test("never worse than the start, within the rules, and no single change pays", arguments: [5, 6, 7] as [UInt64])
    func localOptimum(seed: UInt64) throws {
        let loaded = try load(json: try InstanceGenerator(profile: .city, seed: seed, clinics: 60).json())
        let instance = loaded.instance
        let greedy = SharingGreedy(instance: instance)
        let start = (greedy.designations(), greedy.respite())
        var search = BedSearch(instance: instance)
        search.patience = 0  // the descent alone: its answer must be a local optimum
        let found = search.improve(designations: start.0, respite: start.1, until: ContinuousClock().now + .seconds(30))
        let best = value(instance, found.designations, found.respite)
        #expect(best <= value(instance, start.0, start.1) + 1e-9)
        expectWithinRules(instance, found.designations, found.respite)

        // No patient is better at another offering hospital.
        for (i, d) in found.designations.enumerated() {
            let patient = instance.patients.first { $0.id == d.patient }!
            for hospital in instance.hospitals where hospital.id != d.hospital && hospital.beds(patient.needs.bedKind) > 0 {
                var moved = found.designations
                moved[i] = Designation(patient: d.patient, hospital: hospital.id)
                #expect(value(instance, moved, found.respite) >= best - 1e-9, "\(d.patient) → \(hospital.id) pays")
            }
        }
        // No request is better rejected, or at another start that fits.
        for request in instance.respiteRequests {
            var others = found.respite.filter { $0.request != request.id }
            #expect(value(instance, found.designations, others) >= best - 1e-9, "rejecting \(request.id) pays")
            for hospital in instance.hospitals where hospital.beds(.respite) > 0 {
                var day = request.earliest
                while day <= request.latest {
                    let fits = (0..<request.nights).allSatisfy { n in
                        let night = day.adding(days: n)
                        let taken = others.filter { b in
                            guard b.hospital == hospital.id else { return false }
                            let r = instance.respiteRequests.first { $0.id == b.request }!
                            return b.start <= night && night < b.start.adding(days: r.nights)
                        }.count
                        return taken < hospital.beds(.respite)
                    }
                    if fits {
                        others.append(RespiteBooking(request: request.id, hospital: hospital.id, start: day))
                        #expect(value(instance, found.designations, others) >= best - 1e-9,
                                "\(request.id) at \(hospital.id) from \(day) pays")
                        others.removeLast()
                    }
                    day = day.adding(days: 1)
                }
            }
        }
    }

    /// With `cheapShare` 1 only the cheap alternatives run: their last δ is the whole need's
    /// program, so they too must end at the optimum, through every restricted program
    /// before it.
    @Test("exact neighbourhoods end at the designations' proven optimum on small networks",
          arguments: [5, 6] as [UInt64], [0, 0.5, 1] as [Double])
    func neighbourhoodsReachOptimum(seed: UInt64, cheapShare: Double) throws {
        let loaded = try load(json: try InstanceGenerator(profile: .city, seed: seed, clinics: 60).json())
        let instance = loaded.instance
        let greedy = SharingGreedy(instance: instance)
        let proven = try SharingPlanner(instance: instance, backend: GLPKBackend())
            .backupBeds(startDesignations: greedy.designations(), startRespite: [], timeLimit: 60)
        try #require(proven.optimal)
        let optimum = value(instance, proven.designations, [])
        let start = greedy.designations()
        let found = try BedSearch(instance: instance).neighbourhoods(designations: start, backend: GLPKBackend(),
                                                                     until: ContinuousClock().now + .seconds(60),
                                                                     cheapShare: cheapShare)
        expectWithinRules(instance, found, [])
        #expect(value(instance, start, []) > optimum, "the greedy start is already optimal: no test")
        #expect(abs(value(instance, found, []) - optimum) < 1e-6, "found \(value(instance, found, [])), optimum \(optimum)")
    }

    @Test("exact respite neighbourhoods end at the respite's proven optimum on small networks", arguments: [5, 6] as [UInt64])
    func respiteNeighbourhoodsReachOptimum(seed: UInt64) throws {
        let loaded = try load(json: try InstanceGenerator(profile: .city, seed: seed, clinics: 60).json())
        let instance = loaded.instance
        let greedy = SharingGreedy(instance: instance)
        // The independent path: the respite part alone, proven by branch-and-cut.
        let planner = SharingPlanner(instance: instance, backend: GLPKBackend())
        let program = try planner.bedsProgram(startDesignations: [], startRespite: greedy.respite(), parts: [.respite])
        let result = try program.model.solve(using: GLPKBackend(), options: SolveOptions(
            timeLimit: 120, relativeGap: 1e-9, cuts: [.mixedIntegerRounding, .cover], initialSolution: program.start))
        try #require(result.termination == .optimal || result.termination == .gapLimit)
        let optimum = value(instance, [], program.read(result.values).respite)
        let start = greedy.respite()
        let found = try BedSearch(instance: instance).neighbourhoods(respite: start, backend: GLPKBackend(),
                                                                     until: ContinuousClock().now + .seconds(60))
        expectWithinRules(instance, greedy.designations(), found)
        #expect(value(instance, [], start) > optimum, "the greedy start is already optimal: no test")
        #expect(abs(value(instance, [], found) - optimum) < 1e-6, "found \(value(instance, [], found)), optimum \(optimum)")
    }

    @Test("the Lagrangian heuristic designates every patient of the need, no better than the optimum and no worse than the unpriced choice",
          arguments: [5, 6] as [UInt64])
    func lagrangianDesignations(seed: UInt64) throws {
        let loaded = try load(json: try InstanceGenerator(profile: .city, seed: seed, clinics: 60).json())
        let instance = loaded.instance
        let greedy = SharingGreedy(instance: instance)
        let proven = try SharingPlanner(instance: instance, backend: GLPKBackend())
            .backupBeds(startDesignations: greedy.designations(), startRespite: [], timeLimit: 60)
        try #require(proven.provenParts.contains(.designations(.acute)))
        let acute = Set(instance.patients.filter { $0.needs == .acute }.map(\.id))
        let optimum = value(instance, proven.designations.filter { acute.contains($0.patient) }, [])
        let found = BedBounds(instance: instance).lagrangianDesignations(target: optimum, iterations: 300, needs: [.acute])
        #expect(Set(found.map(\.patient)) == acute)
        expectWithinRules(instance, found + proven.designations.filter { !acute.contains($0.patient) }, [])
        #expect(value(instance, found, []) >= optimum - 1e-6)
        // The first step's prices are all 0: every patient at its cheapest offering hospital
        // (the first such in the instance's order), overloads and all.
        let w = instance.weights
        let unpriced = instance.patients.filter { $0.needs == .acute }.compactMap { patient -> Designation? in
            let block = instance.block(ofClinic: patient.clinic)
            let offering = instance.hospitals.filter { $0.beds(.acute) > 0 }
            let cheapest = offering.min { a, b in
                func cost(_ h: Hospital) -> Double {
                    w[.bedDistance] * Double(instance.distance(block, h.block)) + (h.group.contains(patient.clinic) ? 0 : w[.outsideGroup])
                }
                return cost(a) < cost(b)
            }
            return cheapest.map { Designation(patient: patient.id, hospital: $0.id) }
        }
        #expect(value(instance, found, []) <= value(instance, unpriced, []) + 1e-6)
        #expect(value(instance, found, []) < value(instance, unpriced, []), "the prices never helped: no test")
    }

    @Test("the respite's neighbourhoods beside: run once the other core is free, never when it stays busy")
    func respiteAside() throws {
        let loaded = try load(json: try InstanceGenerator(profile: .city, seed: 5, clinics: 60).json())
        let instance = loaded.instance
        let greedy = SharingGreedy(instance: instance)
        let start = greedy.respite()
        let search = BedSearch(instance: instance)
        let clock = ContinuousClock()
        // Busy until the wait is over: the search never starts, and the respite stays here.
        let busy = SharingPlanner.RespiteAside(search: search, from: start, backend: GLPKBackend(),
                                               waitUntil: clock.now + .milliseconds(100), until: clock.now + .seconds(5),
                                               secondCoreFree: { false })
        Thread.sleep(forTimeInterval: 0.2)
        #expect(busy.finish() == nil)
        // Free: the same answer as the neighbourhoods run here.
        let free = SharingPlanner.RespiteAside(search: search, from: start, backend: GLPKBackend(),
                                               waitUntil: clock.now + .seconds(5), until: clock.now + .seconds(60),
                                               secondCoreFree: { true })
        Thread.sleep(forTimeInterval: 0.2)
        let finish = try #require(free.finish())
        let found = finish()
        let here = try search.neighbourhoods(respite: start, backend: GLPKBackend(), until: clock.now + .seconds(60))
        expectWithinRules(instance, greedy.designations(), found)
        #expect(value(instance, [], found) < value(instance, [], start))
        #expect(abs(value(instance, [], found) - value(instance, [], here)) < 1e-6)
    }

    @Test("the cheap alternatives' steps: every difference between two choices' costs, ascending")
    func costSteps() throws {
        // One acute patient of clinic c1 (block west, in h1's and h2's group only). West
        // neighbours mid; east is next to neither, so its distance from west is 3. Choices
        // (weights outsideGroup 5, bedDistance 2): h1 west 0; h2 mid 2·1 = 2; h3 west,
        // outside the group, 5; h4 east, outside, 5 + 2·3 = 11; h5 offers no acute bed.
        // Costs {0, 2, 5, 11}: differences 2, 3, 5, 6, 9, 11.
        let loaded = try load(json: """
        { "format": "rinban/1", "period": { "start": "2027-03-01", "end": "2027-03-10" },
          "blocks": [ { "id": "west", "neighbors": ["mid"] }, { "id": "mid" }, { "id": "east" } ],
          "clinics": [ { "id": "c1", "block": "west" }, { "id": "c2", "block": "east" } ],
          "physicians": [ { "id": "p1", "clinic": "c1" } ],
          "beds": { "hospitals": [
              { "id": "h1", "block": "west", "group": ["c1"], "beds": { "acute": 1 } },
              { "id": "h2", "block": "mid", "group": ["c1"], "beds": { "acute": 1 } },
              { "id": "h3", "block": "west", "group": ["c2"], "beds": { "acute": 1 } },
              { "id": "h4", "block": "east", "group": ["c2"], "beds": { "acute": 1 } },
              { "id": "h5", "block": "west", "group": ["c1"], "beds": { "palliative": 1 } } ],
            "patients": [ { "id": "a", "clinic": "c1", "needs": "acute", "risk": 0.5 } ] } }
        """)
        let table = BedSearch.DesignationTable(instance: loaded.instance)
        #expect(table.cost[0] == [0, 2, 5, 11, .infinity])
        #expect(table.offered[0] == [0, 1, 2, 3])
        #expect(table.costSteps(of: [0]) == [2, 3, 5, 6, 9, 11])
        #expect(table.costSteps(of: []) == [])
    }

    @Test("a swap that no single move finds: two patients trade hospitals")
    func swap() throws {
        // Two hospitals of one acute bed each, in the two blocks. Patient a (risk 1.0) is in
        // the north, b (risk 0.5) in the south; the start puts a south and b north. Moving
        // either alone overloads the other hospital (100 × 0.5 or 100 × 1.0 against a saving
        // of 2 × distance 1); trading places removes both distances: 2 + 2 → 0.
        let loaded = try load(json: """
        { "format": "rinban/1", "period": { "start": "2027-03-01", "end": "2027-03-10" },
          "blocks": [ { "id": "north", "neighbors": ["south"] }, { "id": "south" } ],
          "clinics": [ { "id": "c1", "block": "north" }, { "id": "c2", "block": "south" } ],
          "physicians": [ { "id": "p1", "clinic": "c1" } ],
          "beds": { "hospitals": [
              { "id": "hn", "block": "north", "group": ["c1", "c2"], "beds": { "acute": 1 } },
              { "id": "hs", "block": "south", "group": ["c1", "c2"], "beds": { "acute": 1 } } ],
            "patients": [ { "id": "a", "clinic": "c1", "needs": "acute", "risk": 1.0 },
                          { "id": "b", "clinic": "c2", "needs": "acute", "risk": 0.5 } ] } }
        """)
        let instance = loaded.instance
        let start = [Designation(patient: "a", hospital: "hs"), Designation(patient: "b", hospital: "hn")]
        #expect(value(instance, start, []) == 4)
        var search = BedSearch(instance: instance)
        search.patience = 0
        let found = search.improve(designations: start, until: ContinuousClock().now + .seconds(5))
        #expect(Set(found.map { "\($0.patient)@\($0.hospital)" }) == ["a@hn", "b@hs"])
        #expect(value(instance, found, []) == 0)
    }

    @Test("a request takes a full start by moving the booking that holds it")
    func displacement() throws {
        // One respite bed. q1 (priority 1, 2 nights, from the 1st or the 2nd) holds the 1st–2nd;
        // q2 (priority 3, 1 night, only the 1st) is rejected: 150. Moving q1 to the 2nd
        // (delay 1) frees the 1st for q2: 0 + 1 + 0 = 1.
        let loaded = try load(json: """
        { "format": "rinban/1", "period": { "start": "2027-03-01", "end": "2027-03-10" },
          "blocks": [ { "id": "north" } ],
          "clinics": [ { "id": "c1", "block": "north" } ],
          "physicians": [ { "id": "p1", "clinic": "c1" } ],
          "beds": { "hospitals": [ { "id": "h", "block": "north", "group": ["c1"], "beds": { "respite": 1 } } ],
            "respite": [
              { "id": "q1", "clinic": "c1", "nights": 2, "earliest": "2027-03-01", "latest": "2027-03-02", "priority": 1 },
              { "id": "q2", "clinic": "c1", "nights": 1, "earliest": "2027-03-01", "latest": "2027-03-01", "priority": 3 } ] } }
        """)
        let instance = loaded.instance
        let day1 = CivilDate(year: 2027, month: 3, day: 1)!, day2 = CivilDate(year: 2027, month: 3, day: 2)!
        let start = [RespiteBooking(request: "q1", hospital: "h", start: day1)]
        #expect(value(instance, [], start) == 150)
        let found = BedSearch(instance: instance).improve(respite: start, until: ContinuousClock().now + .seconds(5))
        #expect(Set(found.map { "\($0.request)@\($0.start)" }) == ["q1@\(day2)", "q2@\(day1)"])
        #expect(value(instance, [], found) == 1)
    }
}
