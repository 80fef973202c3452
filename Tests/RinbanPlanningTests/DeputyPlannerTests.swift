import Foundation
import MIP
import MIPGLPK
import RinbanCore
@testable import RinbanPlanning
import Testing

/// The hand-worked deputies network of RinbanCoreTests/DeputyTests.swift.
let deputiesPath = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .appendingPathComponent("RinbanCoreTests/Fixtures/deputies.json").path

/// The member ids of a choice, per patient ("-" for none).
func ids(_ deputy: [MemberIndex?], _ instance: Instance) -> [String] {
    deputy.map { $0.map { instance.members[$0].id.rawValue } ?? "-" }
}

@Suite("Patient deputies: the program and the greedy")
struct DeputyPlannerTests {
    // Every eligible pair of the fixture shares one both-away date, h2's previous deputy is
    // not eligible, h3 has no candidate. Of the seven cap-respecting choices (worked out in
    // DeputyTests), h1 p2 · h2 p3 · h4 p1 is the unique optimum: 500 + 10 + 9 + 2 + 5 × 1.8 = 530;
    // next best h1 p2 · h2 p1 · h4 p1 (538: fairness 3.8).
    @Test("the program proves the optimum worked out by hand; the greedy reaches it too")
    func handOptimum() throws {
        let loaded = try InstanceDecoder.load(contentsOf: deputiesPath)
        let problem = DeputyProblem(instance: loaded.instance)
        #expect(problem.candidates.map { $0.map(\.member) } == [[1, 2], [0, 2], [], [0, 1]])
        let outcome = try DeputyPlanner(problem: problem, backend: GLPKBackend()).plan(timeLimit: 10)
        #expect(ids(outcome.deputy, loaded.instance) == ["p2", "p3", "-", "p1"])
        #expect(outcome.optimal)
        #expect(abs(outcome.bound - 530) < 1e-6)
        #expect(abs(problem.weightedTotal(outcome.deputy) - 530) < 1e-9)
        #expect(ids(problem.greedy(), loaded.instance) == ["p2", "p3", "-", "p1"])
        // The counting bound ignores caps and fairness: 500 + 10 + 3 × (3 + 0) − nothing else = 519.
        #expect(abs(problem.countingBound() - 519) < 1e-9)
    }

    @Test("the fairness envelope is the convex hull at whole counts: the relaxation cannot split a patient (pitfall P1)")
    func tightRelaxation() throws {
        // One patient, two equal candidates with t = 0.5 each. Whole counts give 1 and 0:
        // fairness 0.5 + 0.5 = 1, weighted 5. With d ≥ |n − t| alone the relaxation would
        // take half of each (n = t, fairness 0, objective 0); the chord rows keep it at 5.
        let loaded = try load(json: """
            { "format": "rinban/1", "period": { "start": "2027-01-04", "end": "2027-01-10" },
              "blocks": [ { "id": "b" } ],
              "clinics": [ { "id": "c1", "block": "b" }, { "id": "c2", "block": "b" }, { "id": "c3", "block": "b" } ],
              "physicians": [ { "id": "p1", "clinic": "c1", "share": 0 }, { "id": "p2", "clinic": "c2" }, { "id": "p3", "clinic": "c3" } ],
              "deputies": { "patients": [ { "id": "h1", "attending": "p1" } ] } }
            """)
        let planner = DeputyPlanner(problem: DeputyProblem(instance: loaded.instance), backend: GLPKBackend())
        let relaxed = try planner.formulation().model.relaxation().solve(using: GLPKBackend(), options: SolveOptions())
        let objective = try #require(relaxed.objective)
        #expect(abs(objective - 5) < 1e-9, "relaxation \(objective)")
        let outcome = try planner.plan(timeLimit: 5)
        #expect(outcome.optimal && abs(outcome.bound - 5) < 1e-9)
    }

    @Test("fixed patients stay; a preferred deputy moves only when that gains more than the preference")
    func fixedAndPreferred() throws {
        let loaded = try InstanceDecoder.load(contentsOf: deputiesPath)
        let problem = DeputyProblem(instance: loaded.instance)
        let planner = DeputyPlanner(problem: problem, backend: GLPKBackend())
        // h4 fixed at p2 (its cap is then used up): h1 must go to p3.
        let fixed = try planner.plan(timeLimit: 10, fixed: [3: 1])
        #expect(ids(fixed.deputy, loaded.instance) == ["p3", "p1", "-", "p2"] || ids(fixed.deputy, loaded.instance) == ["p3", "p3", "-", "p2"])
        #expect(fixed.deputy[3] == 1 && fixed.deputy[0] == 2)
        // Preferring h2 at p1 (538 instead of 530) for 0.001 does not keep it there.
        let preferred = try planner.plan(timeLimit: 10, preferred: [1: 0], preferenceCost: 0.001)
        #expect(ids(preferred.deputy, loaded.instance) == ["p2", "p3", "-", "p1"])
        #expect(preferred.bound <= 530 + 1e-9)
    }

