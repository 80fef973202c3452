import Foundation
import RinbanCore

// What a clerk considers the same value (docs/workbook.md, "Cell rules"). Each function
// takes a cell as read and returns the value, or a problem in Japanese and English.

/// A problem with one cell's value.
struct CellProblem: Error, Hashable, Sendable {
    var japanese: String
    var english: String
}

enum CellRules {
    /// Trimmed text: ASCII and full-width spaces, tabs and line breaks at both ends.
    static func trimmed(_ text: String) -> String { text.trimmingCharacters(in: blank) }

    private static let blank = CharacterSet.whitespacesAndNewlines.union(CharacterSet(charactersIn: "\u{3000}\u{FEFF}"))

    /// Full-width ASCII (`１０１`, `ｃ０１`, `：`) made half-width; nothing else changes
    /// (half-width katakana stay as written: they are names, not ids).
    static func halfWidth(_ text: String) -> String {
        var scalars = String.UnicodeScalarView()
        for scalar in text.unicodeScalars {
            if scalar.value >= 0xFF01, scalar.value <= 0xFF5E, let narrow = Unicode.Scalar(scalar.value - 0xFEE0) {
                scalars.append(narrow)
            } else if scalar.value == 0x3000 {
                scalars.append(" ")
            } else {
                scalars.append(scalar)
            }
        }
        return String(scalars)
    }

    /// The text of a cell, trimmed; nil for an empty cell.
    static func text(_ cell: ReadCell) -> String? {
        let raw: String
        switch cell.value {
        case let .text(text): raw = text
        case let .number(number): raw = plainNumber(number)
        case let .bool(flag): raw = flag ? "TRUE" : "FALSE"
        case let .error(code): raw = code
        }
        let text = trimmed(raw)
        return text.isEmpty ? nil : text
    }

    /// An id: `101` from the number 101, full-width made half-width, trimmed.
    static func id(_ cell: ReadCell) -> String? {
        guard let text = text(cell) else { return nil }
        return trimmed(halfWidth(text))
    }

    /// A number, from a number cell or from text written with half- or full-width digits.
    static func number(_ cell: ReadCell) throws(CellProblem) -> Double {
        switch cell.value {
        case let .number(number): return number
        case let .bool(flag): return flag ? 1 : 0
        default:
            let text = trimmed(halfWidth(text(cell) ?? "")).replacingOccurrences(of: ",", with: "")
            if let number = Double(text), number.isFinite { return number }
            throw CellProblem(japanese: "数ではありません (\"\(text)\")", english: "not a number: \"\(text)\"")
        }
    }

    /// A whole number.
    static func integer(_ cell: ReadCell) throws(CellProblem) -> Int {
        let number = try number(cell)
        guard number == number.rounded(), abs(number) < 1e9 else {
            throw CellProblem(japanese: "整数ではありません (\(plainNumber(number)))", english: "not a whole number: \(plainNumber(number))")
        }
        return Int(number)
    }

    /// はい/いいえ, TRUE/FALSE, 1/0, ○/×, yes/no.
    static func bool(_ cell: ReadCell) throws(CellProblem) -> Bool {
        if case let .bool(flag) = cell.value { return flag }
        if case let .number(number) = cell.value, number == 0 || number == 1 { return number == 1 }
        let text = trimmed(halfWidth(text(cell) ?? "")).lowercased()
        switch text {
        case "はい", "true", "yes", "1", "○", "〇", "◯", "y": return true
        case "いいえ", "false", "no", "0", "×", "x", "n", "✕": return false
        default:
            throw CellProblem(japanese: "はい か いいえ で書いてください (\"\(text)\")", english: "expected yes or no, found \"\(text)\"")
        }
    }

    /// One of a choice column's words, in English or Japanese.
    static func choice(_ cell: ReadCell, _ choices: [Choice]) throws(CellProblem) -> String {
        let text = trimmed(halfWidth(text(cell) ?? ""))
        if let choice = choices.first(where: { $0.value == text.lowercased() || $0.japanese == text }) { return choice.value }
        let allowed = choices.map { "\($0.japanese) (\($0.value))" }.joined(separator: "、")
        throw CellProblem(japanese: "\"\(text)\" は使えません。\(allowed) のどれか", english: "\"\(text)\" is not one of \(choices.map(\.value).joined(separator: ", "))")
    }

    /// Comma-separated ids (`,` `、` `，` `；`), each as ``id(_:)``; empty items dropped.
    static func idList(_ cell: ReadCell) -> [String] {
        guard let text = text(cell) else { return [] }
        let separators = CharacterSet(charactersIn: ",、，;；\n")
        return halfWidth(text).components(separatedBy: separators).map { trimmed($0) }.filter { !$0.isEmpty }
    }

