// Benchmarks for building a `MIP.Model` and loading it into GLPK.
//
// Instances are random but fixed: a SplitMix64 generator with a constant seed picks,
// for every row, 6 distinct binary variables with coefficient 1. Even rows are
// packing rows (`Σ ≤ 1`), odd rows covering rows (`Σ ≥ 1`); the objective minimises
// Σ c_j x_j with integer c_j in 1...10 over all variables. Nothing is solved: the
// instance only has to have the right shape.
//
// The random numbers are drawn once per size, before any measurement, so the "build"
// benchmarks time the modelling API alone (Model.addVariable / addConstraint / minimize
// and the LinearExpression values passed to them), plus freeing the model at the end of
// each iteration.

import Benchmark
import MIP
import MIPGLPK

// MARK: - Deterministic instance data

/// SplitMix64 (Steele, Lea & Flood 2014): tiny, fast, and good enough to shuffle indices.
struct SplitMix64 {
    private var state: UInt64
    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// A value in 0..<bound (multiply-shift; the bias is irrelevant here).
    mutating func next(below bound: Int) -> Int {
        Int(truncatingIfNeeded: next().multipliedFullWidth(by: UInt64(bound)).high)
    }
}

/// The random choices behind one instance, drawn before any measurement.
struct Instance: Sendable {
    static let termsPerRow = 6

    let variables: Int
    let rows: Int
    /// `rows × termsPerRow` variable indices; each row's 6 are distinct.
    let rowVariables: [Int32]
    /// One objective coefficient per variable.
    let objective: [Double]

    var nonzeros: Int { rows * Self.termsPerRow }

    init(variables: Int, nonzeros: Int, seed: UInt64 = 0x5EED_0F_0B1A5) {
        precondition(nonzeros % Self.termsPerRow == 0 && variables >= Self.termsPerRow)
        self.variables = variables
        rows = nonzeros / Self.termsPerRow
        var random = SplitMix64(seed: seed)
        var indices: [Int32] = []
        indices.reserveCapacity(nonzeros)
        for _ in 0..<rows {
            let start = indices.count
            while indices.count - start < Self.termsPerRow {
                let j = Int32(random.next(below: variables))
                if !indices[start...].contains(j) { indices.append(j) }
            }
        }
        rowVariables = indices
        objective = (0..<variables).map { _ in Double(1 + random.next(below: 10)) }
    }

    /// Builds the model the way an application would: one variable at a time, one
    /// `LinearExpression` per row, names off.
    func buildModel() throws -> Model {
        var model = Model(name: "bench", keepsNames: false)
        model.reserveCapacity(variables: variables, constraints: rows, nonzeros: nonzeros)
        var x: [Variable] = []
        x.reserveCapacity(variables)
        for _ in 0..<variables {
            x.append(try model.addVariable(.binary))
        }
        for i in 0..<rows {
            var row = LinearExpression()
            row.reserveCapacity(Self.termsPerRow)
            let base = i * Self.termsPerRow
            for k in base..<(base + Self.termsPerRow) {
                row.add(x[Int(rowVariables[k])], times: 1)
            }
            try model.addConstraint(i % 2 == 0 ? row <= 1.0 : row >= 1.0)
        }
        var cost = LinearExpression()
        cost.reserveCapacity(variables)
        for j in 0..<variables {
            cost.add(x[j], times: objective[j])
        }
        try model.minimize(cost)
        return model
    }
}

// Global `let`s are initialised lazily and once; the setup hooks below touch them so
// that neither generation nor prebuilding ever lands inside a measured iteration.
let instance25k = Instance(variables: 25_000, nonzeros: 75_000)
let instance50k = Instance(variables: 50_000, nonzeros: 150_000)
let instance100k = Instance(variables: 100_000, nonzeros: 300_000)
let instance200k = Instance(variables: 200_000, nonzeros: 600_000)
let prebuilt200k: Model = {
    do { return try instance200k.buildModel() } catch { fatalError("building the 200k model failed: \(error)") }
}()

/// Checks GLPK's view of a loaded 200k/600k model.
func checkLoaded(_ size: GLPKProblemSize) {
    precondition(size.columns == 200_000, "expected 200000 columns, GLPK has \(size.columns)")
    precondition(size.nonzeros == 600_000, "expected 600000 nonzeros, GLPK has \(size.nonzeros)")
    precondition(size.rows == 100_000, "expected 100000 rows, GLPK has \(size.rows)")
    precondition(size.integers == 200_000, "expected 200000 integer columns, GLPK has \(size.integers)")
}

// MARK: - Benchmarks

let benchmarks: @Sendable () -> Void = {
    let configuration = Benchmark.Configuration(
        metrics: [.wallClock, .cpuTotal, .mallocCountTotal, .peakMemoryResident],
        timeUnits: .microseconds,
        units: [.mallocCountTotal: .count],
        warmupIterations: 1,
        maxDuration: .seconds(5),
        maxIterations: 20
    )

    Benchmark(
        "build 200k binaries / 600k nonzeros",
        configuration: configuration,
        closure: { benchmark in
            for _ in benchmark.scaledIterations {
                blackHole(try instance200k.buildModel())
            }
        },
        setup: { _ = instance200k.rows }
    )

    Benchmark(
        "build+load 200k/600k into GLPK",
        configuration: configuration,
        closure: { benchmark in
            for _ in benchmark.scaledIterations {
                let model = try instance200k.buildModel()
                let size = try GLPKBackend().load(model)
                checkLoaded(size)
                blackHole(size)
            }
        },
        setup: { _ = instance200k.rows }
    )

    Benchmark(
        "load only 200k/600k",
        configuration: configuration,
        closure: { benchmark in
            for _ in benchmark.scaledIterations {
                let size = try GLPKBackend().load(prebuilt200k)
                checkLoaded(size)
                blackHole(size)
            }
        },
        setup: { _ = prebuilt200k.variableCount }
    )

    // Build-only scaling series: each step doubles variables and non-zeros.
    let series: [(label: String, instance: @Sendable () -> Instance)] = [
        ("1/4: build 25k/75k", { instance25k }),
        ("2/4: build 50k/150k", { instance50k }),
        ("3/4: build 100k/300k", { instance100k }),
        ("4/4: build 200k/600k", { instance200k }),
    ]
    for (label, instance) in series {
        Benchmark(
            "scaling \(label)",
            configuration: configuration,
            closure: { benchmark in
                let data = instance()
                for _ in benchmark.scaledIterations {
                    blackHole(try data.buildModel())
                }
            },
            setup: { _ = instance().rows }
        )
    }
}
