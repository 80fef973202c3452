import CGLPK
import Foundation
import CGLPKGuard
import MIP
@testable import MIPGLPK
import Testing

@Suite("GLPK's fatal errors are contained")
struct ContainmentTests {
    /// Bypasses the Swift validation on purpose: a row naming one column twice makes
    /// glp_load_matrix call GLPK's fatal error routine, which would abort() the process.
    @Test("a duplicate matrix index becomes a Swift error, and GLPK works afterwards")
    func duplicateIndexContained() throws {
        let captured = try capturingStandardOutput {
            let message = try withGLPKSession(log: nil) { () -> String in
                let integer: [UInt8] = [0, 0]
                let bounds: [Double] = [0, 0]
                let upper: [Double] = [1, 1]
                let rowLower: [Double] = [-.infinity]
                let rowUpper: [Double] = [1]
                let rowStart: [Int] = [0, 2]
                let rowColumns: [Int32] = [0, 0]  // column 1 twice
                let rowValues: [Double] = [1, 1]
                var description = rg_model()
                description.n_cols = 2
                description.n_rows = 1
                var created: OpaquePointer?
                var error = rg_error()
                let status = integer.withUnsafeBufferPointer { integer in
                    bounds.withUnsafeBufferPointer { lower in
                    upper.withUnsafeBufferPointer { upper in
                    rowLower.withUnsafeBufferPointer { rowLower in
                    rowUpper.withUnsafeBufferPointer { rowUpper in
                    rowStart.withUnsafeBufferPointer { rowStart in
                    rowColumns.withUnsafeBufferPointer { rowColumns in
                    rowValues.withUnsafeBufferPointer { rowValues in
                        description.col_integer = integer.baseAddress
                        description.col_lb = lower.baseAddress
                        description.col_ub = upper.baseAddress
                        description.obj = lower.baseAddress
                        description.row_lb = rowLower.baseAddress
                        description.row_ub = rowUpper.baseAddress
                        description.row_start = rowStart.baseAddress
                        description.row_col = rowColumns.baseAddress
                        description.row_val = rowValues.baseAddress
                        return rg_build(&description, &created, &error)
                    }}}}}}}}
                #expect(status == 1)
                #expect(created == nil)
                return error.message
            }
            #expect(message.hasPrefix("glp_load_mat: ia[1] = 1; ja[1] = 1; duplicate indices not allowed"))
            // The process is alive and GLPK still solves.
            let (model, _) = try KnownModels.setCover()
            #expect(try model.solve(using: GLPKBackend()).objective == 5)
        }
        for phrase in glpkPhrases { #expect(!captured.contains(phrase)) }
    }

    @Test("an unreadable model file is an error, not a crash")
    func unreadableFile() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("broken-\(UUID().uuidString).lp").path
        try "this is not\nan LP file ::: \n".write(toFile: path, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: path) }
        do {
            _ = try GLPKBackend().solveFile(at: path, format: .cplexLP)
            Issue.record("reading a broken file succeeded")
        } catch let GLPKError.file(errorPath, message) {
            #expect(errorPath == path)
            // GLPK's own diagnosis, with the line number, is part of the message.
            #expect(message.hasPrefix("GLPK could not read the file as CPLEX LP: \(path):1: "))
        }
    }
}
