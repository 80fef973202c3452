import Foundation
import RinbanCore

/// Edits of months' working instances (availability from the grid and from members'
/// links, pins), committed in groups.
///
/// Every edit rewrites the month's instance: applying it, checking the whole instance as
/// an upload is checked, and storing the text take about 0.1 s on the 300-clinic month.
/// When a hundred members answer at once, one edit at a time would queue them for
/// seconds, and optimistic retries would fail some. So edits wait in one queue, and its
/// worker (one thread, off the request threads) takes every edit waiting for a month,
/// applies them in order, checks the result once, and stores it in one transaction with
/// each edit's audit entry and answer. An edit that is refused on its own (a bad mark) is
/// answered at once and left out; if the group as a whole fails the check, each edit is
/// checked alone so one bad edit never sinks the others.
final class InstanceEdits: @unchecked Sendable {
    enum Outcome: Sendable {
        /// The new revision, and the instance's pins and marked cells (counted once per group).
        case saved(revision: Int, pins: Int, marks: Int)
        case refused([ServerApplication.Problems.Problem])
    }

    struct Job: @unchecked Sendable {
        var month: Int64
        var edit: (Instance) throws -> ServerApplication.InstanceEdit
        var audit: (_ before: Instance, _ after: Instance) -> Store.AuditEntry
        var answer: (member: String, note: String)?
        var done: CheckedContinuation<Outcome, Error>
    }

    private let lock = NSLock()
    private var waiting: [Job] = []
    private var working = false
    private let queue = DispatchQueue(label: "rinban.instance-edits", qos: .userInitiated)
    /// Edits stored per transaction, for the benchmark's report.
    private(set) var groups: [Int] = []

    func submit(_ month: Int64, audit: @escaping (Instance, Instance) -> Store.AuditEntry, answer: (member: String, note: String)?,
                edit: @escaping (Instance) throws -> ServerApplication.InstanceEdit, in application: ServerApplication) async throws -> Outcome
    {
        try await withCheckedThrowingContinuation { continuation in
            let start = lock.withLock {
                waiting.append(Job(month: month, edit: edit, audit: audit, answer: answer, done: continuation))
                defer { working = true }
                return !working
            }
            if start { queue.async { self.drain(application) } }
        }
    }

    private func drain(_ application: ServerApplication) {
        while true {
            let jobs: [Job] = lock.withLock {
                let taken = waiting
                waiting.removeAll()
                if taken.isEmpty { working = false }
                return taken
            }
            if jobs.isEmpty { return }
            var months: [Int64] = []
            for job in jobs where !months.contains(job.month) { months.append(job.month) }
            for month in months { commit(jobs.filter { $0.month == month }, month: month, application) }
        }
    }

    private func commit(_ jobs: [Job], month: Int64, _ application: ServerApplication) {
        var jobs = jobs
        for _ in 0..<5 {
            do {
                let (loaded, revision) = try application.currentInstance(ofMonth: month)
                // Apply in order; an edit refused on its own is answered now.
                var instance = loaded.instance
                var applied: [(job: Job, before: Instance, after: Instance)] = []
                for job in jobs {
                    switch try job.edit(instance) {
                    case .failure(let problems): job.done.resume(returning: .refused(problems))
                    case .success(let edited):
                        applied.append((job, instance, edited))
                        instance = edited
                    }
                }
                jobs = applied.map(\.job)
                if applied.isEmpty { return }
                var checked: (text: String, loaded: LoadedInstance)
                do {
                    checked = try Self.check(instance)
                } catch {
                    // Some edit breaks the instance: keep the edits that pass alone, in order.
                    applied = []
                    instance = loaded.instance
                    checked = (InstanceEncoder.jsonText(instance), loaded)
                    for job in jobs {
                        guard case .success(let edited) = try job.edit(instance) else { continue }
                        do {
                            checked = try Self.check(edited)
                            applied.append((job, instance, edited))
                            instance = edited
                        } catch let failure {
                            job.done.resume(returning: .refused(failure.issues.map {
                                .init(path: $0.path.description, message: $0.message,
                                      japanese: "この変更は保存できません。月の設定がルールに合わなくなります (\($0.path)): \($0.message)",
                                      severity: $0.severity.rawValue)
                            }))
                        }
                    }
                    jobs = applied.map(\.job)
                    if applied.isEmpty { return }
                }
                let next = try application.store.replaceInstance(
                    month: month, text: checked.text, expectedRevision: revision,
                    audits: applied.map { $0.job.audit($0.before, $0.after) }, answers: applied.compactMap(\.job.answer))
                application.instances.insert(month, revision: next, checked.loaded)
                lock.withLock { groups.append(applied.count) }
                let marks = AvailabilityGrid.marks(of: instance).count
                for entry in applied { entry.job.done.resume(returning: .saved(revision: next, pins: instance.pins.count, marks: marks)) }
                return
            } catch Store.Conflict.instanceChanged {
                // A proposal was published with its change in between: apply the group again.
                continue
            } catch {
                for job in jobs { job.done.resume(throwing: error) }
                return
            }
        }
        for job in jobs { job.done.resume(throwing: Store.Conflict.instanceChanged(current: 0)) }
    }

    /// The instance as an upload is checked (its text read back by the validator).
    static func check(_ instance: Instance) throws(InputError) -> (text: String, loaded: LoadedInstance) {
        let text = InstanceEncoder.jsonText(instance)
        return (text, try InstanceDecoder.decode(DocumentReader.parse(Array(text.utf8), format: .json)))
    }
}
