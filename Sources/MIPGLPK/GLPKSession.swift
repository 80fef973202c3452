internal import CGLPK
internal import CGLPKGuard
import MIP

/// Carries the caller's log sink through GLPK's `void *` hook argument.
private final class LogSink {
    let write: @Sendable (String) -> Void
    init(_ write: @escaping @Sendable (String) -> Void) { self.write = write }
}

/// Runs `body` inside a GLPK session on the calling thread.
///
/// GLPK keeps its environment per thread. A session installs the output hook (so GLPK
/// never writes to stdout), and frees the thread's environment when it ends, so no
/// GLPK state outlives the call and no per-thread memory is left behind. Every
/// ``GLPKProblem`` must be created and deleted inside one session.
func withGLPKSession<Result>(
    log: (@Sendable (String) -> Void)?,
    _ body: () throws -> Result
) throws -> Result {
    let sink = log.map(LogSink.init)
    let info = sink.map { Unmanaged.passUnretained($0).toOpaque() }
    let hook: rg_log_fn? = sink == nil ? nil : { info, text in
        guard let info, let text else { return }
        Unmanaged<LogSink>.fromOpaque(info).takeUnretainedValue().write(String(cString: text))
    }
    guard rg_enter(hook, info) == 0 else { throw GLPKError.nestedSession }
    defer { rg_leave() }
    return try withExtendedLifetime(sink) { try body() }
}

extension rg_error {
    /// The message GLPK printed before the contained failure.
    var message: String {
        withUnsafeBytes(of: text) { raw in
            String(decoding: raw.prefix(while: { $0 != 0 }), as: UTF8.self)
        }
    }
}
