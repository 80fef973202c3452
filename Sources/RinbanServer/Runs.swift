import Foundation
import MIPGLPK
import RinbanCore
import RinbanPlanning

/// One moment of a run, as the month page and `GET /api/runs/{id}/events` show it.
public struct RunUpdate: Sendable, Hashable, Codable {
    public var id: Int64
    public var state: String
    public var incumbent: Double?
    public var bound: Double?
    public var gap: Double?
    public var seconds: Double?
    public var message: String?

    init(_ run: Store.Run) {
        id = run.id
        state = run.state
        incumbent = run.incumbent
        bound = run.bound
        gap = run.gap
        seconds = run.seconds
        message = run.message
    }
}

/// Plans months off the request path. Each run gets its own thread (GLPK blocks and keeps
/// its state per thread), writes its progress to the database, and tells the listeners of
/// its events. The request that starts a run returns at once.
public actor RunCoordinator {
    let store: Store
    private var listeners: [Int64: [UUID: AsyncStream<RunUpdate>.Continuation]] = [:]
    private var stopFlags: [Int64: StopFlag] = [:]

    public init(store: Store) {
        self.store = store
    }

    /// Records and starts a run of the month's instance.
    /// - Throws: ``Store/Conflict/runInProgress(_:)`` when one is running already.
    public func start(month: Int64, loaded: LoadedInstance, engine: RotaEngine, timeLimit: Double, audit: Store.AuditEntry? = nil) throws -> Int64 {
        let id = try store.createRun(month: month, engine: engine.rawValue, timeLimit: timeLimit, startedBy: audit?.actor, audit: audit)
        let store = self.store
        let coordinator = self
        let stop = StopFlag()
        stopFlags[id] = stop
        let thread = Thread {
            let started = Date()
            var options = RotaPlanOptions(engine: engine, timeLimit: timeLimit)
            options.shouldStop = { stop.isSet }
            let latest = LatestProgress()
            options.values = { progress in
                let (incumbent, bound) = latest.merge(progress)
                try? store.updateRun(id, incumbent: incumbent, bound: bound, seconds: Date().timeIntervalSince(started))
                Task { await coordinator.publish(id) }
            }
            do {
                let outcome = try MonthPlanner.plan(loaded, MonthPlanRequest(options: options), backend: GLPKBackend())
                let plan = outcome.plan
                if stop.isSet {
                    // Cancelled: the month keeps the draft it had.
                    try store.finishRun(id, state: "cancelled", plan: nil, incumbent: plan.objective?.total, bound: plan.solver?.bound,
                                        seconds: Date().timeIntervalSince(started), message: "取り消しました / cancelled")
                } else {
                    try store.finishRun(id, state: "done", plan: PlanWriter.json(plan), incumbent: plan.objective?.total,
                                        bound: plan.solver?.bound, seconds: Date().timeIntervalSince(started), message: nil)
                }
            } catch {
                try? store.finishRun(id, state: "failed", plan: nil, incumbent: nil, bound: nil,
                                     seconds: Date().timeIntervalSince(started), message: "\(error)")
            }
            Task { await coordinator.ended(id) }
        }
        thread.name = "rinban-run-\(id)"
        thread.stackSize = 16 << 20
        thread.start()
        return id
    }

    /// Asks a running run to stop; it ends within about a second as `cancelled`.
    /// - Returns: whether the run was running in this process.
    public func cancel(_ run: Int64) -> Bool {
        guard let flag = stopFlags[run] else { return false }
        flag.set()
        return true
    }

    private func ended(_ id: Int64) {
        stopFlags[id] = nil
        publish(id, final: true)
    }

    /// The run's updates from now on: the current state first, then each change, ending
    /// when the run ends.
    public func updates(of run: Int64) -> AsyncStream<RunUpdate> {
        let (stream, continuation) = AsyncStream<RunUpdate>.makeStream(bufferingPolicy: .bufferingNewest(8))
        guard let current = try? store.run(run) else {
            continuation.finish()
            return stream
        }
        continuation.yield(RunUpdate(current))
        if current.state != "running" {
            continuation.finish()
            return stream
        }
        let key = UUID()
        listeners[run, default: [:]][key] = continuation
        continuation.onTermination = { _ in Task { await self.forget(run, key) } }
        return stream
    }

    private func forget(_ run: Int64, _ key: UUID) {
        listeners[run]?[key] = nil
    }

    private func publish(_ id: Int64, final: Bool = false) {
        guard let run = try? store.run(id), let listening = listeners[id] else { return }
        for continuation in listening.values {
            continuation.yield(RunUpdate(run))
            if final || run.state != "running" { continuation.finish() }
        }
        if final || run.state != "running" { listeners[id] = nil }
    }
}

/// The best incumbent and bound seen so far (progress reports carry one or the other).
private final class LatestProgress: @unchecked Sendable {
    private let lock = NSLock()
    private var incumbent: Double?
    private var bound: Double?

    func merge(_ progress: RotaProgress) -> (Double?, Double?) {
        lock.withLock {
            if let value = progress.incumbent { incumbent = min(incumbent ?? value, value) }
            if let value = progress.bound { bound = max(bound ?? value, value) }
            return (incumbent, bound)
        }
    }
}

/// A cancel request, read from the run's thread.
private final class StopFlag: @unchecked Sendable {
    private let lock = NSLock()
    private var value = false

    var isSet: Bool { lock.withLock { value } }
    func set() { lock.withLock { value = true } }
}
