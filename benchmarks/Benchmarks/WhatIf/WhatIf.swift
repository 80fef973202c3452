// The block leaders' questions, timed on bundled data:
//
//   whatif glpk / greedy   `rinban whatif` on the Tokushima month: the published plan in
//                          examples/tokushima-2026-12.published.json (proven optimal) and one
//                          absence, examples/harada-away.yaml (Dr. 原田 away 10–12 December).
//                          One iteration = MonthPlanner.plan (rota problem with the baseline,
//                          load sharing and beds, greedy from the published rota, then GLPK).
//   cover                  `rinban cover` on the largest bundled instance (city-300-2027-09,
//                          487 physicians): tonight's member of one slot falls ill. One
//                          iteration = RotaProblem with the plan as baseline + CoverRanking,
//                          what the command does after reading its files.
//
// Reading and applying the files happens once, in setup.

import Benchmark
import Foundation
import MIP
import MIPGLPK
import RinbanCore
import RinbanPlanning

let root = URL(fileURLWithPath: #filePath)
    .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

struct WhatIfFixture: Sendable {
    let changed: LoadedInstance
    let published: Plan
    let touchesLoadSharing: Bool
    let touchesBeds: Bool

    init() {
        do {
            let instance = root.appendingPathComponent("instances/tokushima-2026-12.json").path
            let (document, _) = try DocumentReader.read(contentsOf: instance)
            published = try PlanReader.load(contentsOf: root.appendingPathComponent("examples/tokushima-2026-12.published.json").path)
            let change = try ChangeSet.load(contentsOf: root.appendingPathComponent("examples/harada-away.yaml").path)
            let applied = try change.apply(to: document, instanceFile: instance)
            changed = applied.loaded
            touchesLoadSharing = applied.touchesLoadSharing
            touchesBeds = applied.touchesBeds
        } catch {
            fatalError("what-if fixture: \(error)")
        }
    }
}

struct CoverFixture: Sendable {
    let loaded: LoadedInstance
    let plan: Plan
    let slot: Int
    let exclude: MemberIndex

    init() {
        do {
            loaded = try InstanceDecoder.load(contentsOf: root.appendingPathComponent("instances/city-300-2027-09.json").path)
            let problem = RotaProblem(loaded: loaded)
            let outcome = try RotaPlanner(problem: problem, backend: GLPKBackend()).plan(RotaPlanOptions(engine: .greedy, timeLimit: 5))
            plan = RotaPlanAssembler(problem: problem).plan(from: outcome)
            // The substitute night in the middle of the month, first area: its member falls ill.
            let middle = plan.assignments[plan.assignments.count / 2]
            let found = loaded.slots.slot(duty: middle.duty, area: middle.area, date: middle.date, shift: middle.shift)!
            slot = found.index
            exclude = loaded.instance.memberIndex[middle.member]!
            let text = "COVER slot=\(middle.duty)/\(middle.area) \(middle.date) \(middle.shift) exclude=\(middle.member) "
                + "eligible=\(loaded.eligibility.eligible[slot].count)\n"
            FileHandle.standardError.write(Data(text.utf8))
        } catch {
            fatalError("cover fixture: \(error)")
        }
    }
}

let whatIfFixture = WhatIfFixture()
let coverFixture = CoverFixture()

let benchmarks: @Sendable () -> Void = {
    let configuration = Benchmark.Configuration(
        metrics: [.wallClock, .mallocCountTotal, .peakMemoryResident],
        timeUnits: .microseconds,
        units: [.mallocCountTotal: .count],
        warmupIterations: 1,
        maxDuration: .seconds(10),
        maxIterations: 10
    )
    for engine in [RotaEngine.glpk, .greedy] {
        Benchmark("whatif \(engine.rawValue) tokushima one absence", configuration: configuration, closure: { benchmark in
            let f = whatIfFixture
            for _ in benchmark.scaledIterations {
                let scope = WhatIfScope(replanLoadSharing: f.touchesLoadSharing, replanBeds: f.touchesBeds)
                let outcome = try MonthPlanner.plan(
                    f.changed, MonthPlanRequest(options: RotaPlanOptions(engine: engine, timeLimit: 10), baseline: f.published,
                                                whatIf: scope), backend: GLPKBackend())
                blackHole(outcome)
            }
        }, setup: { _ = whatIfFixture.published })
    }
    Benchmark("cover city-300 one slot", configuration: configuration, closure: { benchmark in
        let f = coverFixture
        for _ in benchmark.scaledIterations {
            let problem = RotaProblem(loaded: f.loaded, baseline: f.plan)
            blackHole(CoverRanking(problem: problem, plan: f.plan, slot: f.slot, exclude: f.exclude))
        }
    }, setup: { _ = coverFixture.slot })
    Benchmark("cover city-300 ranking only", configuration: configuration, closure: { benchmark in
        let f = coverFixture
        let problem = RotaProblem(loaded: f.loaded, baseline: f.plan)
        benchmark.startMeasurement()
        for _ in benchmark.scaledIterations {
            blackHole(CoverRanking(problem: problem, plan: f.plan, slot: f.slot, exclude: f.exclude))
        }
        benchmark.stopMeasurement()
    }, setup: { _ = coverFixture.slot })
}
