/// The optimisation direction.
public enum ObjectiveSense: String, Sendable, Hashable, Codable {
    case minimize
    case maximize
}

/// A reference to a constraint of a ``Model``: its row position, from 0.
public struct ConstraintIndex: Hashable, Sendable, Comparable {
    public let index: Int
    public init(index: Int) { self.index = index }
    public static func < (lhs: ConstraintIndex, rhs: ConstraintIndex) -> Bool { lhs.index < rhs.index }
}

/// A mixed-integer linear program held as Swift values.
///
/// Columns (variables), rows (constraints, stored in compressed-row form with repeated
/// variables merged and zeros dropped) and the objective live in flat arrays, so
/// building is linear in the model's size and copying is copy-on-write. A backend
/// receives the whole value in one call (``SolverBackend/solve(_:options:)``).
///
/// Every mutator validates its input and throws ``MIPError`` on misuse, so a model that
/// exists is one any backend can load: bounds ordered, numbers finite, indices in range,
/// names storable.
public struct Model: Sendable {
    /// A label for the whole model (used in exports).
    public var name: String?
    /// Whether variable and constraint names are stored. Off, name arguments are never
    /// evaluated (they are autoclosures), which matters for models of 10⁵+ columns.
    public let keepsNames: Bool

    public private(set) var kinds: [VariableKind] = []
    public private(set) var lowerBounds: [Double] = []
    public private(set) var upperBounds: [Double] = []
    public private(set) var variableNames: [String?] = []

    /// Offsets into ``rowColumns``/``rowCoefficients``: row `i` is `rowStart[i]..<rowStart[i+1]`.
    public private(set) var rowStart: [Int] = [0]
    public private(set) var rowColumns: [Int32] = []
    public private(set) var rowCoefficients: [Double] = []
    public private(set) var rowLower: [Double] = []
    public private(set) var rowUpper: [Double] = []
    public private(set) var constraintNames: [String?] = []

    public private(set) var sense: ObjectiveSense = .minimize
    /// Dense objective coefficients, one per variable.
    public private(set) var objectiveCoefficients: [Double] = []
    public private(set) var objectiveConstant: Double = 0

    /// Scratch for merging repeated variables: slot of a variable in the row being added, or -1.
    private var mergeSlot: [Int32] = []

    /// An empty model.
    public init(name: String? = nil, keepsNames: Bool = true) {
        self.name = name
        self.keepsNames = keepsNames
    }

    public var variableCount: Int { kinds.count }
    public var constraintCount: Int { rowLower.count }
    public var nonzeroCount: Int { rowColumns.count }
    public var integerCount: Int { kinds.lazy.filter(\.isIntegral).count }

    // MARK: Variables

    /// Adds a variable. Bounds default to [0, 1] for binaries and [0, +∞) otherwise.
    ///
    /// - Throws: ``MIPError/invalidBounds(context:lower:upper:)`` for NaN or crossed
    ///   bounds, or binary bounds outside [0, 1]; ``MIPError/invalidName(_:reason:)``.
    @discardableResult
    public mutating func addVariable(
        _ kind: VariableKind = .continuous,
        lower: Double? = nil,
        upper: Double? = nil,
        name: @autoclosure () -> String? = nil
    ) throws(MIPError) -> Variable {
        let lo = lower ?? 0
        let up = upper ?? (kind == .binary ? 1 : .infinity)
        let variableName = keepsNames ? name() : nil
        if lo.isNaN || up.isNaN || lo > up || lo == .infinity || up == -.infinity
            || (kind == .binary && (lo < 0 || up > 1))
        {
            throw .invalidBounds(context: describeVariable(kinds.count, name: variableName), lower: lo, upper: up)
        }
        if let variableName { try Model.checkName(variableName) }
        guard kinds.count < Int(Int32.max) - 1 else { throw .tooLarge("more than 2³¹ variables") }
        let variable = Variable(index: kinds.count)
        kinds.append(kind)
        lowerBounds.append(lo)
        upperBounds.append(up)
        objectiveCoefficients.append(0)
        mergeSlot.append(-1)
        if keepsNames {
            if variableName != nil && variableNames.count < variable.index {
                variableNames.append(contentsOf: repeatElement(nil, count: variable.index - variableNames.count))
            }
            if variableName != nil || !variableNames.isEmpty { variableNames.append(variableName) }
        }
        return variable
    }

