/// A decision variable of a ``Model``: a typed index, cheap to copy and hash.
///
/// A variable is meaningful only in the model that created it; the model rejects
/// indices it does not have (``MIPError/unknownVariable(index:context:)``).
public struct Variable: Hashable, Sendable, Comparable, CustomStringConvertible {
    /// Position of the variable in its model, from 0 in creation order.
    public let index: Int

    /// Wraps a model position. Models hand these out; build one by hand only to
    /// refer to a variable whose index is known.
    public init(index: Int) {
        self.index = index
    }

    public static func < (lhs: Variable, rhs: Variable) -> Bool { lhs.index < rhs.index }

    public var description: String { "v\(index)" }
}

/// The domain of a variable.
public enum VariableKind: String, Sendable, Hashable, Codable, CaseIterable {
    /// Real-valued between its bounds.
    case continuous
    /// Integer-valued between its bounds.
    case integer
    /// 0 or 1 (an integer variable whose bounds lie within [0, 1]).
    case binary

    /// Whether the solver must give the variable an integer value.
    public var isIntegral: Bool { self != .continuous }
}
