import RinbanCore

/// One problem of an imported workbook or CSV folder, pointing at the cell a clerk must edit.
public struct WorkbookIssue: Hashable, Sendable, CustomStringConvertible {
    public var severity: InputIssue.Severity
    /// The sheet (or CSV file name without `.csv`); nil for the workbook as a whole.
    public var sheet: String?
    /// The row, from 0, when the problem is in one row.
    public var row: Int?
    /// The column, from 0, when the problem is in one cell.
    public var column: Int?
    /// The `rinban/1` field of the cell: `clinic`, `history.points`.
    public var field: String?
    public var japanese: String
    public var english: String
    /// The JSON path of the value in the instance, when it came from one.
    public var path: DocumentPath?

    public init(
        _ severity: InputIssue.Severity = .error, sheet: String?, row: Int? = nil, column: Int? = nil, field: String? = nil,
        japanese: String, english: String, path: DocumentPath? = nil
    ) {
        self.severity = severity
        self.sheet = sheet
        self.row = row
        self.column = column
        self.field = field
        self.japanese = japanese
        self.english = english
        self.path = path
    }

    /// `医師!C12` for a cell, `医師!12行目` for a row, `医師` for a sheet.
    public var location: String? {
        guard let sheet else { return nil }
        guard let row else { return sheet }
        guard let column else { return "\(sheet)!\(row + 1)行目" }
        return "\(sheet)!\(CellRef(row: row, column: column))"
    }

    /// `医師!C12 (clinic): 診療所 "c99" がありません / unknown clinic "c99"`.
    public var description: String {
        var head = location ?? "(ブック)"
        if let field { head += " (\(field))" }
        let tag = severity == .warning ? "注意 / warning: " : ""
        return "\(head): \(tag)\(japanese) / \(english)"
    }
}

/// A workbook or CSV folder that cannot be imported, with every problem found.
public struct WorkbookImportError: Error, Sendable, CustomStringConvertible {
    public var file: String
    public var issues: [WorkbookIssue]

    public init(file: String, issues: [WorkbookIssue]) {
        self.file = file
        self.issues = issues
    }

    public var description: String {
        let errors = issues.filter { $0.severity == .error }.count
        let head = "\(file): \(errors) 件の問題 / \(errors) problem\(errors == 1 ? "" : "s")"
        return ([head] + issues.map { "  \($0)" }).joined(separator: "\n")
    }
}

/// The decoder's English messages in Japanese. Messages without a pattern here keep a
/// generic Japanese lead and their English text.
enum MessageTranslation {
    static let kinds: [String: String] = [
        "clinic": "診療所", "block": "ブロック", "physician": "医師", "station": "訪問看護ステーション",
        "member": "医師・ステーション", "shift": "勤務帯", "duty": "当番", "area": "地区", "hospital": "病院",
        "id": "ID", "block id": "ブロック ID", "clinic id": "診療所 ID", "member id": "医師・ステーション ID",
        "shift id": "勤務帯 ID", "duty id": "当番 ID", "item id": "ID", "hospital id": "病院 ID", "patient id": "患者 ID",
        "respite id": "レスパイト ID", "area id": "地区 ID",
    ]

    static func japanese(_ english: String) -> String {
        var text = english
        var hint = ""
        if let range = text.range(of: " (did you mean \"") {
            let suggestion = text[range.upperBound...].prefix { $0 != "\"" }
            hint = " (\"\(suggestion)\" のことですか?)"
            text = String(text[..<range.lowerBound])
        }
        if text.hasPrefix("unknown "), let quote = text.firstIndex(of: "\"") {
            let kind = String(text.dropFirst(8)[..<quote]).trimmingCharacters(in: .whitespaces)
            let value = text[quote...]
            return "\(kinds[kind] ?? kind) \(value) がありません\(hint)"
        }
        if text.hasPrefix("duplicate "), let quote = text.firstIndex(of: "\"") {
            let kind = String(text.dropFirst(10)[..<quote]).trimmingCharacters(in: .whitespaces)
            let value = text[quote...].prefix { $0 != " " }
            return "\(kinds[kind] ?? kind) \(value) が重複しています"
        }
        if text.hasPrefix("missing \"") { return "必須の値がありません" }
        if text.hasPrefix("expected a whole number") { return "整数ではありません" }
        if text.hasPrefix("expected a number") { return "数ではありません" }
        if text.hasPrefix("expected true or false") { return "はい か いいえ で書いてください" }
        if text.hasPrefix("expected text") { return "文字を書いてください" }
        if text.contains(" is out of range: must be ") {
            let parts = text.components(separatedBy: " is out of range: must be ")
            return "\(parts[0]) は範囲外です (\(parts[1]))"
        }
        if text.contains(" is outside the period ") {
            let parts = text.components(separatedBy: " is outside the period ")
            if parts[1].hasSuffix("; it changes nothing") {
                return "\(parts[0]) は期間外です (何も変わりません)"
            }
            return "\(parts[0]) は期間 \(parts[1].replacingOccurrences(of: "–", with: "〜")) の外です"
        }
        if text.hasPrefix("the period ends") || text.hasPrefix("ends (") || text.hasPrefix("latest (") {
            return "終わりの日が始まりの日より前です"
        }
        if text.hasPrefix("the period has ") { return "期間が長すぎます (92 日まで)" }
        if text == "at least one block is needed" { return "ブロックが 1 つもありません" }
        if text == "a block is never its own neighbour" { return "自分自身を隣接ブロックにはできません" }
        if text.hasPrefix("pin breaks ") { return "固定どうしがルールに反します" }
        if text.hasPrefix("no hospital offers ") { return "この患者の病床を確保している病院がありません" }
        if text.hasPrefix("no station") { return "この件を受けられるステーションがありません" }
        if text.hasPrefix("patient "), text.contains("has no eligible deputy") { return "副主治医になれる医師がいません" }
        if text.hasPrefix("duty "), text.contains(" has no area ") { return "当番にその地区がありません" }
        if text.hasPrefix("scope \"areas\" needs") { return "地区ごとの当番には「当番の地区」シートに地区が必要です" }
        if text.hasPrefix("\"areas\" is only allowed") { return "地区は単位が「地区ごと」の当番にだけ書けます" }
        if text.hasPrefix("an area needs at least one block") { return "地区にブロックがありません" }
        if text.contains("is a visiting-nurse station") { return "訪問看護ステーションです。ここには医師を書きます" }
        if text.hasPrefix("an empty list blocks nothing") { return "勤務帯が空です" }
        return "入力に問題があります"
    }
}
