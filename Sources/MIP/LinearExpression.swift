/// A linear expression `Σ coefficient × variable + constant`.
///
/// Terms are stored as parallel arrays in the order they were added; repeated variables
/// are allowed and are merged when the expression enters a ``Model``. Appending a term
/// is amortised O(1), so large sums built with ``add(_:times:)`` or ``+=`` are linear in
/// their size. The binary operators copy their operands: use them for short expressions.
public struct LinearExpression: Sendable {
    /// Variable indices of the terms (a variable may appear more than once).
    public private(set) var indices: [Int32]
    /// Coefficients of the terms, parallel to ``indices``.
    public private(set) var coefficients: [Double]
    /// The constant part.
    public var constant: Double

    /// The zero expression.
    public init() {
        indices = []
        coefficients = []
        constant = 0
    }

    /// A constant expression.
    public init(_ constant: Double) {
        indices = []
        coefficients = []
        self.constant = constant
    }

    /// `1 × variable`.
    public init(_ variable: Variable) {
        indices = [Int32(truncatingIfNeeded: variable.index)]
        coefficients = [1]
        constant = 0
    }

    /// `Σ 1 × v` over the given variables.
    public init(sum variables: some Sequence<Variable>) {
        self.init()
        for v in variables { add(v) }
    }

    /// `Σ c × v` over the given pairs.
    public init(terms: some Sequence<(Variable, Double)>) {
        self.init()
        for (v, c) in terms { add(v, times: c) }
    }

    /// Number of stored terms (before merging repeated variables).
    public var termCount: Int { indices.count }

    /// Reserves room for `count` more terms.
    public mutating func reserveCapacity(_ count: Int) {
        indices.reserveCapacity(indices.count + count)
        coefficients.reserveCapacity(coefficients.count + count)
    }

    /// Appends `coefficient × variable`. Amortised O(1).
    public mutating func add(_ variable: Variable, times coefficient: Double = 1) {
        indices.append(Int32(truncatingIfNeeded: variable.index))
        coefficients.append(coefficient)
    }

    /// Appends `factor × expression`. O(terms of `expression`).
    public mutating func add(_ expression: LinearExpression, times factor: Double = 1) {
        indices.append(contentsOf: expression.indices)
        if factor == 1 {
            coefficients.append(contentsOf: expression.coefficients)
        } else {
            coefficients.append(contentsOf: expression.coefficients.lazy.map { $0 * factor })
        }
        constant += factor * expression.constant
    }

    /// Multiplies every coefficient and the constant by `factor`.
    public mutating func scale(by factor: Double) {
        for k in coefficients.indices { coefficients[k] *= factor }
        constant *= factor
    }

    /// The terms as (variable, coefficient) pairs, in insertion order, unmerged.
    public var terms: some Sequence<(Variable, Double)> {
        zip(indices, coefficients).lazy.map { (Variable(index: Int($0.0)), $0.1) }
    }

    /// The value of the expression for `values[variable.index]`.
    public func value(_ values: [Double]) -> Double {
        var total = constant
        for k in indices.indices { total += coefficients[k] * values[Int(indices[k])] }
        return total
    }
}
