import MIP
import MIPGLPK
import Testing

@Suite("Building models")
struct ModelBuildingTests {
    @Test("repeated variables merge, cancelled terms vanish, constants move to the bounds")
    func mergingAndFolding() throws {
        var model = Model()
        let x = try model.addVariable(name: "x")
        let y = try model.addVariable(name: "y")
        let z = try model.addVariable(name: "z")
        var e = x + x + y - y + 3
        e.add(z, times: 0.5)
        e.add(x, times: -0.5)
        let c = try model.addConstraint(e <= 10, name: "row")
        #expect(Array(model.row(c)) == [Int32(x.index), Int32(z.index)])
        #expect(model.rowCoefficients == [1.5, 0.5])
        #expect(model.rowUpper == [7])
        #expect(model.rowLower == [-.infinity])
        #expect(model.name(of: c) == "row")
        #expect(model.nonzeroCount == 2)
    }

    @Test("operators build the expected rows")
    func operators() throws {
        var model = Model()
        let x = try model.addVariable()
        let y = try model.addVariable()
        try model.addConstraint(2 * x - 3 * y >= x + 1)  // x − 3y ≥ 1
        try model.addConstraint(.equal(x, 4))
        try model.addConstraint(5 <= -x + 2 * (x + y))    // x + 2y ≥ 5
        #expect(model.rowColumns == [0, 1, 0, 0, 1])
        #expect(model.rowCoefficients == [1, -3, 1, 1, 2])
        #expect(model.rowLower == [1, 4, 5])
        #expect(model.rowUpper == [.infinity, 4, .infinity])
    }

    @Test("objective terms add up and the constant is kept")
    func objective() throws {
        var model = Model()
        let x = try model.addVariable()
        let y = try model.addVariable()
        try model.maximize(x + 2 * y + x - 7)
        #expect(model.objectiveCoefficients == [2, 2])
        #expect(model.objectiveConstant == -7)
        #expect(model.sense == .maximize)
        #expect(model.objectiveValue([1, 1]) == -3)
    }

    @Test("names are skipped, not evaluated, when the model keeps none")
    func namesOff() throws {
        var model = Model(keepsNames: false)
        var evaluated = 0
        func name() -> String { evaluated += 1; return "n" }
        let x = try model.addVariable(.binary, name: name())
        try model.addConstraint(x <= 1, name: name())
        #expect(evaluated == 0)
        #expect(model.name(of: x) == nil)
    }

    @Test("a large sum is linear: 10⁵ terms into one row")
    func largeSum() throws {
        var model = Model(keepsNames: false)
        let vars = try model.addVariables(100_000, .binary)
        var e = LinearExpression()
        e.reserveCapacity(vars.count)
        for v in vars { e += v }
        try model.addConstraint(e <= 10)
        #expect(model.nonzeroCount == 100_000)
        #expect(model.integerCount == 100_000)
    }

    @Test("GLPK holds exactly the rows, columns and non-zeros of the model")
    func loadSize() throws {
        let (model, _) = try KnownModels.assignment()
        let size = try GLPKBackend().load(model)
        #expect(size == GLPKProblemSize(rows: 6, columns: 9, nonzeros: 18, integers: 9))
    }
}

@Suite("Invalid models are rejected before GLPK")
struct ValidationTests {
    @Test("crossed, NaN and out-of-range bounds")
    func bounds() throws {
        var model = Model()
        #expect(throws: MIPError.invalidBounds(context: "variable \"a\"", lower: 2, upper: 1)) {
            try model.addVariable(.integer, lower: 2, upper: 1, name: "a")
        }
        #expect(throws: MIPError.invalidBounds(context: "variable 0", lower: 0, upper: 2)) {
            try model.addVariable(.binary, upper: 2)
        }
        #expect(throws: MIPError.invalidBounds(context: "variable 0", lower: .infinity, upper: .infinity)) {
            try model.addVariable(lower: .infinity)
        }
        #expect(throws: MIPError.self) { try model.addVariable(lower: .nan) }
        #expect(model.variableCount == 0)
        let x = try model.addVariable()
        #expect(throws: MIPError.invalidBounds(context: "constraint \"r\"", lower: 3, upper: 1)) {
            try model.addConstraint(LinearConstraint(LinearExpression(x), lower: 3, upper: 1), name: "r")
        }
        #expect(throws: MIPError.self) { try model.addConstraint(x <= .nan) }
        #expect(throws: MIPError.unknownVariable(index: 7, context: "setBounds")) {
            try model.setBounds(of: Variable(index: 7), lower: 0, upper: 1)
        }
    }

    @Test("non-finite coefficients and constants, variables of another model")
    func coefficients() throws {
        var model = Model()
        let x = try model.addVariable()
        #expect(throws: MIPError.nonFiniteValue(context: "constraint 0", value: .infinity)) {
            try model.addConstraint(Double.infinity * x <= 1)
        }
        #expect(throws: MIPError.nonFiniteValue(context: "constraint \"c\"", value: .infinity)) {
            try model.addConstraint(x + .infinity <= 1, name: "c")
        }
        #expect(throws: MIPError.unknownVariable(index: 5, context: "constraint 0")) {
            try model.addConstraint(x + Variable(index: 5) <= 1)
        }
        #expect(throws: MIPError.unknownVariable(index: 5, context: "objective")) {
            try model.minimize(LinearExpression(Variable(index: 5)))
        }
        #expect(throws: MIPError.nonFiniteValue(context: "objective coefficient of variable 0", value: .infinity)) {
            try model.minimize(Double.infinity * x)
        }
        // A rejected constraint leaves no trace.
        #expect(model.constraintCount == 0)
        #expect(model.nonzeroCount == 0)
        try model.addConstraint(x + x <= 1)
        #expect(model.rowCoefficients == [2])
    }

    @Test("names GLPK cannot store")
    func names() throws {
        var model = Model()
        let long = String(repeating: "あ", count: 86)  // 258 bytes of UTF-8
        #expect(throws: MIPError.invalidName(long, reason: "longer than 255 bytes")) {
            try model.addVariable(name: long)
        }
        #expect(throws: MIPError.invalidName("a\nb", reason: "contains a control character")) {
            try model.addVariable(name: "a\nb")
        }
        #expect(throws: MIPError.invalidName("", reason: "empty")) {
            try model.addVariable(name: "")
        }
        _ = try model.addVariable(name: String(repeating: "あ", count: 85))  // 255 bytes is fine
    }

    @Test("solve options out of range")
    func options() throws {
        let (model, _) = try KnownModels.knapsack()
        let backend = GLPKBackend()
        #expect(throws: MIPError.invalidOption(name: "timeLimit", reason: "-1.0 is not a positive number of seconds")) {
            try model.solve(using: backend, options: SolveOptions(timeLimit: -1))
        }
        #expect(throws: MIPError.invalidOption(name: "relativeGap", reason: "nan is not a finite number ≥ 0")) {
            try model.solve(using: backend, options: SolveOptions(relativeGap: .nan))
        }
        #expect(throws: MIPError.invalidOption(name: "initialSolution", reason: "has 2 values for 5 variables")) {
            try model.solve(using: backend, options: SolveOptions(initialSolution: [1, 0]))
        }
    }
}
