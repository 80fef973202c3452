// rinban's pipeline on every bundled instance (`instances/*.json` of the main package).
//
// Per instance:
//   load            DocumentReader.parse + InstanceDecoder.decode (slots and eligibility included)
//   greedy          GreedyRotaBuilder as `--engine greedy` runs it (construction, then the
//                   reassignment and swap moves until none improves, at most 5 s)
//   rota model      RotaFormulation over the whole rota (every pair free except the pinned ones)
//   GLPK cold       branch-and-cut on that model with no start, 20 s limit (gap 1e-6)
//   GLPK warm       the same from the greedy plan (what `--engine glpk` does)
//   deputies greedy DeputyProblem + its greedy designation (instances with home-care patients)
//   deputies GLPK   the deputy program from the greedy designation, 20 s limit (what `plan` does);
//                   its wall clock with gap 0 is the time to proven optimality
//
// The solves record custom metrics besides wall clock and peak memory:
//   first incumbent (ms)   when GLPK's own search first found an integer solution (cold runs;
//                          absent when it found none within the limit)
//   gap at end (0.01%)     (incumbent − bound) / |incumbent| when the solve stopped, in hundredths
//                          of a percent: 0 means proven optimal (absent without incumbent or bound)
//   objective (×100)       the incumbent's objective, times 100
// so "time to optimality" is the wall clock of a run whose gap is 0, and "gap at a fixed limit"
// is the gap of a run that took the whole 20 s.

import Benchmark
import Foundation
import MIP
import MIPGLPK
import RinbanCore
import RinbanPlanning
import Synchronization

