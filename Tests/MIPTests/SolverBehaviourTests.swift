import Foundation
import MIP
@testable import MIPGLPK
import Synchronization
import Testing

@Suite("GLPK search behaviour: limits, incumbents, progress")
struct SolverBehaviourTests {
    let backend = GLPKBackend()

    @Test("a time-limited hard model returns its incumbent with bound and gap, on time")
    func timeLimitedHardModel() throws {
        let (model, _, _) = try KnownModels.marketSplit()
        let limit = 1.5
        let result = try model.solve(using: backend, options: SolveOptions(timeLimit: limit))
        #expect(result.termination == .timeLimit)
        #expect(result.hasSolution)
        #expect(model.violations(of: result.values).isEmpty)
        let objective = try #require(result.objective)
        let bound = try #require(result.bound)
        #expect(bound >= 0)  // every term of the objective is ≥ 0
        #expect(bound <= objective)
        #expect(objective > 0)  // the split is not found in 1.5 s
        let gap = try #require(result.relativeGap)
        #expect(abs(gap - (objective - bound) / max(abs(objective), 1)) < 1e-12)
        // GLPK's own limit is soft; the callback's deadline keeps it within a second or two.
        #expect(result.seconds >= limit * 0.9)
        #expect(result.seconds < limit + 2)
        #expect(result.nodes > 1)
    }

    @Test("a relative gap limit stops early, measured with the objective's constant")
    func gapLimit() throws {
        // The market split's bound stays at 0, so only the constant 1000 lets the gap
        // (objective − bound) / objective fall under 5 %: the bound must include it.
        let (hard, _, rhs) = try KnownModels.marketSplit()
        var model = hard
        var objective = LinearExpression(1000)
        for j in model.variableCount - 2 * rhs.count..<model.variableCount { objective.add(Variable(index: j)) }
        try model.minimize(objective)
        let result = try model.solve(using: backend, options: SolveOptions(timeLimit: 20, relativeGap: 0.05))
        #expect(result.termination == .gapLimit)
        let bound = try #require(result.bound)
        #expect(bound >= 1000)
        #expect(try #require(result.relativeGap) <= 0.05)
        #expect(result.seconds < 10)
    }

    @Test("a feasible start is injected and the answer is at least as good")
    func injectedStart() throws {
        let (model, _, rhs) = try KnownModels.marketSplit()
        let start = KnownModels.marketSplitZeroStart(model, rhs: rhs)
        #expect(model.violations(of: start).isEmpty)
        let startObjective = model.objectiveValue(start)
        #expect(startObjective == rhs.reduce(0, +))
        let result = try model.solve(using: backend, options: SolveOptions(timeLimit: 1, initialSolution: start))
        #expect(result.start == .accepted)
        #expect(result.hasSolution)
        #expect(try #require(result.objective) <= startObjective)
        #expect(model.violations(of: result.values).isEmpty)
    }

    @Test("the start is the answer when GLPK finds nothing better")
    func startKeptWhenNothingBetter() throws {
        // Knapsack with the optimal selection as start: GLPK cannot beat it.
        let (model, _) = try KnownModels.knapsack()
        let start: [Double] = [0, 1, 1, 1, 1]
        let result = try model.solve(using: backend, options: SolveOptions(initialSolution: start))
        #expect(result.termination == .optimal)
        #expect(result.objective == 15)
        #expect(result.values == start)
    }

    @Test("an infeasible start is rejected with its violations and never reaches GLPK")
    func infeasibleStartRejected() throws {
        let (model, _) = try KnownModels.knapsack()
        let overweight: [Double] = [1, 1, 1, 1, 1]  // weight 20 > 15
        let result = try model.solve(using: backend, options: SolveOptions(initialSolution: overweight))
        guard case let .rejected(reasons) = result.start else {
            Issue.record("expected a rejected start, got \(result.start)")
            return
        }
        #expect(reasons == ["constraint \"capacity\": activity 20.0 outside [-inf, 15.0]"])
        // Had GLPK trusted it, the "optimum" would be 19.
        #expect(result.objective == 15)
        #expect(result.termination == .optimal)

        let fractional: [Double] = [0, 0.5, 1, 1, 1]
        let second = try model.solve(using: backend, options: SolveOptions(initialSolution: fractional))
        #expect(second.start == .rejected(["variable \"take_2\" = 0.5 is not integral"]))
    }

