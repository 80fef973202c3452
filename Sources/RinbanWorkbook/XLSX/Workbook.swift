import RinbanCore

// The spreadsheet model shared by every workbook rinban writes or reads. It knows nothing
// of rinban's domain: sheets, cells, styles, drop-downs, print settings. `XLSXWriter`
// turns a `Workbook` into an .xlsx file; `XLSXReader` turns a file into `SheetGrid`s.

/// A cell position, both numbers from 0 (row 0 is Excel's row 1, column 0 is "A").
public struct CellRef: Hashable, Sendable, Comparable, CustomStringConvertible {
    public var row: Int
    public var column: Int

    public init(row: Int, column: Int) {
        self.row = row
        self.column = column
    }

    /// Excel's letters of a column: 0 → "A", 25 → "Z", 26 → "AA".
    public static func letters(ofColumn column: Int) -> String {
        var n = column + 1
        var letters: [Character] = []
        while n > 0 {
            let r = (n - 1) % 26
            letters.append(Character(Unicode.Scalar(UInt8(65 + r))))
            n = (n - 1) / 26
        }
        return String(letters.reversed())
    }

    /// Parses `B12` (letters then digits, case-insensitive); nil for anything else.
    public init?(a1 text: Substring) {
        var column = 0, row = 0, letters = 0, digits = 0
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"):
                guard digits == 0, letters < 4 else { return nil }
                column = column * 26 + Int((byte & 0xDF) - 64)
                letters += 1
            case UInt8(ascii: "0")...UInt8(ascii: "9"):
                guard letters > 0, digits < 8 else { return nil }
                row = row * 10 + Int(byte - 48)
                digits += 1
            case UInt8(ascii: "$"):
                continue
            default:
                return nil
            }
        }
        guard letters > 0, digits > 0, row > 0 else { return nil }
        self.init(row: row - 1, column: column - 1)
    }

    /// `B12`.
    public var description: String { "\(CellRef.letters(ofColumn: column))\(row + 1)" }

    /// `$B$12`, for formulas.
    public var absolute: String { "$\(CellRef.letters(ofColumn: column))$\(row + 1)" }

    public static func < (a: CellRef, b: CellRef) -> Bool { (a.row, a.column) < (b.row, b.column) }
}

/// A rectangle of cells, corners included.
public struct CellRange: Hashable, Sendable, CustomStringConvertible {
    public var first: CellRef
    public var last: CellRef

    public init(_ first: CellRef, _ last: CellRef) {
        self.first = first
        self.last = last
    }

    /// Rows `rows` of one column.
    public init(column: Int, rows: ClosedRange<Int>) {
        self.init(CellRef(row: rows.lowerBound, column: column), CellRef(row: rows.upperBound, column: column))
    }

    /// `A2:C10` (or `A2` for one cell).
    public var description: String { first == last ? first.description : "\(first):\(last)" }
    /// `$A$2:$C$10`.
    public var absolute: String { "\(first.absolute):\(last.absolute)" }
}

/// What a cell holds.
public enum CellValue: Hashable, Sendable {
    case empty
    case text(String)
    case number(Double)
    case bool(Bool)
    /// Written as Excel's serial number with a date format.
    case date(CivilDate)
    /// Minutes after midnight, written as a fraction of a day with a time format.
    case time(minutes: Int)
}

/// An RGB colour, `"FF0000"` for red.
public struct Color: Hashable, Sendable {
    public var rgb: String
    public init(_ rgb: String) { self.rgb = rgb }

    public static let black = Color("000000")
    public static let white = Color("FFFFFF")
    public static let red = Color("C00000")
    public static let gray = Color("808080")
    /// Light red fill of Sundays and holidays.
    public static let holidayFill = Color("FCE4E4")
    /// Light blue fill of Saturdays.
    public static let saturdayFill = Color("E4EEFC")
    /// Header fill.
    public static let headerFill = Color("DDEBF7")
    /// Data bars.
    public static let bar = Color("5B9BD5")
}

