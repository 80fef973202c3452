import MIP
import MIPGLPK
import RinbanCore
@testable import RinbanPlanning
import Testing

/// Load sharing and beds on hand-made instances whose optimum is worked out by hand.
@Suite("Load sharing and backup beds")
struct SharingPlannerTests {
    /// Two blocks (north–south neighbours), two clinics, one physician, the given extras.
    func instance(_ stations: String, _ items: String, _ beds: String) throws -> LoadedInstance {
        try load(json: """
        { "format": "rinban/1", "period": { "start": "2027-03-01", "end": "2027-03-10" },
          "blocks": [ { "id": "north", "neighbors": ["south"] }, { "id": "south" } ],
          "clinics": [ { "id": "c1", "block": "north" }, { "id": "c2", "block": "south" } ],
          "physicians": [ { "id": "p1", "clinic": "c1" } ],
          "stations": [ \(stations) ],
          "loadSharing": { "items": [ \(items) ] },
          "beds": \(beds) }
        """)
    }

    func solve(_ loaded: LoadedInstance) throws -> (SharingPlanner.Outcome, [ObjectiveTerm: Double]) {
        let outcome = try SharingPlanner(instance: loaded.instance, backend: GLPKBackend()).plan(timeLimit: 10)
        let terms = SharingGreedy(instance: loaded.instance)
            .terms(placements: outcome.placements, designations: outcome.designations, respite: outcome.respite)
        return (outcome, terms)
    }

    @Test("more load than capacity: the overflow is spread, not dumped on one station")
    func overflowSpread() throws {
        // Capacity 10 each, 8 fixed each, three new referrals of 3 visits: 25 visits for 20.
        // All on one station: 17/8, overflow 7. Split 2 + 1: 14/11, overflow 4 + 1 = 5, and the
        // busiest at 140 % — no placement does better on either term.
        let loaded = try instance(
            """
            { "id": "s1", "block": "north", "nurses": 2, "capacity": 10, "load": 8 },
            { "id": "s2", "block": "north", "nurses": 2, "capacity": 10, "load": 8 }
            """,
            """
            { "id": "i1", "from": null, "block": "north", "visits": 3 },
            { "id": "i2", "from": null, "block": "north", "visits": 3 },
            { "id": "i3", "from": null, "block": "north", "visits": 3 }
            """,
            "{}")
        let (outcome, terms) = try solve(loaded)
        #expect(outcome.optimal)
        #expect(terms[.overflow] == 5)
        #expect(abs(terms[.loadMax]! - 140) < 1e-9)
        #expect(Set(outcome.placements.map(\.station)).count == 2)
        // Weighted: 100 × 5 + 1 × 140 = 640, proven.
        #expect(abs(outcome.bound - 640) < 1e-6)
    }