    /// Adds `count` variables of one kind and bounds; `name(i)` names the i-th.
    public mutating func addVariables(
        _ count: Int,
        _ kind: VariableKind = .continuous,
        lower: Double? = nil,
        upper: Double? = nil,
        name: (Int) -> String? = { _ in nil }
    ) throws(MIPError) -> [Variable] {
        var result: [Variable] = []
        result.reserveCapacity(count)
        for i in 0..<count {
            result.append(try addVariable(kind, lower: lower, upper: upper, name: name(i)))
        }
        return result
    }

    /// Reserves storage for the given numbers of variables, constraints and non-zeros.
    public mutating func reserveCapacity(variables: Int, constraints: Int, nonzeros: Int) {
        kinds.reserveCapacity(variables)
        lowerBounds.reserveCapacity(variables)
        upperBounds.reserveCapacity(variables)
        objectiveCoefficients.reserveCapacity(variables)
        mergeSlot.reserveCapacity(variables)
        rowStart.reserveCapacity(constraints + 1)
        rowLower.reserveCapacity(constraints)
        rowUpper.reserveCapacity(constraints)
        rowColumns.reserveCapacity(nonzeros)
        rowCoefficients.reserveCapacity(nonzeros)
    }

    /// The name of a variable, if the model keeps one.
    public func name(of variable: Variable) -> String? {
        variable.index < variableNames.count ? variableNames[variable.index] : nil
    }

    /// Changes a variable's bounds (for example to fix it).
    public mutating func setBounds(of variable: Variable, lower: Double, upper: Double) throws(MIPError) {
        let j = variable.index
        guard j >= 0 && j < kinds.count else { throw .unknownVariable(index: j, context: "setBounds") }
        if lower.isNaN || upper.isNaN || lower > upper || lower == .infinity || upper == -.infinity
            || (kinds[j] == .binary && (lower < 0 || upper > 1))
        {
            throw .invalidBounds(context: describeVariable(j, name: name(of: variable)), lower: lower, upper: upper)
        }
        lowerBounds[j] = lower
        upperBounds[j] = upper
    }

    // MARK: Constraints

    /// Adds `constraint`; repeated variables in its expression are merged and zero
    /// coefficients dropped. O(terms).
    ///
    /// - Throws: ``MIPError`` for a non-finite coefficient or constant, a variable of
    ///   another model, NaN or crossed bounds, or an unstorable name. On a throw the
    ///   model is unchanged.
    @discardableResult
    public mutating func addConstraint(
        _ constraint: LinearConstraint,
        name: @autoclosure () -> String? = nil
    ) throws(MIPError) -> ConstraintIndex {
        let row = rowLower.count
        let rowName = keepsNames ? name() : nil
        let expression = constraint.expression
        let context = { describeConstraint(row, name: rowName) }
        guard expression.constant.isFinite else {
            throw .nonFiniteValue(context: context(), value: expression.constant)
        }
        let lower = constraint.lower - expression.constant
        let upper = constraint.upper - expression.constant
        if lower.isNaN || upper.isNaN || lower > upper || lower == .infinity || upper == -.infinity {
            throw .invalidBounds(context: context(), lower: lower, upper: upper)
        }
        let columns = expression.indices
        let values = expression.coefficients
        let n = kinds.count
        for k in columns.indices {
            let j = Int(columns[k])
            guard j >= 0 && j < n else { throw .unknownVariable(index: j, context: context()) }
            guard values[k].isFinite else { throw .nonFiniteValue(context: context(), value: values[k]) }
        }
        if let rowName { try Model.checkName(rowName) }

        let start = rowColumns.count
        for k in columns.indices {
            let j = Int(columns[k])
            let slot = mergeSlot[j]
            if slot < 0 {
                mergeSlot[j] = Int32(rowColumns.count - start)
                rowColumns.append(columns[k])
                rowCoefficients.append(values[k])
            } else {
                rowCoefficients[start + Int(slot)] += values[k]
            }
        }
        // Reset the scratch and drop coefficients that cancelled to zero.
        var write = start
        for read in start..<rowColumns.count {
            mergeSlot[Int(rowColumns[read])] = -1
            if rowCoefficients[read] != 0 {
                rowColumns[write] = rowColumns[read]
                rowCoefficients[write] = rowCoefficients[read]
                write += 1
            }
        }
        rowColumns.removeSubrange(write...)
        rowCoefficients.removeSubrange(write...)
        rowStart.append(write)
        rowLower.append(lower)
        rowUpper.append(upper)
        if keepsNames {
            if rowName != nil && constraintNames.count < row {
                constraintNames.append(contentsOf: repeatElement(nil, count: row - constraintNames.count))
            }
            if rowName != nil || !constraintNames.isEmpty { constraintNames.append(rowName) }
        }
        return ConstraintIndex(index: row)
    }

