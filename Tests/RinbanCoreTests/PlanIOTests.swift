import Foundation
@testable import RinbanCore
import Testing

/// Reads plan text (JSON unless told otherwise).
func readPlan(_ text: String, format: DocumentFormat = .json) throws(InputError) -> Plan {
    try PlanReader.decode(DocumentReader.parse(Array(text.utf8), format: format))
}

/// The errors of an unreadable plan as "path: message" lines (records an issue if it reads).
func planErrors(_ text: String, sourceLocation: SourceLocation = #_sourceLocation) -> [String] {
    do {
        _ = try readPlan(text)
        Issue.record("expected the plan to be refused", sourceLocation: sourceLocation)
        return []
    } catch {
        return error.issues.filter { $0.severity == .error }.map { "\($0.path): \($0.message)" }
    }
}

func day(_ text: String) -> CivilDate { CivilDate(iso: text)! }

/// A small plan touching every field.
let samplePlan = Plan(
    period: Period(start: day("2027-01-01"), end: day("2027-01-14")),
    assignments: [
        Assignment(duty: "substitute", area: "north", date: day("2027-01-01"), shift: "night", member: "p01"),
        Assignment(duty: "eol-nurse", area: "all", date: day("2027-01-09"), shift: "night", member: "s02"),
    ],
    uncovered: [
        UncoveredSlot(duty: "substitute", area: "west", date: day("2027-01-03"), shift: "day", missing: 1,
                      reason: "全員 \"休み\"\n二行目\t\\ \u{01}"),
        UncoveredSlot(duty: "eol", area: "all", date: day("2027-01-10"), shift: "night", missing: 2),
    ],
    placements: [Placement(item: "t1", station: "s02")],
    designations: [Designation(patient: "r1", hospital: "h1")],
    respite: [RespiteBooking(request: "q3", hospital: "h1", start: day("2027-01-04"))],
    deputies: [DeputyDesignation(patient: "hp1", deputy: "p02")],
    objective: PlanObjective(total: 61995.833333333336, terms: [
        .uncovered: 60, .fairness: 84.65, .stability: 0, .loadMax: 100.0 / 3, .bedOverload: 1e-7, .respiteDelay: 123456789.5,
    ]),
    solver: SolverReport(engine: "glpk", status: "gapLimit", bound: 61000.125, gap: 0.016051, seconds: 12.5))

