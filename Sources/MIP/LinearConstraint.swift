/// A linear constraint `lower ≤ expression ≤ upper` (either side may be infinite).
///
/// Build one with `<=`, `>=`, ``equal(_:_:)`` or ``init(_:lower:upper:)``; the
/// expression's constant is moved into the bounds when the constraint enters a model.
public struct LinearConstraint: Sendable {
    /// The constrained expression.
    public var expression: LinearExpression
    /// Lower bound, `-.infinity` for none.
    public var lower: Double
    /// Upper bound, `+.infinity` for none.
    public var upper: Double

    /// `lower ≤ expression ≤ upper`: a range constraint.
    public init(_ expression: LinearExpression, lower: Double = -.infinity, upper: Double = .infinity) {
        self.expression = expression
        self.lower = lower
        self.upper = upper
    }

    /// `expression ∈ range`.
    public init(_ expression: LinearExpression, in range: ClosedRange<Double>) {
        self.init(expression, lower: range.lowerBound, upper: range.upperBound)
    }

    /// `lhs = rhs`.
    public static func equal(_ lhs: LinearExpression, _ rhs: LinearExpression) -> LinearConstraint {
        LinearConstraint(lhs - rhs, lower: 0, upper: 0)
    }

    /// `lhs = rhs`.
    public static func equal(_ lhs: LinearExpression, _ rhs: Double) -> LinearConstraint {
        LinearConstraint(lhs, lower: rhs, upper: rhs)
    }

    /// `lhs = rhs`.
    public static func equal(_ lhs: Variable, _ rhs: Double) -> LinearConstraint {
        LinearConstraint(LinearExpression(lhs), lower: rhs, upper: rhs)
    }
}

extension LinearExpression {
    public static func <= (lhs: LinearExpression, rhs: Double) -> LinearConstraint {
        LinearConstraint(lhs, upper: rhs)
    }

    public static func >= (lhs: LinearExpression, rhs: Double) -> LinearConstraint {
        LinearConstraint(lhs, lower: rhs)
    }

    public static func <= (lhs: Double, rhs: LinearExpression) -> LinearConstraint {
        LinearConstraint(rhs, lower: lhs)
    }

    public static func >= (lhs: Double, rhs: LinearExpression) -> LinearConstraint {
        LinearConstraint(rhs, upper: lhs)
    }

    public static func <= (lhs: LinearExpression, rhs: LinearExpression) -> LinearConstraint {
        LinearConstraint(lhs - rhs, upper: 0)
    }

    public static func >= (lhs: LinearExpression, rhs: LinearExpression) -> LinearConstraint {
        LinearConstraint(lhs - rhs, lower: 0)
    }

    public static func <= (lhs: LinearExpression, rhs: Variable) -> LinearConstraint {
        LinearConstraint(lhs - rhs, upper: 0)
    }

    public static func >= (lhs: LinearExpression, rhs: Variable) -> LinearConstraint {
        LinearConstraint(lhs - rhs, lower: 0)
    }
}

extension Variable {
    public static func <= (lhs: Variable, rhs: Double) -> LinearConstraint {
        LinearConstraint(LinearExpression(lhs), upper: rhs)
    }

    public static func >= (lhs: Variable, rhs: Double) -> LinearConstraint {
        LinearConstraint(LinearExpression(lhs), lower: rhs)
    }

    public static func <= (lhs: Variable, rhs: Variable) -> LinearConstraint {
        LinearConstraint(lhs - rhs, upper: 0)
    }

    public static func >= (lhs: Variable, rhs: Variable) -> LinearConstraint {
        LinearConstraint(lhs - rhs, lower: 0)
    }

    public static func <= (lhs: Variable, rhs: LinearExpression) -> LinearConstraint {
        LinearConstraint(lhs - rhs, upper: 0)
    }

    public static func >= (lhs: Variable, rhs: LinearExpression) -> LinearConstraint {
        LinearConstraint(lhs - rhs, lower: 0)
    }
}