    @Test("progress reports arrive with incumbent, bound, gap and growing elapsed time")
    func progressReports() throws {
        let (model, _, _) = try KnownModels.marketSplit()
        let reports = Mutex<[SolveProgress]>([])
        var options = SolveOptions(timeLimit: 1.5)
        options.progressInterval = 0.2
        options.progress = { report in reports.withLock { $0.append(report) } }
        let result = try model.solve(using: backend, options: options)
        let seen = reports.withLock { $0 }
        #expect(seen.count >= 3)
        #expect(zip(seen, seen.dropFirst()).allSatisfy { $0.elapsed <= $1.elapsed })
        let last = try #require(seen.last)
        #expect(last.incumbent != nil)
        #expect(last.bound != nil)
        #expect(last.gap != nil)
        let lastIncumbent = try #require(last.incumbent)
        #expect(lastIncumbent >= (try #require(result.objective)))
    }

    @Test("GLPK's log goes to the caller's sink when asked, and nowhere otherwise")
    func logCapture() throws {
        let (model, _) = try KnownModels.setCover()
        let lines = Mutex<String>("")
        var options = SolveOptions()
        options.log = { text in lines.withLock { $0 += text } }
        let captured = try capturingStandardOutput {
            print("capture-marker")
            _ = try model.solve(using: backend, options: options)
            _ = try model.solve(using: backend)
        }
        // Other suites may print to the same descriptor meanwhile: look for GLPK's phrases only.
        #expect(captured.contains("capture-marker"))
        for phrase in glpkPhrases { #expect(!captured.contains(phrase)) }
        let log = lines.withLock { $0 }
        #expect(log.contains("mip =   5.000000000e+00"))  // GLPK's branch-and-bound line for the optimum
    }

    @Test("two models solved concurrently on two threads give the sequential answers")
    func concurrentSolves() throws {
        let (hard, _, _) = try KnownModels.marketSplit(columns: 24, rows: 2, seed: 11)
        let (cover, _) = try KnownModels.setCover()
        let models = [hard, cover, hard, cover]
        let options = SolveOptions(timeLimit: 20)
        let sequential = try models.map { try $0.solve(using: backend, options: options).objective }
        let results = Mutex<[Int: Double?]>([:])
        let failures = Mutex<[String]>([])
        let group = DispatchGroup()
        for (k, model) in models.enumerated() {
            group.enter()
            let thread = Thread { [backend] in
                defer { group.leave() }
                do {
                    let result = try model.solve(using: backend, options: options)
                    results.withLock { $0[k] = result.objective }
                } catch {
                    failures.withLock { $0.append("\(error)") }
                }
            }
            thread.start()
        }
        group.wait()
        #expect(failures.withLock { $0 }.isEmpty)
        let concurrent = results.withLock { dict in models.indices.map { dict[$0] ?? nil } }
        #expect(concurrent == sequential)
        #expect(sequential[1] == 5)
    }

    @Test("a solve started from a progress handler is refused, not run on a shared environment")
    func nestedSolveRefused() throws {
        let (model, _, _) = try KnownModels.marketSplit()
        let (inner, _) = try KnownModels.knapsack()
        let errors = Mutex<[String]>([])
        var options = SolveOptions(timeLimit: 0.5)
        options.progress = { [backend] _ in
            do {
                _ = try inner.solve(using: backend)
            } catch {
                errors.withLock { $0.append("\(error)") }
            }
        }
        let result = try model.solve(using: backend, options: options)
        #expect(result.hasSolution)
        let seen = errors.withLock { $0 }
        #expect(!seen.isEmpty)
        #expect(seen.allSatisfy { $0 == "\(GLPKError.nestedSession)" })
    }
}

/// Phrases only GLPK prints (its MIP log and its error report).
let glpkPhrases = ["INTEGER OPTIMAL", "Integer optimization begins", "Error detected in file", "glp_"]

/// Runs `body` with file descriptor 1 redirected to a temporary file; returns what was written.
func capturingStandardOutput(_ body: () throws -> Void) throws -> String {
    let path = FileManager.default.temporaryDirectory.appendingPathComponent("stdout-\(UUID().uuidString)").path
    fflush(nil)
    let saved = dup(1)
    let file = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
    precondition(saved >= 0 && file >= 0)
    dup2(file, 1)
    close(file)
    defer {
        fflush(nil)
        dup2(saved, 1)
        close(saved)
        try? FileManager.default.removeItem(atPath: path)
    }
    try body()
    fflush(nil)
    return (try? String(contentsOfFile: path, encoding: .utf8)) ?? ""
}
