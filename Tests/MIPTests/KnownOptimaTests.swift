import MIP
import MIPGLPK
import Testing

@Suite("Known optima on GLPK")
struct KnownOptimaTests {
    let backend = GLPKBackend()

    @Test("0-1 knapsack: value 15 without the first item")
    func knapsack() throws {
        let (model, take) = try KnownModels.knapsack()
        let result = try model.solve(using: backend)
        #expect(result.termination == .optimal)
        #expect(result.objective == 15)
        #expect(take.map { result.value($0) } == [0, 1, 1, 1, 1])
        #expect(model.violations(of: result.values).isEmpty)
    }

    @Test("both branching rules reach a 30-item knapsack's optimum, found by dynamic programming",
          arguments: BranchingRule.allCases)
    func branchingRules(rule: BranchingRule) throws {
        // Weights and values from a fixed linear congruential sequence; capacity half the weight.
        var seed: UInt64 = 2027
        func next(_ range: Int) -> Int {
            seed = seed &* 6364136223846793005 &+ 1442695040888963407
            return Int(seed >> 33) % range + 1
        }
        let items = (0..<30).map { _ in (weight: next(40) + 10, value: next(60) + 5) }
        let capacity = items.reduce(0) { $0 + $1.weight } / 2
        // Best value for each weight, one item at a time (0-1 knapsack).
        var best = [Int](repeating: 0, count: capacity + 1)
        for item in items {
            for w in stride(from: capacity, through: item.weight, by: -1) { best[w] = max(best[w], best[w - item.weight] + item.value) }
        }
        var model = Model(name: "knapsack-30")
        let take = try items.indices.map { try model.addVariable(.binary, name: "take_\($0)") }
        try model.addConstraint(LinearExpression(terms: zip(take, items).map { ($0, Double($1.weight)) }) <= Double(capacity),
                                name: "capacity")
        try model.maximize(LinearExpression(terms: zip(take, items).map { ($0, Double($1.value)) }))
        var options = SolveOptions(presolve: false)
        options.branching = rule
        let result = try model.solve(using: backend, options: options)
        #expect(result.termination == .optimal)
        #expect(result.objective == Double(best[capacity]))
        #expect(result.nodes > 1)
        #expect(model.violations(of: result.values).isEmpty)
    }

    @Test("3×3 assignment: cost 5, the unique optimal permutation")
    func assignment() throws {
        let (model, x) = try KnownModels.assignment()
        let result = try model.solve(using: backend)
        #expect(result.termination == .optimal)
        #expect(result.objective == 5)
        #expect(result.bound == 5)
        #expect(result.relativeGap == 0)
        let chosen = x.map { row in row.firstIndex { result.value($0) == 1 } }
        #expect(chosen == [1, 0, 2])
    }

    @Test("set cover: A and D at cost 5")
    func setCover() throws {
        let (model, pick) = try KnownModels.setCover()
        let result = try model.solve(using: backend)
        #expect(result.termination == .optimal)
        #expect(result.objective == 5)
        #expect(pick.map { result.value($0) } == [1, 0, 0, 1, 0, 0])
    }

    @Test("LP with a fractional optimum at x = y = 4/3", arguments: [true, false])
    func fractionalLP(presolve: Bool) throws {
        let (model, x, y) = try KnownModels.fractionalLP()
        let result = try model.solve(using: backend, options: SolveOptions(presolve: presolve))
        #expect(result.termination == .optimal)
        #expect(abs(result.value(x) - 4.0 / 3) < 1e-9)
        #expect(abs(result.value(y) - 4.0 / 3) < 1e-9)
        #expect(abs(result.objective! - 8.0 / 3) < 1e-9)
        #expect(result.nodes == 0)
    }

    @Test("row duals of an LP, by hand: 2 on x + y ≥ 3 and −1 on x ≤ 2", arguments: [true, false])
    func rowDuals(presolve: Bool) throws {
        // min x + 2y: x goes to its row limit 2, y makes up the rest (1); y basic gives
        // π₁ = 2, x's reduced cost 1 − π₁ − π₂ = 0 gives π₂ = −1.
        var model = Model(name: "duals")
        let x = try model.addVariable(.continuous, lower: 0, name: "x")
        let y = try model.addVariable(.continuous, lower: 0, name: "y")
        try model.addConstraint(x + y >= 3, name: "demand")
        try model.addConstraint(x <= 2, name: "capacity")
        try model.minimize(x + 2 * y)
        let result = try model.solve(using: backend, options: SolveOptions(presolve: presolve))
        #expect(result.termination == .optimal)
        #expect(abs(result.objective! - 4) < 1e-9)
        #expect(result.rowDuals.count == 2)
        #expect(abs(result.rowDuals[0] - 2) < 1e-9)
        #expect(abs(result.rowDuals[1] + 1) < 1e-9)
    }

