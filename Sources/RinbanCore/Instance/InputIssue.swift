/// A line and column in an input file, both from 1.
public struct SourcePosition: Hashable, Sendable, CustomStringConvertible {
    public var line: Int
    public var column: Int

    public init(line: Int, column: Int) {
        self.line = line
        self.column = column
    }

    public var description: String { "line \(line), column \(column)" }
}

/// One problem found in an input document: where it is and what is wrong.
public struct InputIssue: Hashable, Sendable, CustomStringConvertible {
    public enum Severity: String, Hashable, Sendable {
        /// The input cannot be used.
        case error
        /// The input can be used, but something looks unintended.
        case warning
    }

    public var severity: Severity
    /// The JSON path of the offending value.
    public var path: DocumentPath
    /// Where the value starts in the file, when known.
    public var position: SourcePosition?
    /// What is wrong, in plain words: `unknown clinic "c99"`.
    public var message: String

    public init(_ severity: Severity = .error, at path: DocumentPath, position: SourcePosition? = nil, _ message: String) {
        self.severity = severity
        self.path = path
        self.position = position
        self.message = message
    }

    /// `physicians[12].clinic (line 40, column 18): unknown clinic "c99"`.
    public var description: String {
        if let position { return "\(path) (\(position)): \(message)" }
        return "\(path): \(message)"
    }
}

/// Input that cannot be used, with every problem found (errors first, in document order).
public struct InputError: Error, Sendable, CustomStringConvertible {
    /// The file the problems are in, when the input came from a file.
    public var file: String?
    public var issues: [InputIssue]

    public init(file: String? = nil, issues: [InputIssue]) {
        self.file = file
        self.issues = issues
    }

    public init(file: String? = nil, at path: DocumentPath = .root, position: SourcePosition? = nil, _ message: String) {
        self.init(file: file, issues: [InputIssue(at: path, position: position, message)])
    }

    public var description: String {
        let errors = issues.filter { $0.severity == .error }
        let head = "\(file.map { "\($0): " } ?? "")\(errors.count) problem\(errors.count == 1 ? "" : "s")"
        return ([head] + issues.map { "  \($0)" }).joined(separator: "\n")
    }
}
