internal import CGLPK
internal import CGLPKGuard
import MIP

/// Sole owner of one `glp_prob`.
///
/// Created, used and deleted on one thread inside one ``withGLPKSession(log:_:)``; it is
/// deliberately not `Sendable`. After a contained GLPK error the environment (and with
/// it the problem) is already gone: ``invalidate()`` forgets the pointer so nothing frees
/// it twice.
final class GLPKProblem {
    private(set) var pointer: OpaquePointer?

    /// Loads the whole model into a new GLPK problem (wraps `glp_load_matrix` and friends).
    init(_ model: Model) throws {
        var names: [CChar] = []
        let columnNameOffsets = Self.appendNames(model.variableNames, count: model.variableCount, into: &names)
        let rowNameOffsets = Self.appendNames(model.constraintNames, count: model.constraintCount, into: &names)
        let integer = model.kinds.map { $0.isIntegral ? UInt8(1) : 0 }
        var error = rg_error()
        var created: OpaquePointer?
        let status = integer.withUnsafeBufferPointer { integer in
            model.lowerBounds.withUnsafeBufferPointer { colLower in
            model.upperBounds.withUnsafeBufferPointer { colUpper in
            model.objectiveCoefficients.withUnsafeBufferPointer { objective in
            model.rowLower.withUnsafeBufferPointer { rowLower in
            model.rowUpper.withUnsafeBufferPointer { rowUpper in
            model.rowStart.withUnsafeBufferPointer { rowStart in
            model.rowColumns.withUnsafeBufferPointer { rowColumns in
            model.rowCoefficients.withUnsafeBufferPointer { rowValues in
            names.withUnsafeBufferPointer { nameBuffer in
            Self.withOptionalBuffer(columnNameOffsets) { columnNames in
            Self.withOptionalBuffer(rowNameOffsets) { rowNames in
            (model.name ?? "").withCString { problemName in
                var description = rg_model(
                    n_cols: Int32(model.variableCount),
                    n_rows: Int32(model.constraintCount),
                    col_integer: integer.baseAddress,
                    col_lb: colLower.baseAddress,
                    col_ub: colUpper.baseAddress,
                    obj: objective.baseAddress,
                    obj_constant: model.objectiveConstant,
                    maximize: model.sense == .maximize ? 1 : 0,
                    row_lb: rowLower.baseAddress,
                    row_ub: rowUpper.baseAddress,
                    row_start: rowStart.baseAddress,
                    row_col: rowColumns.baseAddress,
                    row_val: rowValues.baseAddress,
                    name_buf: nameBuffer.baseAddress,
                    col_name_off: columnNames,
                    row_name_off: rowNames,
                    prob_name: model.name == nil ? nil : problemName)
                return rg_build(&description, &created, &error)
            }}}}}}}}}}}}}
        guard status == 0, let created else {
            throw GLPKError.failed(operation: "loading the model", message: error.message)
        }
        pointer = created
    }

    /// Reads a model file into a new GLPK problem.
    init(reading path: String, format: ModelFileFormat) throws {
        var error = rg_error()
        var created: OpaquePointer?
        var code: Int32 = 0
        let status = rg_read(format.code, path, &created, &code, &error)
        guard status == 0 else { throw GLPKError.failed(operation: "reading \(path)", message: error.message) }
        guard code == 0, let created else {
            throw GLPKError.file(path: path, message: "GLPK could not read the file as \(format): \(error.message)")
        }
        pointer = created
    }

    deinit {
        if let pointer { rg_delete(pointer) }
    }

    /// Deletes the problem now (it must be deleted before its session ends).
    func delete() {
        if let pointer { rg_delete(pointer) }
        pointer = nil
    }

    /// Forgets the pointer after GLPK freed the environment on a contained error.
    func invalidate() {
        pointer = nil
    }

    /// GLPK's own counts for the loaded problem.
    var size: GLPKProblemSize {
        var rows: Int32 = 0, columns: Int32 = 0, nonzeros: Int32 = 0, integers: Int32 = 0
        rg_size(pointer, &rows, &columns, &nonzeros, &integers)
        return GLPKProblemSize(rows: Int(rows), columns: Int(columns), nonzeros: Int(nonzeros), integers: Int(integers))
    }

    /// Appends NUL-terminated names; returns one offset per entry (-1: unnamed), or nil if none is named.
    private static func appendNames(_ names: [String?], count: Int, into buffer: inout [CChar]) -> [Int]? {
        guard names.contains(where: { $0 != nil }) else { return nil }
        var offsets = [Int](repeating: -1, count: count)
        for (k, name) in names.enumerated() {
            guard let name else { continue }
            offsets[k] = buffer.count
            buffer.append(contentsOf: name.utf8.map { CChar(bitPattern: $0) })
            buffer.append(0)
        }
        return offsets
    }

    private static func withOptionalBuffer<R>(_ array: [Int]?, _ body: (UnsafePointer<Int>?) -> R) -> R {
        guard let array else { return body(nil) }
        return array.withUnsafeBufferPointer { body($0.baseAddress) }
    }
}

/// Sizes of a problem as GLPK holds it.
public struct GLPKProblemSize: Sendable, Hashable {
    public var rows: Int
    public var columns: Int
    public var nonzeros: Int
    public var integers: Int

    public init(rows: Int, columns: Int, nonzeros: Int, integers: Int) {
        self.rows = rows
        self.columns = columns
        self.nonzeros = nonzeros
        self.integers = integers
    }
}

/// Text formats GLPK writes (and reads back) for comparison with other solvers.
public enum ModelFileFormat: String, Sendable, CaseIterable, CustomStringConvertible {
    /// CPLEX LP format.
    case cplexLP = "lp"
    /// Free (modern) MPS format; integer columns are marked with INTORG/INTEND.
    case freeMPS = "mps"

    var code: Int32 { self == .cplexLP ? Int32(RG_FORMAT_CPLEX_LP) : Int32(RG_FORMAT_FREE_MPS) }

    public var description: String { self == .cplexLP ? "CPLEX LP" : "free MPS" }
}