@Suite("Plan files: reading and writing")
struct PlanIOTests {
    @Test("the writer's text is fixed: key order, one entry per line, terms in the enum's order")
    func exactText() {
        var plan = samplePlan
        plan.uncovered[0].reason = "全員休み"
        plan.objective!.terms = [.respiteDelay: 3, .fairness: 84.65, .uncovered: 60]
        plan.solver = SolverReport(engine: "greedy", status: "heuristic", bound: nil, gap: nil, seconds: 0.25)
        #expect(PlanWriter.json(plan) == """
            {
              "format": "rinban-plan/1",
              "period": { "start": "2027-01-01", "end": "2027-01-14" },
              "assignments": [
                { "duty": "substitute", "area": "north", "date": "2027-01-01", "shift": "night", "member": "p01" },
                { "duty": "eol-nurse", "area": "all", "date": "2027-01-09", "shift": "night", "member": "s02" }
              ],
              "uncovered": [
                { "duty": "substitute", "area": "west", "date": "2027-01-03", "shift": "day", "missing": 1, "reason": "全員休み" },
                { "duty": "eol", "area": "all", "date": "2027-01-10", "shift": "night", "missing": 2 }
              ],
              "placements": [
                { "item": "t1", "station": "s02" }
              ],
              "designations": [
                { "patient": "r1", "hospital": "h1" }
              ],
              "respite": [
                { "request": "q3", "hospital": "h1", "start": "2027-01-04" }
              ],
              "deputies": [
                { "patient": "hp1", "deputy": "p02" }
              ],
              "objective": {
                "total": 61995.833333333336,
                "terms": {
                  "uncovered": 60,
                  "fairness": 84.65,
                  "respiteDelay": 3
                }
              },
              "solver": { "engine": "greedy", "status": "heuristic", "bound": null, "gap": null, "seconds": 0.25 }
            }

            """)
    }

    @Test("empty lists stay lists; no objective or solver means no such keys")
    func emptyPlan() throws {
        let plan = Plan(period: Period(start: day("2027-01-01"), end: day("2027-01-02")))
        #expect(PlanWriter.json(plan) == """
            {
              "format": "rinban-plan/1",
              "period": { "start": "2027-01-01", "end": "2027-01-02" },
              "assignments": [],
              "uncovered": [],
              "placements": [],
              "designations": [],
              "respite": [],
              "deputies": []
            }

            """)
        #expect(try readPlan(PlanWriter.json(plan)) == plan)
    }

    @Test("numbers: whole numbers without a fraction, others in the shortest exact form")
    func numbers() throws {
        #expect(PlanWriter.number(3) == "3")
        #expect(PlanWriter.number(-2) == "-2")
        #expect(PlanWriter.number(-0.0) == "0")
        #expect(PlanWriter.number(12.5) == "12.5")
        #expect(PlanWriter.number(0.1) == "0.1")
        #expect(PlanWriter.number(1.0 / 3) == "0.3333333333333333")  // 16 significant digits
        #expect(PlanWriter.number(1e-7) == "1e-07")
        #expect(PlanWriter.number(1e15) == "1000000000000000")
        #expect(PlanWriter.number(1e16) == "1e+16")
        #expect(PlanWriter.number(123456789.5) == "123456789.5")
        // Every form reads back as the same Double.
        for value in [1.0 / 3, 1e-7, 1e15, 2.0 / 7 * 1e6, 0.1 + 0.2] {
            let text = "{\"format\":\"rinban-plan/1\",\"period\":{\"start\":\"2027-01-01\",\"end\":\"2027-01-01\"},\"assignments\":[],\"placements\":[],\"designations\":[],\"respite\":[],\"objective\":{\"total\":\(PlanWriter.number(value)),\"terms\":{}}}"
            #expect(try readPlan(text).objective?.total == value)
        }
    }

    @Test("reading what the writer wrote gives back an equal plan")
    func roundTrip() throws {
        #expect(try readPlan(PlanWriter.json(samplePlan)) == samplePlan)
        var bare = samplePlan
        bare.objective = nil
        bare.solver = SolverReport(engine: "greedy", status: "heuristic", bound: nil, gap: nil, seconds: 0)
        #expect(try readPlan(PlanWriter.json(bare)) == bare)
    }

    @Test("write(to:) replaces the file whole, and load reads it back")
    func writeFile() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("rinban-plan-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = folder.appendingPathComponent("plan.json").path
        try "old".write(toFile: path, atomically: false, encoding: .utf8)
        try PlanWriter.write(samplePlan, to: path)
        #expect(try PlanReader.load(contentsOf: path) == samplePlan)
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path) == ["plan.json"])  // no temporary left
    }

    @Test("a hand-made plan may leave out uncovered, objective and solver")
    func optionalSections() throws {
        let plan = try readPlan("""
            { "format": "rinban-plan/1", "period": { "start": "2027-01-04", "end": "2027-01-10" },
              "assignments": [ { "duty": "sub", "area": "north", "date": "2027-01-04", "shift": "night", "member": "p1" } ],
              "placements": [], "designations": [], "respite": [] }
            """)
        #expect(plan.assignments.count == 1)
        #expect(plan.uncovered.isEmpty)
        #expect(plan.objective == nil)
        #expect(plan.solver == nil)
    }

    @Test("YAML reads as the same plan")
    func yaml() throws {
        let plan = try readPlan("""
            format: rinban-plan/1
            period: { start: 2027-01-04, end: 2027-01-10 }
            assignments:
              - { duty: sub, area: north, date: 2027-01-04, shift: night, member: p1 }
            uncovered:
              - { duty: sub, area: south, date: 2027-01-04, shift: night, missing: 1, reason: 誰もいない }
            placements: [ { item: t1, station: s1 } ]
            designations: [ { patient: r1, hospital: h1 } ]
            respite: []
            objective: { total: 1000.5, terms: { uncovered: 1, fairness: 0.05 } }
            solver: { engine: glpk, status: optimal, bound: 1000.5, gap: 0, seconds: 0.2 }
            """, format: .yaml)
        #expect(plan.period == Period(start: day("2027-01-04"), end: day("2027-01-10")))
        #expect(plan.assignments == [Assignment(duty: "sub", area: "north", date: day("2027-01-04"), shift: "night", member: "p1")])
        #expect(plan.uncovered.first?.reason == "誰もいない")
        #expect(plan.objective == PlanObjective(total: 1000.5, terms: [.uncovered: 1, .fairness: 0.05]))
        #expect(plan.solver == SolverReport(engine: "glpk", status: "optimal", bound: 1000.5, gap: 0, seconds: 0.2))
    }

    @Test("unknown keys are errors at their paths, with a suggestion for a near miss")
    func unknownKeys() {
        let errors = planErrors("""
            { "format": "rinban-plan/1", "period": { "start": "2027-01-04", "end": "2027-01-10" },
              "assigments": [],
              "placements": [ { "item": "t1", "station": "s1", "note": "x" } ], "designations": [], "respite": [],
              "objective": { "total": 1, "terms": { "fairnes": 1 } } }
            """)
        // Document order: the missing list is reported at the top object's position.
        #expect(errors == [
            "assignments: missing \"assignments\"",
            "assigments: unknown key \"assigments\" (did you mean \"assignments\"?)",
            "placements[0].note: unknown key \"note\"",
            "objective.terms.fairnes: unknown key \"fairnes\" (did you mean \"fairness\"?)",
        ])
    }

    @Test("every problem is reported with its path")
    func badValues() {
        let errors = planErrors("""
            { "format": "rinban-plan/1", "period": { "start": "2027-01-10", "end": "2027-01-04" },
              "assignments": [ { "duty": "sub", "area": "north", "date": "2027-13-01", "shift": "night", "member": "" },
                               { "duty": "sub", "area": "north", "date": "2027-01-05", "shift": "night" } ],
              "uncovered": [ { "duty": "sub", "area": "north", "date": "2027-01-05", "shift": "night", "missing": 1.5 } ],
              "placements": {}, "designations": [ { "patient": "r1", "hospital": 7 } ], "respite": [],
              "objective": { "total": "12", "terms": { "uncovered": 1 } },
              "solver": { "engine": "glpk", "status": "optimal", "bound": null, "seconds": -1 } }
            """)
        #expect(errors == [
            "period.end: the period ends (2027-01-04) before it starts (2027-01-10)",
            "assignments[0].date: \"2027-13-01\" is not a date (YYYY-MM-DD)",
            "assignments[0].member: an id must not be empty",
            "assignments[1].member: missing \"member\"",
            "uncovered[0].missing: expected a whole number, found 1.5",
            "placements: expected a list, found an object",
            "designations[0].hospital: expected text, found a number",
            "objective.total: expected a number, found a string",
            "solver.seconds: -1 is out of range: must be ≥ 0",
        ])
    }

    @Test("the format tag is checked; an instance given as the plan gets one clear message")
    func formatTag() {
        #expect(planErrors("""
            { "format": "rinban-plan/2", "period": { "start": "2027-01-04", "end": "2027-01-10" },
              "assignments": [], "placements": [], "designations": [], "respite": [] }
            """) == ["format: format is \"rinban-plan/2\"; this version of rinban reads plans in \"rinban-plan/1\""])
        #expect(planErrors(baseInstance) == [
            "format: this is an instance (rinban/1), not a plan (rinban-plan/1); give the instance first, then the plan",
        ])
    }
}