    @Test("half visits: the overflow stays fractional (declared integer only where every quantity is whole)")
    func fractionalOverflow() throws {
        // s1: capacity 10, load 8; i1 (3.5 visits) may only go to its own station s1, so s1
        // ends at 11.5: overflow 1.5, busiest 115 %. s2 (whole numbers) takes i2 (2 visits),
        // 6 of 10. Weighted: 100 × 1.5 + 115 = 265. A whole overflow at s1 would read 2.
        let loaded = try instance(
            """
            { "id": "s1", "block": "north", "nurses": 2, "capacity": 10, "load": 8 },
            { "id": "s2", "block": "south", "nurses": 2, "capacity": 10, "load": 4 }
            """,
            """
            { "id": "i1", "from": "s1", "visits": 3.5, "requires": ["rare"] },
            { "id": "i2", "from": "s2", "visits": 2 }
            """,
            "{}")
        let (outcome, terms) = try solve(loaded)
        #expect(outcome.optimal)
        #expect(abs(terms[.overflow]! - 1.5) < 1e-9)
        #expect(abs(outcome.bound - 265) < 1e-6)
        let program = try #require(try SharingPlanner(instance: loaded.instance, backend: GLPKBackend())
            .loadSharingProgram(start: []))
        let kinds = Dictionary(uniqueKeysWithValues: (0..<program.model.variableCount).compactMap { j in
            program.model.name(of: Variable(index: j)).map { ($0, program.model.kinds[j]) }
        })
        #expect(kinds["o[s1]"] == .continuous)
        #expect(kinds["o[s2]"] == .integer)
    }

    @Test("the size of each bed part is the number of its program's designations or bookings")
    func bedPartSizes() throws {
        let loaded = try load(json: try InstanceGenerator(profile: .city, seed: 5, clinics: 30).json())
        let planner = SharingPlanner(instance: loaded.instance, backend: GLPKBackend())
        let greedy = SharingGreedy(instance: loaded.instance)
        let sizes = planner.bedPartSizes()
        for part in SharingPlanner.BedPart.all {
            let program = try planner.bedsProgram(startDesignations: greedy.designations(), startRespite: greedy.respite(),
                                                  parts: [part])
            let binaries = program.model.kinds.filter { $0 == .binary }.count
            #expect(sizes[part] == binaries, "\(part): \(sizes[part] ?? -1) against \(binaries) in the program")
            #expect(binaries > 0)
        }
        // 30 clinics stay far below the size where a part's program is left out.
        #expect(sizes.values.allSatisfy { $0 <= SharingPlanner.bedProgramLimit })
        #expect(planner.timeShare == 0.2)
    }

    @Test("the bed program in parts: each need's designations and the respite, proven apart, add up to the whole program's optimum",
          arguments: [5, 6] as [UInt64])
    func bedParts(seed: UInt64) throws {
        let loaded = try load(json: try InstanceGenerator(profile: .city, seed: seed, clinics: 30).json())
        let planner = SharingPlanner(instance: loaded.instance, backend: GLPKBackend())
        let greedy = SharingGreedy(instance: loaded.instance)
        let parts = try planner.backupBeds(startDesignations: greedy.designations(), startRespite: greedy.respite(),
                                           timeLimit: 60)
        try #require(parts.optimal)
        #expect(parts.provenParts == SharingPlanner.BedPart.all)
        let terms = greedy.terms(placements: [], designations: parts.designations, respite: parts.respite)
        let value = SharingPlanner.bedTerms.reduce(0) { $0 + loaded.instance.weights[$1] * (terms[$1] ?? 0) }
        #expect(abs(value - parts.bound) < 1e-6 * max(1, value))
        // The independent path: the whole program, in one piece, solved to optimality.
        let whole = try planner.bedsProgram(startDesignations: greedy.designations(), startRespite: greedy.respite())
        let result = try whole.model.solve(using: GLPKBackend(), options: SolveOptions(
            timeLimit: 120, relativeGap: 1e-9, cuts: .all, initialSolution: whole.start))
        try #require(result.termination == .optimal || result.termination == .gapLimit)
        #expect(abs(value - result.objective!) < 1e-6 * max(1, value), "parts \(value), whole \(result.objective!)")
        // With searches beside the programs on another thread: the same proven optimum.
        let beside = try planner.backupBeds(startDesignations: greedy.designations(), startRespite: greedy.respite(),
                                            timeLimit: 60, secondCoreFree: { true })
        try #require(beside.optimal)
        let besideTerms = greedy.terms(placements: [], designations: beside.designations, respite: beside.respite)
        let besideValue = SharingPlanner.bedTerms.reduce(0) { $0 + loaded.instance.weights[$1] * (besideTerms[$1] ?? 0) }
        #expect(abs(besideValue - value) < 1e-6 * max(1, value))
        #expect(beside.designations.count == loaded.instance.patients.count)
    }

    @Test("a respite request that fits only by shifting its start")
    func respiteShifted() throws {
        // One respite bed. q1 (priority 3) needs 03-01..03-03 exactly; q2 (2 nights, window
        // 03-01..03-04) fits only from 03-04: delay 3 costs 3, rejecting it 50.
        let loaded = try instance("", "", """
            { "hospitals": [ { "id": "h1", "block": "north", "group": ["c1"], "beds": { "respite": 1 } } ],
              "respite": [
                { "id": "q1", "clinic": "c1", "nights": 3, "earliest": "2027-03-01", "latest": "2027-03-01", "priority": 3 },
                { "id": "q2", "clinic": "c1", "nights": 2, "earliest": "2027-03-01", "latest": "2027-03-04" } ] }
            """)
        let (outcome, terms) = try solve(loaded)
        #expect(outcome.respite == [
            RespiteBooking(request: "q1", hospital: "h1", start: CivilDate(iso: "2027-03-01")!),
            RespiteBooking(request: "q2", hospital: "h1", start: CivilDate(iso: "2027-03-04")!),
        ])
        #expect(terms[.respiteDelay] == 3)
        #expect(terms[.respiteRejected] == 0)
    }

    @Test("a patient whose group hospital is full goes to the next hospital")
    func groupHospitalFull() throws {
        // h1 (north, group c1) pledges 1 acute bed; h2 (south, no group) 2. Two c1 patients
        // of risk 0.9: both at h1 overload by 0.8 (cost 80); one at h2 costs outside-group 5
        // + distance 1 × 2 = 7.
        let loaded = try instance("", "", """
            { "hospitals": [ { "id": "h1", "block": "north", "group": ["c1"], "beds": { "acute": 1 } },
                             { "id": "h2", "block": "south", "group": [], "beds": { "acute": 2 } } ],
              "patients": [ { "id": "r1", "clinic": "c1", "needs": "acute", "risk": 0.9 },
                            { "id": "r2", "clinic": "c1", "needs": "acute", "risk": 0.9 } ] }
            """)
        let (outcome, terms) = try solve(loaded)
        #expect(Set(outcome.designations.map(\.hospital)) == ["h1", "h2"])
        #expect(terms[.bedOverload] == 0)
        #expect(terms[.outsideGroup] == 1)
        #expect(terms[.bedDistance] == 1)
        #expect(outcome.optimal)
        #expect(abs(outcome.bound - 7) < 1e-6)
    }

    @Test("on a generated network, under every time limit, the bound stays below the answer and the optimum",
          arguments: [(300, 0.05), (300, 5), (1000, 0.5)])
    func boundBelowAnswer(clinics: Int, seconds: Double) throws {
        // 1,000 clinics: at half a second neither the relaxation nor the tree gives a bound.
        let text = try InstanceGenerator(profile: .city, seed: 3, clinics: clinics).json()
        let loaded = try load(json: text)
        let planner = SharingPlanner(instance: loaded.instance, backend: GLPKBackend())
        let outcome = try planner.plan(timeLimit: seconds)
        let greedy = SharingGreedy(instance: loaded.instance)
        let w = loaded.instance.weights
        let terms = greedy.terms(placements: outcome.placements, designations: outcome.designations, respite: outcome.respite)
        let value = terms.reduce(0) { $0 + w[$1.key] * $1.value }
        #expect(outcome.bound <= value + 1e-6 * max(1, value), "bound \(outcome.bound) above the answer \(value)")
        // Never worse than the greedy start.
        let start = greedy.terms(placements: greedy.placements(), designations: greedy.designations(), respite: greedy.respite())
        #expect(value <= start.reduce(0) { $0 + w[$1.key] * $1.value } + 1e-6)
    }

    @Test("the beds' Lagrangian bound: below the proven optimum, and close to it", arguments: [5, 6] as [UInt64])
    func bedBound(seed: UInt64) throws {
        let clinics = 60
        let text = try InstanceGenerator(profile: .city, seed: seed, clinics: clinics).json()
        let loaded = try load(json: text)
        let planner = SharingPlanner(instance: loaded.instance, backend: GLPKBackend())
        let greedy = SharingGreedy(instance: loaded.instance)
        let solved = try planner.backupBeds(startDesignations: greedy.designations(), startRespite: greedy.respite(),
                                            timeLimit: 60)
        try #require(solved.optimal)
        let terms = greedy.terms(placements: [], designations: solved.designations, respite: solved.respite)
        let optimum = SharingPlanner.bedTerms.reduce(0) { $0 + loaded.instance.weights[$1] * (terms[$1] ?? 0) }
        let bounds = BedBounds(instance: loaded.instance)
        let bound = bounds.designations(target: optimum, iterations: 300) + bounds.respite(target: optimum, iterations: 300)
        #expect(bound <= optimum + 1e-6 * max(1, optimum))
        #expect(bound >= 0.8 * optimum, "bound \(bound), optimum \(optimum)")
        // The planner's longer, more patient respite ascent is a bound too.
        let steps = SharingPlanner.respiteBoundSteps
        let patient = bounds.designations(target: optimum, iterations: 300)
            + bounds.respite(target: optimum, iterations: steps.iterations, patience: steps.patience,
                             deadline: .now + .seconds(30))
        #expect(patient <= optimum + 1e-6 * max(1, optimum))
        #expect(patient >= 0.8 * optimum, "bound \(patient), optimum \(optimum)")
        print("beds \(clinics) clinics: optimum \(optimum), Lagrangian \(bound), patient \(patient)")
    }
}