/// Number formats rinban uses.
public enum NumberFormat: Hashable, Sendable {
    case general
    /// `0`
    case integer
    /// `0.00`
    case decimal2
    /// `yyyy-mm-dd`
    case date
    /// `m/d (aaa)`, e.g. `1/5 (火)`: month grids.
    case shortDateWithWeekday
    /// `hh:mm`
    case time
    /// `@`: text, so Excel keeps `007` and `1-2` as typed.
    case text
}

/// How a cell looks. Equal styles are written once.
public struct CellStyle: Hashable, Sendable {
    public var bold = false
    public var italic = false
    /// Points; nil is the workbook's default (11).
    public var fontSize: Double?
    public var fontColor: Color?
    public var fill: Color?
    public var format: NumberFormat = .general
    public var wrap = false
    public var horizontal: Horizontal = .general
    public var vertical: Vertical = .center
    public var border = false

    public enum Horizontal: String, Hashable, Sendable { case general, left, center, right }
    public enum Vertical: String, Hashable, Sendable { case top, center, bottom }

    public init(
        bold: Bool = false, italic: Bool = false, fontSize: Double? = nil, fontColor: Color? = nil, fill: Color? = nil,
        format: NumberFormat = .general, wrap: Bool = false, horizontal: Horizontal = .general,
        vertical: Vertical = .center, border: Bool = false
    ) {
        self.bold = bold
        self.italic = italic
        self.fontSize = fontSize
        self.fontColor = fontColor
        self.fill = fill
        self.format = format
        self.wrap = wrap
        self.horizontal = horizontal
        self.vertical = vertical
        self.border = border
    }

    public static let plain = CellStyle()
}

public struct Cell: Hashable, Sendable {
    public var value: CellValue
    public var style: CellStyle

    public init(_ value: CellValue, style: CellStyle = .plain) {
        self.value = value
        self.style = style
    }

    public static let empty = Cell(.empty)
    public static func text(_ text: String, _ style: CellStyle = .plain) -> Cell { Cell(.text(text), style: style) }
    public static func number(_ number: Double, _ style: CellStyle = .plain) -> Cell { Cell(.number(number), style: style) }
}

/// A drop-down: the cells of `range` must take one of the values of `source`.
public struct ListValidation: Hashable, Sendable {
    public var range: CellRange
    /// A formula naming the allowed values: `'ブロック'!$A$3:$A$1000`, a defined name, or a
    /// literal list in quotes, `"physicians,stations"`.
    public var source: String
    /// Shown when a value outside the list is typed (Japanese).
    public var errorMessage: String?
    /// `stop` refuses other values; `warning` lets the clerk keep them (comma-separated
    /// lists such as skills need that).
    public var strict: Bool

    public init(range: CellRange, source: String, errorMessage: String? = nil, strict: Bool = true) {
        self.range = range
        self.source = source
        self.errorMessage = errorMessage
        self.strict = strict
    }
}

/// A data bar over numbers, so imbalance is seen at a glance.
public struct DataBar: Hashable, Sendable {
    public var range: CellRange
    public var color: Color

    public init(range: CellRange, color: Color = .bar) {
        self.range = range
        self.color = color
    }
}

/// Print settings of a sheet.
public struct PageSetup: Hashable, Sendable {
    public var landscape: Bool
    /// Scale the sheet to this many pages across (nil: no scaling).
    public var fitToWidth: Int?
    /// Rows repeated at the top of every printed page (from 0).
    public var repeatRows: ClosedRange<Int>?

    public init(landscape: Bool = true, fitToWidth: Int? = 1, repeatRows: ClosedRange<Int>? = nil) {
        self.landscape = landscape
        self.fitToWidth = fitToWidth
        self.repeatRows = repeatRows
    }
}

