import MIP

/// Small deterministic generator (SplitMix64) so fixtures never depend on a global RNG.
struct SplitMix64 {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
    mutating func int(below n: Int) -> Int { Int(next() % UInt64(n)) }
}

/// Models with optima worked out by hand (see each comment).
enum KnownModels {
    /// 0-1 knapsack, capacity 15, items (weight, value): (12,4) (2,2) (1,1) (1,2) (4,10).
    /// Best: every item but the first, weight 8, value 15. Any set with the first item
    /// has at most 3 weight left, worth at most 4 (items 2 and 4): 8.
    static func knapsack() throws -> (Model, [Variable]) {
        let weights: [Double] = [12, 2, 1, 1, 4]
        let values: [Double] = [4, 2, 1, 2, 10]
        var model = Model(name: "knapsack")
        let take = try (0..<5).map { try model.addVariable(.binary, name: "take_\($0 + 1)") }
        var weight = LinearExpression()
        var value = LinearExpression()
        for i in 0..<5 {
            weight.add(take[i], times: weights[i])
            value.add(take[i], times: values[i])
        }
        try model.addConstraint(weight <= 15, name: "capacity")
        try model.maximize(value)
        return (model, take)
    }

    /// 3×3 assignment, cost rows [4 1 3] [2 0 5] [3 2 2]. The six permutations cost
    /// 6, 11, 5, 9, 7, 6; the only optimum (0→1, 1→0, 2→2) costs 5.
    static func assignment() throws -> (Model, [[Variable]]) {
        let cost: [[Double]] = [[4, 1, 3], [2, 0, 5], [3, 2, 2]]
        var model = Model(name: "assignment")
        let x = try (0..<3).map { i in try (0..<3).map { j in try model.addVariable(.binary, name: "x_\(i)_\(j)") } }
        for i in 0..<3 {
            try model.addConstraint(.equal(LinearExpression(sum: x[i]), 1), name: "worker_\(i)")
            try model.addConstraint(.equal(LinearExpression(sum: (0..<3).map { x[$0][i] }), 1), name: "task_\(i)")
        }
        var objective = LinearExpression()
        for i in 0..<3 { for j in 0..<3 { objective.add(x[i][j], times: cost[i][j]) } }
        try model.minimize(objective)
        return (model, x)
    }

    /// Set cover of {1..5} by A{1,2,3}:3 B{2,4}:2 C{3,4}:2 D{4,5}:2 E{1,5}:2 F{5}:1.
    /// A+D costs 5; every selection of cost ≤ 4 (A+F, or two of B..E, or one of them
    /// with F) misses an element, so 5 is optimal.
    static func setCover() throws -> (Model, [Variable]) {
        let sets: [[Int]] = [[1, 2, 3], [2, 4], [3, 4], [4, 5], [1, 5], [5]]
        let costs: [Double] = [3, 2, 2, 2, 2, 1]
        var model = Model(name: "setcover")
        let pick = try sets.indices.map { try model.addVariable(.binary, name: "pick_\($0)") }
        for element in 1...5 {
            let covering = sets.indices.filter { sets[$0].contains(element) }.map { pick[$0] }
            try model.addConstraint(LinearExpression(sum: covering) >= 1, name: "cover_\(element)")
        }
        try model.minimize(LinearExpression(terms: zip(pick, costs)))
        return (model, pick)
    }

    /// max x + y s.t. 2x + y ≤ 4, x + 2y ≤ 4, x, y ≥ 0: the vertex x = y = 4/3, objective 8/3.
    static func fractionalLP() throws -> (Model, Variable, Variable) {
        var model = Model(name: "fractional")
        let x = try model.addVariable(name: "x")
        let y = try model.addVariable(name: "y")
        try model.addConstraint(2 * x + y <= 4, name: "a")
        try model.addConstraint(x + 2 * y <= 4, name: "b")
        try model.maximize(x + y)
        return (model, x, y)
    }

    /// A market-split style model (Cornuéjols–Dawande): binaries x, four equality rows
    /// Σ a_ij x_j + over_i − under_i = b_i with b_i half the row sum, minimising Σ over + under.
    /// Its LP bound is 0 and branch-and-bound cannot close the gap in seconds, while any x
    /// (with matching slacks) is feasible: a hard model that always has incumbents.
    static func marketSplit(columns n: Int = 48, rows m: Int = 4, seed: UInt64 = 7) throws -> (Model, [Variable], [Double]) {
        var rng = SplitMix64(seed: seed)
        var model = Model(name: "market-split")
        let x = try (0..<n).map { try model.addVariable(.binary, name: "x_\($0)") }
        var objective = LinearExpression()
        var rhs: [Double] = []
        for i in 0..<m {
            let a = (0..<n).map { _ in Double(rng.int(below: 100)) }
            let b = (a.reduce(0, +) / 2).rounded(.down)
            rhs.append(b)
            let over = try model.addVariable(.integer, name: "over_\(i)")
            let under = try model.addVariable(.integer, name: "under_\(i)")
            var row = LinearExpression(terms: zip(x, a))
            row.add(over)
            row.add(under, times: -1)
            try model.addConstraint(.equal(row, b), name: "split_\(i)")
            objective.add(over)
            objective.add(under)
        }
        try model.minimize(objective)
        return (model, x, rhs)
    }

    /// The all-zero x of ``marketSplit`` with its slacks: feasible, objective Σ b_i.
    static func marketSplitZeroStart(_ model: Model, rhs: [Double]) -> [Double] {
        var values = [Double](repeating: 0, count: model.variableCount)
        let n = model.variableCount - 2 * rhs.count
        for (i, b) in rhs.enumerated() { values[n + 2 * i] = b }  // over_i = b_i
        return values
    }
}