    /// The name of a constraint, if the model keeps one.
    public func name(of constraint: ConstraintIndex) -> String? {
        constraint.index < constraintNames.count ? constraintNames[constraint.index] : nil
    }

    /// The merged terms of a row as (column, coefficient) pairs.
    public func row(_ constraint: ConstraintIndex) -> ArraySlice<Int32> {
        rowColumns[rowStart[constraint.index]..<rowStart[constraint.index + 1]]
    }

    // MARK: Objective

    /// Sets the objective to minimise `expression` (replacing any previous objective).
    public mutating func minimize(_ expression: LinearExpression) throws(MIPError) {
        try setObjective(expression, sense: .minimize)
    }

    /// Sets the objective to maximise `expression` (replacing any previous objective).
    public mutating func maximize(_ expression: LinearExpression) throws(MIPError) {
        try setObjective(expression, sense: .maximize)
    }

    /// Sets the objective. Repeated variables add up. O(variables + terms).
    public mutating func setObjective(_ expression: LinearExpression, sense: ObjectiveSense) throws(MIPError) {
        guard expression.constant.isFinite else {
            throw .nonFiniteValue(context: "objective constant", value: expression.constant)
        }
        var dense = [Double](repeating: 0, count: kinds.count)
        for (k, column) in expression.indices.enumerated() {
            let j = Int(column)
            guard j >= 0 && j < kinds.count else { throw .unknownVariable(index: j, context: "objective") }
            let c = expression.coefficients[k]
            guard c.isFinite else { throw .nonFiniteValue(context: "objective coefficient of variable \(j)", value: c) }
            dense[j] += c
        }
        objectiveCoefficients = dense
        objectiveConstant = expression.constant
        self.sense = sense
    }

    /// The objective value of a full assignment. O(variables).
    public func objectiveValue(_ values: [Double]) -> Double {
        precondition(values.count == kinds.count, "one value per variable")
        var total = objectiveConstant
        for j in values.indices where objectiveCoefficients[j] != 0 { total += objectiveCoefficients[j] * values[j] }
        return total
    }

    // MARK: Names

    /// GLPK stores at most 255 bytes per name and no control characters.
    static func checkName(_ name: String) throws(MIPError) {
        if name.isEmpty { throw .invalidName(name, reason: "empty") }
        if name.utf8.count > 255 { throw .invalidName(name, reason: "longer than 255 bytes") }
        if name.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) {
            throw .invalidName(name, reason: "contains a control character")
        }
    }

    func describeVariable(_ index: Int, name: String?) -> String {
        name.map { "variable \"\($0)\"" } ?? "variable \(index)"
    }
}

private func describeConstraint(_ row: Int, name: String?) -> String {
    name.map { "constraint \"\($0)\"" } ?? "constraint \(row)"
}

extension Model {
    /// The linear relaxation: the same model with every variable continuous (bounds kept,
    /// so binaries range over [0, 1]). Its optimum bounds the model's from below when
    /// minimising.
    public func relaxation() -> Model {
        var copy = self
        copy.kinds = kinds.map { _ in .continuous }
        return copy
    }
}