/// One worksheet to write.
public struct Sheet: Hashable, Sendable {
    /// At most 31 characters, none of `[]:*?/\`.
    public var name: String
    /// Row 0 is Excel's row 1; rows may have different lengths.
    public var rows: [[Cell]]
    /// Widths in characters (Excel's unit) by column from 0; missing columns keep the default.
    public var columnWidths: [Int: Double]
    /// Rows and columns kept in view while scrolling.
    public var frozenRows: Int
    public var frozenColumns: Int
    public var validations: [ListValidation]
    public var dataBars: [DataBar]
    public var merges: [CellRange]
    /// Paper is always A4.
    public var page: PageSetup?
    public var tabColor: Color?

    public init(
        name: String, rows: [[Cell]] = [], columnWidths: [Int: Double] = [:], frozenRows: Int = 0, frozenColumns: Int = 0,
        validations: [ListValidation] = [], dataBars: [DataBar] = [], merges: [CellRange] = [], page: PageSetup? = nil,
        tabColor: Color? = nil
    ) {
        self.name = name
        self.rows = rows
        self.columnWidths = columnWidths
        self.frozenRows = frozenRows
        self.frozenColumns = frozenColumns
        self.validations = validations
        self.dataBars = dataBars
        self.merges = merges
        self.page = page
        self.tabColor = tabColor
    }
}

/// A name for a range, usable in drop-down sources: `ブロック一覧` → `'ブロック'!$A$3:$A$1000`.
public struct DefinedName: Hashable, Sendable {
    public var name: String
    public var formula: String

    public init(name: String, formula: String) {
        self.name = name
        self.formula = formula
    }
}

/// A workbook to write.
public struct Workbook: Hashable, Sendable {
    public var sheets: [Sheet]
    public var definedNames: [DefinedName]
    /// The sheet shown when the file is opened (index into `sheets`).
    public var activeSheet: Int

    public init(sheets: [Sheet] = [], definedNames: [DefinedName] = [], activeSheet: Int = 0) {
        self.sheets = sheets
        self.definedNames = definedNames
        self.activeSheet = activeSheet
    }
}

// MARK: - What a reader returns

/// A value as read from a file, before any interpretation by column.
public enum ReadValue: Hashable, Sendable {
    case text(String)
    case number(Double)
    case bool(Bool)
    /// An error value such as `#REF!`.
    case error(String)
}

public struct ReadCell: Hashable, Sendable {
    public var value: ReadValue
    /// The formula, when the cell holds one (its cached result is `value`).
    public var formula: String?
    /// Whether the cell's number format shows a date (so a number is a date serial).
    public var isDateFormatted: Bool
    /// Whether the number format shows a time of day only.
    public var isTimeFormatted: Bool

    public init(_ value: ReadValue, formula: String? = nil, isDateFormatted: Bool = false, isTimeFormatted: Bool = false) {
        self.value = value
        self.formula = formula
        self.isDateFormatted = isDateFormatted
        self.isTimeFormatted = isTimeFormatted
    }
}

/// One sheet as read: its non-empty cells.
public struct SheetGrid: Sendable {
    public var name: String
    public var cells: [CellRef: ReadCell]

    public init(name: String, cells: [CellRef: ReadCell] = [:]) {
        self.name = name
        self.cells = cells
    }

    public subscript(row: Int, column: Int) -> ReadCell? { cells[CellRef(row: row, column: column)] }

    /// One past the last row holding a cell (0 for an empty sheet).
    public var rowCount: Int { (cells.keys.map(\.row).max() ?? -1) + 1 }
    /// One past the last column holding a cell.
    public var columnCount: Int { (cells.keys.map(\.column).max() ?? -1) + 1 }
}

/// A spreadsheet file that cannot be read, with the reason in Japanese and English.
public struct WorkbookFileError: Error, Sendable, Hashable, CustomStringConvertible {
    public var file: String
    public var japanese: String
    public var english: String

    public init(file: String, japanese: String, english: String) {
        self.file = file
        self.japanese = japanese
        self.english = english
    }

    public var description: String { "\(file): \(japanese) / \(english)" }
}