    @Test("month planning with --only deputies: the plan's deputy terms equal the evaluator's, the bound includes 530")
    func monthPlan() throws {
        let loaded = try InstanceDecoder.load(contentsOf: deputiesPath)
        for only in [PlanPart.deputies, nil] {
            let outcome = try MonthPlanner.plan(loaded, MonthPlanRequest(options: RotaPlanOptions(engine: .glpk, timeLimit: 10), only: only),
                                                backend: GLPKBackend())
            let plan = outcome.plan
            #expect(plan.deputies == [DeputyDesignation(patient: "h1", deputy: "p2"), DeputyDesignation(patient: "h2", deputy: "p3"),
                                      DeputyDesignation(patient: "h4", deputy: "p1")])
            let evaluation = Evaluator(loaded).evaluate(plan)
            #expect(evaluation.isFeasible)
            #expect(evaluation.comparison?.agrees == true)
            // No duties and no stations, beds or items: the whole objective is the deputies'.
            #expect(abs(evaluation.total - 530) < 1e-6)
            if only == nil { #expect(plan.solver?.status == "optimal" && abs((plan.solver?.bound ?? 0) - 530) < 1e-6) }
        }
    }

    @Test("a cap of 0 takes the physician out of the pool; a lower cap is kept")
    func caps() throws {
        var text = try String(contentsOfFile: deputiesPath, encoding: .utf8)
        text = text.replacingOccurrences(of: #""clinic": "c3", "skills""#, with: #""clinic": "c3", "maxDeputyPatients": 0, "skills""#)
        let loaded = try load(json: text)
        let problem = DeputyProblem(instance: loaded.instance)
        #expect(!problem.pool.contains(2))
        // Without p3: h1 → p2 (cap 1), h2 → p1, h4 → p1 (p2 is full).
        let outcome = try DeputyPlanner(problem: problem, backend: GLPKBackend()).plan(timeLimit: 10)
        #expect(ids(outcome.deputy, loaded.instance) == ["p2", "p1", "-", "p1"])
        #expect(Evaluator(loaded).evaluate(Plan(period: loaded.instance.period, deputies: problem.designations(outcome.deputy))).isFeasible)
    }

    @Test("the planner's candidate lists are exactly the pairs SPEC 4b makes eligible, on every bundled instance")
    func candidatesAreEligibility() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let files = try FileManager.default.contentsOfDirectory(atPath: root.appendingPathComponent("instances").path)
            .filter { $0.hasSuffix(".json") }.map { "instances/" + $0 } + ["Tests/RinbanCoreTests/Fixtures/deputies.json"]
        var checked = 0
        for file in files {
            let instance = try InstanceDecoder.load(contentsOf: root.appendingPathComponent(file).path).instance
            let problem = DeputyProblem(instance: instance)
            for (h, patient) in instance.homePatients.enumerated() {
                #expect(problem.candidates[h].map(\.member) == instance.eligibleDeputies(for: patient), "\(file) \(patient.id)")
                let attending = instance.memberIndex[patient.attending]!
                for c in problem.candidates[h] {
                    #expect(c.bothAway == instance.wholeDayUnavailableDates(of: attending)
                                .intersection(instance.wholeDayUnavailableDates(of: c.member)).count)
                    #expect(c.distance == instance.distance(patient.block, instance.members[c.member].block))
                }
            }
            checked += instance.homePatients.count
        }
        #expect(checked > 1000)
    }

    @Test("pricing proves a restricted optimum for the whole program, or finds the pairs that improve it")
    func pricing() throws {
        let loaded = try InstanceDecoder.load(contentsOf: deputiesPath)
        let problem = DeputyProblem(instance: loaded.instance)
        // The optimum h1 p2 · h2 p3 · h4 p1 with every pair allowed: optimal.
        let all = problem.candidates.map { Set($0.map(\.member)) }
        let optimum: [MemberIndex?] = [1, 2, nil, 0]
        guard case .optimal = problem.price(optimum, allowed: all) else {
            Issue.record("the optimum was not proven")
            return
        }
        // Restricted to h2 → p1 only: h1 p2 · h2 p1 · h4 p1 (538) is the restricted optimum;
        // h2 → p3 is priced in (it leads to 530).
        var restricted = all
        restricted[1] = [0]
        guard case let .pairs(pairs) = problem.price([1, 0, nil, 0], allowed: restricted) else {
            Issue.record("no pair priced in")
            return
        }
        #expect(pairs.map { [$0.patient, $0.member] } == [[1, 2]])
        // A designation that is not optimal inside its own pairs: the exchange is returned.
        guard case let .exchange(exchange) = problem.price([1, 0, nil, 0], allowed: all) else {
            Issue.record("no exchange found")
            return
        }
        var moved: [MemberIndex?] = [1, 0, nil, 0]
        for (h, q) in exchange { moved[h] = q }
        #expect(problem.weightedTotal(moved) < 538 - 1e-9)
    }
}
