import Foundation
import MIP
@testable import MIPGLPK
import Testing

@Suite("LP and MPS export")
struct ExportTests {
    static let models: [(String, Model)] = {
        let knapsack = try! KnownModels.knapsack().0
        let assignment = try! KnownModels.assignment().0
        let cover = try! KnownModels.setCover().0
        let lp = try! KnownModels.fractionalLP().0
        var constant = Model(name: "with-constant", keepsNames: false)
        let x = try! constant.addVariable(.integer, lower: -3, upper: 8)
        let y = try! constant.addVariable(lower: -.infinity)
        try! constant.addConstraint(LinearConstraint(x + y, in: -2...5.5))
        try! constant.addConstraint(y >= -1.25)
        try! constant.maximize(2 * x + 3 * y + 4)
        return [("knapsack", knapsack), ("assignment", assignment), ("setcover", cover), ("fractional", lp),
                ("constant", constant)]
    }()

    @Test("GLPK reads each export back to the same optimum",
          arguments: ExportTests.models.indices, ModelFileFormat.allCases)
    func roundTrip(index: Int, format: ModelFileFormat) throws {
        let (label, model) = Self.models[index]
        let backend = GLPKBackend()
        let direct = try model.solve(using: backend)
        #expect(direct.termination == .optimal)
        let path = FileManager.default.temporaryDirectory
            .appendingPathComponent("\(label)-\(UUID().uuidString).\(format.rawValue)").path
        try backend.write(model, format: format, to: path)
        defer { try? FileManager.default.removeItem(atPath: path) }
        let read = try backend.solveFile(at: path, format: format)
        #expect(read.termination == .optimal)
        let objective = try #require(read.objective)
        // MPS has no objective direction: a maximisation is exported negated.
        let expected = format == .freeMPS && model.sense == .maximize ? -direct.objective! : direct.objective!
        #expect(abs(objective - expected) < 1e-9)
    }

    @Test("the LP text names rows and columns and marks integers")
    func lpText() throws {
        let (model, _) = try KnownModels.knapsack()
        let text = try GLPKBackend().text(of: model, format: .cplexLP)
        #expect(text.contains("Maximize"))
        #expect(text.contains("capacity:"))
        #expect(text.contains("take_5"))
        #expect(text.contains("Binaries") || text.contains("Generals"))
        let mps = try GLPKBackend().text(of: model, format: .freeMPS)
        #expect(mps.contains("INTORG"))
        #expect(mps.contains("capacity"))
    }

    @Test("the constant model's optimum, checked by hand")
    func constantModelByHand() throws {
        // max 2x + 3y + 4, −2 ≤ x + y ≤ 5.5, y ≥ −1.25, −3 ≤ x ≤ 8 integer:
        // with y = 5.5 − x, objective = 2x + 16.5 − 3x + 4 = 20.5 − x, so x as small as
        // possible: x = −3, y = 8.5, objective 2·(−3) + 3·8.5 + 4 = 23.5.
        let model = Self.models[4].1
        let result = try model.solve(using: GLPKBackend())
        #expect(result.objective == 23.5)
        #expect(result.values == [-3, 8.5])
    }
}

@Suite("Export refuses ambiguous names")
struct ExportNameTests {
    @Test("two rows with one name would merge in a reader: refused")
    func duplicateRowNames() throws {
        var model = Model()
        let x = try model.addVariable(name: "x")
        try model.addConstraint(x <= 1, name: "same")
        try model.addConstraint(x >= 0, name: "same")
        try model.minimize(LinearExpression(x))
        #expect(throws: GLPKError.file(path: "/tmp/never.mps", message: "the model has two rows named \"same\"; names must be unique to export")) {
            try GLPKBackend().write(model, format: .freeMPS, to: "/tmp/never.mps")
        }
    }
}
