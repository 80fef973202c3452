// Scaling study of rinban's planning pipeline on generated city instances.
//
// For 30, 100, 300 and 1000 clinics, one instance is generated with
// `InstanceGenerator(profile: .city, seed: 2027, clinics: n, period: 2027-09)`. The
// generation (and the JSON text) happens once per size in the setup hook, outside every
// measured iteration. Four stages are timed separately:
//
//   parse+validate  DocumentReader.parse (JSON) + InstanceDecoder.decode
//                   (decode also derives the slot table and eligibility index)
//   slots+eligibility  SlotTable(instance:) + EligibilityIndex(instance:slots:)
//   rota model      RotaProblem(loaded:) + RotaFormulation over every pair except the pinned ones
//   greedy          GreedyRotaBuilder(improvementSeconds: 0).build(): construction only
//                   (a zero budget means the improvement loop never starts)
//   subgradient     ten steps of the rota's Lagrangian bound on one thread
//                   (RotaLagrangian.solve, maxIterations 10): every member's month solved
//                   ten times by its dynamic program, and the multipliers' updates
//
// Each stage's inputs are prepared in setup, so an iteration covers only its own stage.

import Benchmark
import MIP
import RinbanCore
import RinbanPlanning
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// One generated instance and the inputs of every stage.
final class Fixture: Sendable {
    let clinics: Int
    let bytes: [UInt8]
    let loaded: LoadedInstance
    let problem: RotaProblem
    let free: [Int]

    init(clinics: Int) {
        do {
            let generator = try InstanceGenerator(
                profile: .city, seed: 2027, clinics: clinics, period: InstanceGenerator.period(month: "2027-09"))
            bytes = Array(generator.json().utf8)
            loaded = try InstanceDecoder.decode(DocumentReader.parse(bytes, format: .json))
        } catch {
            fatalError("generating/decoding the \(clinics)-clinic instance failed: \(error)")
        }
        self.clinics = clinics
        problem = RotaProblem(loaded: loaded)
        let pinned = Set(problem.pinned)
        free = problem.pairs.indices.filter { !pinned.contains($0) }
        reportShape()
    }

    /// Prints the instance's shape to stderr (for the README table). No setup hook builds a
    /// model, so the peak memory of the other stages is not inflated by one.
    func reportShape() {
        let instance = loaded.instance
        let physicians = instance.members.filter { $0.pool == .physicians }.count
        let eligible = loaded.eligibility.eligible.reduce(0) { $0 + $1.count }
        let line = "SHAPE clinics=\(clinics) bytes=\(bytes.count) members=\(instance.members.count)"
            + " physicians=\(physicians) active=\(problem.active.filter { $0 }.count)"
            + " slots=\(loaded.slots.slots.count) eligible=\(eligible) pairs=\(problem.pairs.count)"
            + " pinned=\(problem.pinned.count)"
        let text = Array((line + "\n").utf8)
        _ = text.withUnsafeBufferPointer { write(2, $0.baseAddress, $0.count) }
    }
}

// Global `let`s are initialised lazily, once, and only when a benchmark of that size runs.
let fixture30 = Fixture(clinics: 30)
let fixture100 = Fixture(clinics: 100)
let fixture300 = Fixture(clinics: 300)
let fixture1000 = Fixture(clinics: 1000)

let benchmarks: @Sendable () -> Void = {
    let configuration = Benchmark.Configuration(
        metrics: [.wallClock, .mallocCountTotal, .peakMemoryResident],
        timeUnits: .microseconds,
        units: [.mallocCountTotal: .count],
        warmupIterations: 1,
        maxDuration: .seconds(3),
        maxIterations: 10
    )

    let sizes: [(clinics: Int, fixture: @Sendable () -> Fixture)] = [
        (30, { fixture30 }), (100, { fixture100 }), (300, { fixture300 }), (1000, { fixture1000 }),
    ]
    for (clinics, fixture) in sizes {
        let tag = String(repeating: " ", count: max(0, 4 - String(clinics).count)) + "\(clinics)"
        Benchmark(
            "parse+validate \(tag) clinics",
            configuration: configuration,
            closure: { benchmark in
                let bytes = fixture().bytes
                for _ in benchmark.scaledIterations {
                    blackHole(try InstanceDecoder.decode(DocumentReader.parse(bytes, format: .json)))
                }
            },
            setup: { _ = fixture().clinics }
        )
        Benchmark(
            "slots+eligibility \(tag) clinics",
            configuration: configuration,
            closure: { benchmark in
                let instance = fixture().loaded.instance
                for _ in benchmark.scaledIterations {
                    let slots = SlotTable(instance: instance)
                    blackHole(EligibilityIndex(instance: instance, slots: slots))
                }
            },
            setup: { _ = fixture().clinics }
        )
        Benchmark(
            "rota model \(tag) clinics",
            configuration: configuration,
            closure: { benchmark in
                let loaded = fixture().loaded
                for _ in benchmark.scaledIterations {
                    let problem = RotaProblem(loaded: loaded)
                    let pinned = Set(problem.pinned)
                    let free = problem.pairs.indices.filter { !pinned.contains($0) }
                    let formulation = try RotaFormulation(problem: problem, free: free, fixed: problem.pinned)
                    blackHole(formulation)
                }
            },
            setup: { _ = fixture().clinics }
        )
        Benchmark(
            "subgradient 10 steps \(tag) clinics",
            configuration: configuration,
            closure: { benchmark in
                let problem = fixture().problem
                let lagrangian = RotaLagrangian(problem: problem)
                let upper = GreedyRotaBuilder(problem: problem, improvementSeconds: 0).build().weightedTotal
                benchmark.startMeasurement()
                for _ in benchmark.scaledIterations {
                    blackHole(lagrangian.solve(upperBound: upper, seconds: 600, maxIterations: 10))
                }
                benchmark.stopMeasurement()
            },
            setup: { _ = fixture().clinics }
        )
        Benchmark(
            "greedy construction \(tag) clinics",
            configuration: configuration,
            closure: { benchmark in
                let problem = fixture().problem
                for _ in benchmark.scaledIterations {
                    blackHole(GreedyRotaBuilder(problem: problem, improvementSeconds: 0).build())
                }
            },
            setup: { _ = fixture().clinics }
        )
    }
}