/// The main package's bundled instances, found from this file's path.
let instanceDirectory = URL(fileURLWithPath: #filePath)
    .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent().appendingPathComponent("instances")

let bundledNames: [String] = {
    let names = (try? FileManager.default.contentsOfDirectory(atPath: instanceDirectory.path)) ?? []
    return names.filter { $0.hasSuffix(".json") }.map { String($0.dropLast(5)) }.sorted()
}()

/// Seconds each branch-and-cut may take.
let solveLimit = 20.0

/// One bundled instance and the inputs of every stage, made on first use.
final class BundledFixture: Sendable {
    let name: String
    let bytes: [UInt8]
    let loaded: LoadedInstance
    let problem: RotaProblem
    let free: [Int]

    init(name: String) {
        self.name = name
        do {
            bytes = Array(try Data(contentsOf: instanceDirectory.appendingPathComponent(name + ".json")))
            loaded = try InstanceDecoder.decode(DocumentReader.parse(bytes, format: .json))
        } catch {
            fatalError("loading instance \(name) failed: \(error)")
        }
        problem = RotaProblem(loaded: loaded)
        let pinned = Set(problem.pinned)
        free = problem.pairs.indices.filter { !pinned.contains($0) }
    }

    func formulation() throws -> RotaFormulation {
        try RotaFormulation(problem: problem, free: free, fixed: problem.pinned)
    }
}

/// Fixtures by name, each built once, when the first benchmark of that instance runs.
let fixtures = Mutex<[String: BundledFixture]>([:])

func fixture(_ name: String) -> BundledFixture {
    fixtures.withLock { table in
        if let made = table[name] { return made }
        let made = BundledFixture(name: name)
        table[name] = made
        return made
    }
}

let firstIncumbent = BenchmarkMetric.custom("first incumbent (ms)", polarity: .prefersSmaller, useScalingFactor: false)
let gapAtEnd = BenchmarkMetric.custom("gap at end (0.01%)", polarity: .prefersSmaller, useScalingFactor: false)
let objectiveTimes100 = BenchmarkMetric.custom("objective (x100)", polarity: .prefersSmaller, useScalingFactor: false)

/// Solves the whole rota once and records the custom metrics.
func solveRota(_ benchmark: Benchmark, _ fixture: BundledFixture, warm: Bool) throws {
    let formulation = try fixture.formulation()
    var options = SolveOptions(timeLimit: solveLimit, relativeGap: 1e-6)
    options.cuts = [.mixedIntegerRounding, .clique]
    if warm {
        options.initialSolution = formulation.values(for: GreedyRotaBuilder(problem: fixture.problem).build())
    }
    let first = Mutex<Double?>(nil)
    options.progressInterval = 3600
    options.progress = { progress in
        if progress.incumbent != nil { first.withLock { if $0 == nil { $0 = progress.elapsed } } }
    }
    benchmark.startMeasurement()
    let result = try formulation.model.solve(using: GLPKBackend(), options: options)
    benchmark.stopMeasurement()
    if !warm, let seconds = first.withLock({ $0 }) { benchmark.measurement(firstIncumbent, Int((seconds * 1000).rounded())) }
    if let gap = result.relativeGap { benchmark.measurement(gapAtEnd, Int((gap * 10_000).rounded())) }
    if result.hasSolution, let objective = result.objective {
        benchmark.measurement(objectiveTimes100, Int((objective * 100).rounded()))
    }
}

/// Solves the deputy designation once, as `rinban plan` does, and records the custom metrics.
func solveDeputies(_ benchmark: Benchmark, _ fixture: BundledFixture) throws {
    benchmark.startMeasurement()
    let problem = DeputyProblem(instance: fixture.loaded.instance)
    let outcome = try DeputyPlanner(problem: problem, backend: GLPKBackend()).plan(timeLimit: solveLimit)
    benchmark.stopMeasurement()
    let total = problem.weightedTotal(outcome.deputy)
    benchmark.measurement(gapAtEnd, Int(((total - outcome.bound) / max(abs(total), 1) * 10_000).rounded()))
    benchmark.measurement(objectiveTimes100, Int((total * 100).rounded()))
}

let benchmarks: @Sendable () -> Void = {
    let quick = Benchmark.Configuration(
        metrics: [.wallClock, .mallocCountTotal, .peakMemoryResident],
        timeUnits: .microseconds,
        units: [.mallocCountTotal: .count],
        warmupIterations: 1,
        maxDuration: .seconds(3),
        maxIterations: 10
    )
    let solve = Benchmark.Configuration(
        metrics: [.wallClock, .peakMemoryResident, firstIncumbent, gapAtEnd, objectiveTimes100],
        timeUnits: .milliseconds,
        units: [firstIncumbent: .count, gapAtEnd: .count, objectiveTimes100: .count],
        warmupIterations: 0,
        maxDuration: .seconds(Int(solveLimit) + 30),
        maxIterations: 1
    )
    for name in bundledNames {
        Benchmark("load \(name)", configuration: quick, closure: { benchmark in
            let bytes = fixture(name).bytes
            for _ in benchmark.scaledIterations {
                blackHole(try InstanceDecoder.decode(DocumentReader.parse(bytes, format: .json)))
            }
        }, setup: { _ = fixture(name) })
        Benchmark("greedy \(name)", configuration: quick, closure: { benchmark in
            let problem = fixture(name).problem
            for _ in benchmark.scaledIterations {
                blackHole(GreedyRotaBuilder(problem: problem, improvementSeconds: 5).build())
            }
        }, setup: { _ = fixture(name) })
        Benchmark("rota model \(name)", configuration: quick, closure: { benchmark in
            let made = fixture(name)
            for _ in benchmark.scaledIterations { blackHole(try made.formulation()) }
        }, setup: { _ = fixture(name) })
        Benchmark("GLPK cold \(name)", configuration: solve, closure: { benchmark in
            try solveRota(benchmark, fixture(name), warm: false)
        }, setup: { _ = fixture(name) })
        Benchmark("GLPK warm \(name)", configuration: solve, closure: { benchmark in
            try solveRota(benchmark, fixture(name), warm: true)
        }, setup: { _ = fixture(name) })
        guard !fixture(name).loaded.instance.homePatients.isEmpty else { continue }
        Benchmark("deputies greedy \(name)", configuration: quick, closure: { benchmark in
            let instance = fixture(name).loaded.instance
            for _ in benchmark.scaledIterations { blackHole(DeputyProblem(instance: instance).greedy()) }
        }, setup: { _ = fixture(name) })
        Benchmark("deputies GLPK \(name)", configuration: solve, closure: { benchmark in
            try solveDeputies(benchmark, fixture(name))
        }, setup: { _ = fixture(name) })
    }
}