    @Test("a mixed-integer solve has no row duals")
    func noDualsForIntegers() throws {
        let (model, _) = try KnownModels.knapsack()
        #expect(try model.solve(using: backend).rowDuals.isEmpty)
    }

    @Test("the interior-point method finds the same fractional optimum, to its tolerance")
    func interiorPoint() throws {
        let (model, x, y) = try KnownModels.fractionalLP()
        var options = SolveOptions()
        options.lpMethod = .interiorPoint
        let result = try model.solve(using: backend, options: options)
        #expect(result.termination == .optimal)
        #expect(abs(result.value(x) - 4.0 / 3) < 1e-6)
        #expect(abs(result.value(y) - 4.0 / 3) < 1e-6)
        #expect(abs(result.objective! - 8.0 / 3) < 1e-6)
    }

    @Test("range constraint 2 ≤ x + y ≤ 3 binds at either end")
    func rangeConstraint() throws {
        var model = Model()
        let x = try model.addVariable(.integer, upper: 10)
        let y = try model.addVariable(.integer, upper: 10)
        try model.addConstraint(LinearConstraint(x + y, in: 2...3))
        try model.minimize(x + y)
        #expect(try model.solve(using: backend).objective == 2)
        try model.maximize(x + y)
        #expect(try model.solve(using: backend).objective == 3)
    }

    @Test("objective constant survives presolve", arguments: [true, false])
    func objectiveConstant(presolve: Bool) throws {
        var model = Model()
        let x = try model.addVariable(.integer)
        let y = try model.addVariable(.integer)
        try model.addConstraint(2 * x + 2 * y >= 3)  // x + y ≥ 2 in integers
        try model.minimize(x + 3 * y + 10)
        let result = try model.solve(using: backend, options: SolveOptions(presolve: presolve))
        #expect(result.termination == .optimal)
        #expect(result.objective == 12)
        #expect(result.bound == 12)
        #expect(result.value(x) == 2)
    }

    @Test("infeasible LP and MIP", arguments: [true, false])
    func infeasible(presolve: Bool) throws {
        var lp = Model()
        let a = try lp.addVariable(upper: 1)
        let b = try lp.addVariable(upper: 1)
        try lp.addConstraint(a + b >= 3)
        try lp.minimize(a + b)
        let lpResult = try lp.solve(using: backend, options: SolveOptions(presolve: presolve))
        #expect(lpResult.termination == .infeasible)
        #expect(!lpResult.hasSolution)
        #expect(lpResult.objective == nil)

        // LP-feasible (x = 1/2) but without an integer point.
        var mip = Model()
        let x = try mip.addVariable(.integer, upper: 5)
        try mip.addConstraint(.equal(2 * x, 1))
        try mip.minimize(LinearExpression(x))
        let mipResult = try mip.solve(using: backend, options: SolveOptions(presolve: presolve))
        #expect(mipResult.termination == .infeasible)
        #expect(!mipResult.hasSolution)
    }

    @Test("unbounded LP; MIP with an unbounded relaxation", arguments: [true, false])
    func unbounded(presolve: Bool) throws {
        var lp = Model()
        let x = try lp.addVariable()
        let y = try lp.addVariable()
        try lp.addConstraint(x - y <= 1)
        try lp.maximize(x + y)
        let lpResult = try lp.solve(using: backend, options: SolveOptions(presolve: presolve))
        #expect(lpResult.termination == .unbounded)
        #expect(!lpResult.hasSolution)

        var mip = Model()
        let z = try mip.addVariable(.integer)
        let w = try mip.addVariable(.binary)
        try mip.addConstraint(z - w >= 0)
        try mip.maximize(z + w)
        let mipResult = try mip.solve(using: backend, options: SolveOptions(presolve: presolve))
        #expect(mipResult.termination == .infeasibleOrUnbounded)
        #expect(!mipResult.hasSolution)
    }

    @Test("an empty model is optimal at its constant")
    func emptyModel() throws {
        var model = Model()
        try model.minimize(LinearExpression(4))
        let result = try model.solve(using: backend)
        #expect(result.termination == .optimal)
        #expect(result.objective == 4)
    }
}
