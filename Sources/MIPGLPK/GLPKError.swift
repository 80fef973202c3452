/// Failures of the GLPK backend itself (misuse of the model is ``MIP/MIPError``).
public enum GLPKError: Error, Sendable, Equatable, CustomStringConvertible {
    /// A GLPK session is already open on this thread: a solve was started from inside
    /// another solve's progress or log handler.
    case nestedSession
    /// GLPK hit a fatal error inside `operation`; it was contained (the process goes on)
    /// and `message` is what GLPK printed.
    case failed(operation: String, message: String)
    /// Reading or writing a model file failed.
    case file(path: String, message: String)

    public var description: String {
        switch self {
        case .nestedSession:
            return "a GLPK solve cannot start inside another solve on the same thread"
        case let .failed(operation, message):
            return "GLPK failed in \(operation): \(message)"
        case let .file(path, message):
            return "\(path): \(message)"
        }
    }
}
