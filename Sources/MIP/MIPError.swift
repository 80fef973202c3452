/// Misuse of the modelling layer, caught before anything reaches a solver.
///
/// `context` names the offending variable or constraint the way a reader finds it:
/// its name when the model keeps names, else its position (`variable 12`, `constraint 3`).
public enum MIPError: Error, Sendable, Equatable, CustomStringConvertible {
    /// Bounds that no value satisfies, or a NaN bound.
    case invalidBounds(context: String, lower: Double, upper: Double)
    /// A coefficient, constant or value that is NaN or infinite.
    case nonFiniteValue(context: String, value: Double)
    /// A variable index the model does not have.
    case unknownVariable(index: Int, context: String)
    /// A name GLPK cannot store: longer than 255 bytes of UTF-8, or with control characters.
    case invalidName(String, reason: String)
    /// A solve option out of its range.
    case invalidOption(name: String, reason: String)
    /// A model larger than the backend's index type allows.
    case tooLarge(String)

    public var description: String {
        switch self {
        case let .invalidBounds(context, lower, upper):
            return "\(context): bounds [\(lower), \(upper)] admit no value"
        case let .nonFiniteValue(context, value):
            return "\(context): \(value) is not a finite number"
        case let .unknownVariable(index, context):
            return "\(context): variable \(index) does not belong to this model"
        case let .invalidName(name, reason):
            return "invalid name \"\(name.prefix(80))\": \(reason)"
        case let .invalidOption(name, reason):
            return "option \(name): \(reason)"
        case let .tooLarge(what):
            return "model too large: \(what)"
        }
    }
}
