// Operators that let models read like the maths: `2 * x + y - 3`, `x + y <= 1`.
// Equality is the named builder `LinearConstraint.equal(_:_:)`, never `==`.

extension LinearExpression {
    public static func + (lhs: LinearExpression, rhs: LinearExpression) -> LinearExpression {
        var result = lhs
        result.add(rhs)
        return result
    }

    public static func + (lhs: LinearExpression, rhs: Variable) -> LinearExpression {
        var result = lhs
        result.add(rhs)
        return result
    }

    public static func + (lhs: Variable, rhs: LinearExpression) -> LinearExpression {
        var result = LinearExpression(lhs)
        result.add(rhs)
        return result
    }

    public static func + (lhs: LinearExpression, rhs: Double) -> LinearExpression {
        var result = lhs
        result.constant += rhs
        return result
    }

    public static func + (lhs: Double, rhs: LinearExpression) -> LinearExpression {
        rhs + lhs
    }

    public static func - (lhs: LinearExpression, rhs: LinearExpression) -> LinearExpression {
        var result = lhs
        result.add(rhs, times: -1)
        return result
    }

    public static func - (lhs: LinearExpression, rhs: Variable) -> LinearExpression {
        var result = lhs
        result.add(rhs, times: -1)
        return result
    }

    public static func - (lhs: Variable, rhs: LinearExpression) -> LinearExpression {
        var result = LinearExpression(lhs)
        result.add(rhs, times: -1)
        return result
    }

    public static func - (lhs: LinearExpression, rhs: Double) -> LinearExpression {
        var result = lhs
        result.constant -= rhs
        return result
    }

    public static func - (lhs: Double, rhs: LinearExpression) -> LinearExpression {
        var result = LinearExpression(lhs)
        result.add(rhs, times: -1)
        return result
    }

    public static prefix func - (operand: LinearExpression) -> LinearExpression {
        var result = operand
        result.scale(by: -1)
        return result
    }

    public static func * (lhs: Double, rhs: LinearExpression) -> LinearExpression {
        var result = rhs
        result.scale(by: lhs)
        return result
    }

    public static func * (lhs: LinearExpression, rhs: Double) -> LinearExpression {
        rhs * lhs
    }

    /// Appends in place: amortised O(terms of `rhs`).
    public static func += (lhs: inout LinearExpression, rhs: LinearExpression) {
        lhs.add(rhs)
    }

    /// Appends in place: amortised O(1).
    public static func += (lhs: inout LinearExpression, rhs: Variable) {
        lhs.add(rhs)
    }

    public static func += (lhs: inout LinearExpression, rhs: Double) {
        lhs.constant += rhs
    }

    public static func -= (lhs: inout LinearExpression, rhs: LinearExpression) {
        lhs.add(rhs, times: -1)
    }

    public static func -= (lhs: inout LinearExpression, rhs: Variable) {
        lhs.add(rhs, times: -1)
    }

    public static func -= (lhs: inout LinearExpression, rhs: Double) {
        lhs.constant -= rhs
    }
}

extension Variable {
    public static func + (lhs: Variable, rhs: Variable) -> LinearExpression {
        var result = LinearExpression(lhs)
        result.add(rhs)
        return result
    }

    public static func - (lhs: Variable, rhs: Variable) -> LinearExpression {
        var result = LinearExpression(lhs)
        result.add(rhs, times: -1)
        return result
    }

    public static func + (lhs: Variable, rhs: Double) -> LinearExpression {
        LinearExpression(lhs) + rhs
    }

    public static func + (lhs: Double, rhs: Variable) -> LinearExpression {
        LinearExpression(rhs) + lhs
    }

    public static func - (lhs: Variable, rhs: Double) -> LinearExpression {
        LinearExpression(lhs) - rhs
    }

    public static func - (lhs: Double, rhs: Variable) -> LinearExpression {
        lhs - LinearExpression(rhs)
    }

    public static prefix func - (operand: Variable) -> LinearExpression {
        var result = LinearExpression()
        result.add(operand, times: -1)
        return result
    }

    public static func * (lhs: Double, rhs: Variable) -> LinearExpression {
        var result = LinearExpression()
        result.add(rhs, times: lhs)
        return result
    }

    public static func * (lhs: Variable, rhs: Double) -> LinearExpression {
        rhs * lhs
    }
}
