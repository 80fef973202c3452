/// One way a full assignment fails a model.
public struct FeasibilityViolation: Sendable, Hashable, CustomStringConvertible {
    public enum Kind: Sendable, Hashable {
        /// A value outside its variable's bounds.
        case bound(Variable)
        /// A fractional value for an integer or binary variable.
        case integrality(Variable)
        /// A row activity outside the constraint's bounds.
        case constraint(ConstraintIndex)
        /// NaN or infinity.
        case nonFinite(Variable)
    }

    public let kind: Kind
    /// The offending value: the variable's value or the row's activity.
    public let value: Double
    /// A reader-facing description, with names where the model keeps them.
    public let description: String
}

extension Model {
    /// Checks a full assignment (one value per variable) against every bound, integrality
    /// requirement and constraint. O(variables + non-zeros).
    ///
    /// A value passes when it is within `tolerance × max(1, |bound|)` of its bound and,
    /// for integer variables, within `tolerance` of an integer.
    ///
    /// - Parameter limit: stop after this many violations.
    /// - Returns: the violations found (empty for a feasible assignment).
    public func violations(of values: [Double], tolerance: Double = 1e-6, limit: Int = .max) -> [FeasibilityViolation] {
        precondition(values.count == variableCount, "one value per variable")
        var found: [FeasibilityViolation] = []
        func slack(_ bound: Double) -> Double { tolerance * Swift.max(1, Swift.abs(bound)) }
        for j in values.indices {
            guard found.count < limit else { return found }
            let v = Variable(index: j)
            let x = values[j]
            let label = describeVariable(j, name: name(of: v))
            if !x.isFinite {
                found.append(.init(kind: .nonFinite(v), value: x, description: "\(label) = \(x)"))
            } else if x < lowerBounds[j] - slack(lowerBounds[j]) || x > upperBounds[j] + slack(upperBounds[j]) {
                found.append(.init(kind: .bound(v), value: x,
                                   description: "\(label) = \(x) outside [\(lowerBounds[j]), \(upperBounds[j])]"))
            } else if kinds[j].isIntegral && Swift.abs(x - x.rounded()) > tolerance {
                found.append(.init(kind: .integrality(v), value: x, description: "\(label) = \(x) is not integral"))
            }
        }
        for i in 0..<constraintCount {
            guard found.count < limit else { return found }
            var activity = 0.0
            for k in rowStart[i]..<rowStart[i + 1] { activity += rowCoefficients[k] * values[Int(rowColumns[k])] }
            if activity < rowLower[i] - slack(rowLower[i]) || activity > rowUpper[i] + slack(rowUpper[i]) {
                let c = ConstraintIndex(index: i)
                let label = name(of: c).map { "constraint \"\($0)\"" } ?? "constraint \(i)"
                found.append(.init(kind: .constraint(c), value: activity,
                                   description: "\(label): activity \(activity) outside [\(rowLower[i]), \(rowUpper[i])]"))
            }
        }
        return found
    }
}