    /// A date: a serial number (1900 system, Excel's leap-year quirk) or text in one of the
    /// forms of docs/workbook.md.
    static func date(_ cell: ReadCell) throws(CellProblem) -> CivilDate {
        if case let .number(serial) = cell.value {
            if let date = XLSXReader.date(fromSerial: serial) { return date }
            throw CellProblem(japanese: "日付として読めません (\(plainNumber(serial)))", english: "not a date: \(plainNumber(serial))")
        }
        let text = trimmed(halfWidth(text(cell) ?? ""))
        if let date = date(text: text) { return date }
        throw CellProblem(japanese: "日付として読めません (\"\(text)\")。2027-01-05 のように書いてください",
                          english: "not a date: \"\(text)\" (write 2027-01-05)")
    }

    /// `2027-01-05`, `2027/1/5`, `2027.1.5`, `2027年1月5日`, `令和9年1月5日` (also 平成,
    /// 昭和, `元年`, and `R9.1.5`/`R9/1/5`), with an optional time part after the date
    /// (`2027-01-05T00:00:00`, `2027/1/5 0:00`), which is ignored.
    static func date(text: String) -> CivilDate? {
        var text = text
        if let cut = text.firstIndex(where: { $0 == "T" || $0 == " " }), text.distance(from: text.startIndex, to: cut) >= 8 {
            text = String(text[..<cut])
        }
        var eraStart: Int?
        for (names, start) in eras {
            if let name = names.first(where: { text.hasPrefix($0) }) {
                eraStart = start
                text = String(text.dropFirst(name.count))
                break
            }
        }
        text = text.replacingOccurrences(of: "元年", with: "1年")
        // Split on any non-digit: 年 月 日 / - .
        var parts: [Int] = []
        var current = ""
        for character in text {
            if character.isASCII, character.isNumber {
                current.append(character)
            } else {
                guard !current.isEmpty else { return nil }
                parts.append(Int(current)!)
                current = ""
                guard "年月日/-.".contains(character) else { return nil }
            }
        }
        if !current.isEmpty { parts.append(Int(current)!) }
        guard parts.count == 3 else { return nil }
        var year = parts[0]
        if let eraStart {
            guard year >= 1, year <= 99 else { return nil }
            year += eraStart - 1
        } else if year < 1000 {
            return nil
        }
        return CivilDate(year: year, month: parts[1], day: parts[2])
    }

    /// Japanese eras by the Gregorian year of their first year (元年).
    private static let eras: [([String], Int)] = [
        (["令和", "R", "r"], 2019), (["平成", "H", "h"], 1989), (["昭和", "S", "s"], 1926),
    ]

    /// A time of day: a fraction of a day (a time cell), or `18:00`, `8:30`, `18時`, `18時30分`.
    static func time(_ cell: ReadCell) throws(CellProblem) -> TimeOfDay {
        if case let .number(number) = cell.value {
            let fraction = number - number.rounded(.down)
            // A whole-day serial with a time (a date-time cell) keeps only its time; 1.0 is 24:00 = 00:00.
            let minutes = Int((fraction * 1440).rounded()) % 1440
            if number >= 0, let time = TimeOfDay(minutes: minutes), number < 1 || cell.isDateFormatted || number == 1 {
                return time
            }
            throw CellProblem(japanese: "時刻として読めません (\(plainNumber(number)))", english: "not a time of day: \(plainNumber(number))")
        }
        let text = trimmed(halfWidth(text(cell) ?? ""))
        if let time = time(text: text) { return time }
        throw CellProblem(japanese: "時刻として読めません (\"\(text)\")。18:00 のように書いてください",
                          english: "not a time of day: \"\(text)\" (write 18:00)")
    }

    static func time(text: String) -> TimeOfDay? {
        var text = text.replacingOccurrences(of: "時", with: ":").replacingOccurrences(of: "分", with: "")
        if text.hasSuffix(":") { text += "00" }
        let parts = text.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 2 || parts.count == 3, let hour = Int(parts[0]), let minute = Int(parts[1]),
              parts[0].count <= 2, parts[1].count == 2, (0..<24).contains(hour), (0..<60).contains(minute)
        else { return nil }
        if parts.count == 3, Int(parts[2]) != 0 { return nil }
        return TimeOfDay(minutes: hour * 60 + minute)
    }

    static func plainNumber(_ number: Double) -> String { formatNumber(number) }
}
