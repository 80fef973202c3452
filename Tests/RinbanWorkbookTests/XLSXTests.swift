import Foundation
import RinbanCore
@testable import RinbanWorkbook
import Testing
import ZIPFoundation

/// The .xlsx container: `XLSXWriter` output read back by `XLSXReader`, by openpyxl and by
/// LibreOffice; the reader on hand-made parts (furigana, prefixes, missing `r`) and on
/// files it must refuse (not a zip, .xls, zip bombs, huge sheets).
@Suite("XLSX")
struct XLSXTests {
    // MARK: - The sample workbook

    static func date(_ iso: String) -> CivilDate { CivilDate(iso: iso)! }

    static let bold = CellStyle(bold: true, fill: .headerFill, horizontal: .center, border: true)
    static let weekday = CellStyle(format: .shortDateWithWeekday)
    static let integer = CellStyle(format: .integer)
    static let decimal = CellStyle(fontColor: .red, format: .decimal2)
    static let text = CellStyle(format: .text)

    /// 医師: a merged title, headers, three rows of every kind of value; 一覧: a list.
    static let sample: Workbook = {
        let rows: [[Cell]] = [
            [.text("当番表 2027年1月", bold)],
            ["ID", "氏名", "日付", "開始", "点数", "確定"].map { .text($0, bold) },
            [
                .text("p1"), .text("北 一郎"), Cell(.date(date("2027-01-05"))), Cell(.time(minutes: 18 * 60)),
                .number(2.5, decimal), Cell(.bool(true)),
            ],
            [
                .text("  前後に空白  "), .text("A&B <tag> \"q\" 'x'"), Cell(.date(date("1900-03-01"))),
                Cell(.time(minutes: 0)), .number(42, integer), Cell(.bool(false)),
            ],
            [
                .text("007", text), .text("改行\nあり\t_x0041_"), Cell(.date(date("2027-01-05")), style: weekday),
                Cell(.time(minutes: 8 * 60 + 30)), .number(0.1 + 0.2), .number(-1234567.891),
            ],
            [.empty, .empty, .empty, .empty, .number(1e-7), .number(12_345_678_901_234)],
        ]
        let doctors = Sheet(
            name: "医師", rows: rows, columnWidths: [0: 8, 1: 14.5, 2: 12], frozenRows: 2, frozenColumns: 1,
            validations: [
                ListValidation(range: CellRange(column: 0, rows: 2...100), source: "医師一覧", errorMessage: "一覧から選んでください"),
                ListValidation(range: CellRange(column: 5, rows: 2...100), source: "\"はい,いいえ\"", strict: false),
            ],
            dataBars: [DataBar(range: CellRange(column: 4, rows: 2...5))],
            merges: [CellRange(CellRef(row: 0, column: 0), CellRef(row: 0, column: 5))],
            page: PageSetup(landscape: true, fitToWidth: 1, repeatRows: 0...1), tabColor: .red)
        let list = Sheet(name: "一覧", rows: [[.text("p1")], [.text("p2")], [.text("p3")]], page: PageSetup(landscape: false, fitToWidth: nil))
        return Workbook(
            sheets: [doctors, list],
            definedNames: [
                DefinedName(name: "医師一覧", formula: "'一覧'!$A$1:$A$3"),
                DefinedName(name: "点数合計", formula: "SUM('医師'!$E$3:$E$6)"),
            ])
    }()

    static func temporaryFolder() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("rinban-xlsx-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    // MARK: - Written, then read back

    @Test("written values read back by XLSXReader, with date and time formats")
    func roundTrip() throws {
        let data = try XLSXWriter.data(for: Self.sample)
        let sheets = try XLSXReader.read(data: data, file: "sample.xlsx")
        #expect(sheets.map(\.name) == ["医師", "一覧"])
        let s = sheets[0]
        #expect(s[0, 0] == ReadCell(.text("当番表 2027年1月")))
        #expect(s[1, 3]?.value == .text("開始"))
        #expect(s[2, 0]?.value == .text("p1"))
        #expect(s[3, 0]?.value == .text("  前後に空白  "))
        #expect(s[3, 1]?.value == .text("A&B <tag> \"q\" 'x'"))
        #expect(s[4, 0] == ReadCell(.text("007")))
        #expect(s[4, 1]?.value == .text("改行\nあり\t_x0041_"))
        // Dates: 2027-01-05 is serial 46392 and 1900-03-01 is 61 (worked out in serialKnownValues).
        #expect(s[2, 2] == ReadCell(.number(46392), isDateFormatted: true))
        #expect(s[3, 2] == ReadCell(.number(61), isDateFormatted: true))
        #expect(s[4, 2] == ReadCell(.number(46392), isDateFormatted: true))
        // Times: 18:00 is 0.75 of a day.
        #expect(s[2, 3] == ReadCell(.number(0.75), isTimeFormatted: true))
        #expect(s[3, 3] == ReadCell(.number(0), isTimeFormatted: true))
        #expect(s[4, 3] == ReadCell(.number(510.0 / 1440), isTimeFormatted: true))
        #expect(s[2, 4] == ReadCell(.number(2.5)))
        #expect(s[3, 4] == ReadCell(.number(42)))
        #expect(s[4, 4]?.value == .number(0.1 + 0.2))  // full precision: 0.30000000000000004
        #expect(s[5, 4]?.value == .number(1e-7))
        #expect(s[2, 5]?.value == .bool(true))
        #expect(s[3, 5]?.value == .bool(false))
        #expect(s[4, 5]?.value == .number(-1234567.891))
        #expect(s[5, 5]?.value == .number(12_345_678_901_234))
        #expect(s[5, 0] == nil)
        #expect(s.rowCount == 6 && s.columnCount == 6)
        #expect(sheets[1].cells.count == 3 && sheets[1][2, 0]?.value == .text("p3"))
        #expect(XLSXReader.date(fromSerial: 46392) == Self.date("2027-01-05"))
    }

    @Test("the parts hold what Excel needs: element order, styles, names, print titles")
    func partsAreWellFormed() throws {
        let data = try XLSXWriter.data(for: Self.sample)
        let archive = try Archive(data: data, accessMode: .read)
        func text(_ path: String) throws -> String {
            guard let entry = archive[path] else {
                Issue.record("missing part \(path)")
                return ""
            }
            var bytes = Data()
            _ = try archive.extract(entry) { bytes.append($0) }
            return String(decoding: bytes, as: UTF8.self)
        }
        let paths = Set(archive.map(\.path))
        #expect(
            paths == [
                "[Content_Types].xml", "_rels/.rels", "docProps/core.xml", "docProps/app.xml", "xl/workbook.xml",
                "xl/_rels/workbook.xml.rels", "xl/styles.xml", "xl/sharedStrings.xml", "xl/worksheets/sheet1.xml",
                "xl/worksheets/sheet2.xml",
            ])
        #expect(archive.allSatisfy { $0.isCompressed })

        let sheet = try text("xl/worksheets/sheet1.xml")
        let order = [
            "<sheetPr>", "<tabColor rgb=\"FFC00000\"/>", "<pageSetUpPr fitToPage=\"1\"/>", "<dimension ref=\"A1:F6\"/>",
            "<sheetViews><sheetView tabSelected=\"1\"",
            "<pane xSplit=\"1\" ySplit=\"2\" topLeftCell=\"B3\" activePane=\"bottomRight\" state=\"frozen\"/>",
            "<sheetFormatPr", "<cols>", "<col min=\"2\" max=\"2\" width=\"14.5\" customWidth=\"1\"/>", "<sheetData>",
            "<mergeCells count=\"1\"><mergeCell ref=\"A1:F1\"/></mergeCells>",
            "<conditionalFormatting sqref=\"E3:E6\"><cfRule type=\"dataBar\" priority=\"1\"><dataBar><cfvo type=\"min\"/><cfvo type=\"max\"/><color rgb=\"FF5B9BD5\"/></dataBar></cfRule></conditionalFormatting>",
            "<dataValidations count=\"2\"><dataValidation type=\"list\" errorStyle=\"stop\" allowBlank=\"1\"",
            "<formula1>医師一覧</formula1>", "errorStyle=\"warning\"", "<formula1>\"はい,いいえ\"</formula1>", "<pageMargins",
            "<pageSetup paperSize=\"9\" orientation=\"landscape\" fitToWidth=\"1\" fitToHeight=\"0\"/>",
        ]
        var from = sheet.startIndex
        for piece in order {
            guard let found = sheet.range(of: piece, range: from..<sheet.endIndex) else {
                Issue.record("sheet1.xml: \(piece) missing or out of order")
                continue
            }
            from = found.upperBound
        }
        #expect(sheet.contains("<c r=\"E3\" s=\"") && sheet.contains("<v>0.30000000000000004</v>"))
        #expect(sheet.contains("<v>12345678901234</v>") && sheet.contains("<v>42</v>"))
        #expect(!sheet.contains("<c r=\"A6\""))  // empty, unstyled cells are not written
        let sheet2 = try text("xl/worksheets/sheet2.xml")
        #expect(!sheet2.contains("tabSelected") && !sheet2.contains("<pane"))
        #expect(sheet2.contains("<pageSetup paperSize=\"9\" orientation=\"portrait\"/>"))

        let workbook = try text("xl/workbook.xml")
        #expect(workbook.contains("<bookViews><workbookView activeTab=\"0\"/></bookViews>"))
        #expect(workbook.contains("<definedName name=\"医師一覧\">'一覧'!$A$1:$A$3</definedName>"))
        #expect(workbook.contains("<definedName name=\"点数合計\">SUM('医師'!$E$3:$E$6)</definedName>"))
        #expect(workbook.contains("<definedName name=\"_xlnm.Print_Titles\" localSheetId=\"0\">'医師'!$1:$2</definedName>"))

        let strings = try text("xl/sharedStrings.xml")
        #expect(strings.contains("<t xml:space=\"preserve\">  前後に空白  </t>"))
        #expect(strings.contains("<t>A&amp;B &lt;tag&gt; \"q\" 'x'</t>"))
        #expect(strings.contains("_x005F_x0041_"))  // a literal _x0041_ is protected from Excel's decoding
        #expect(strings.contains("uniqueCount=\"15\""))  // "p1" is written twice, stored once

        let styles = try text("xl/styles.xml")
        #expect(styles.contains("<name val=\"游ゴシック\"/>"))
        #expect(styles.contains("formatCode=\"yyyy-mm-dd\"") && styles.contains("formatCode=\"[$-411]m/d (aaa)\""))
        #expect(styles.contains("formatCode=\"hh:mm\""))
        #expect(styles.contains("<xf numFmtId=\"0\" fontId=\"0\" fillId=\"0\" borderId=\"0\" xfId=\"0\" applyAlignment=\"1\">"))
        #expect(styles.contains("applyNumberFormat=\"1\"") && styles.contains("applyFont=\"1\""))
        #expect(styles.contains("<patternFill patternType=\"solid\"><fgColor rgb=\"FFDDEBF7\"/>"))
        // Styles are written once however often used: plain, bold header, decimal, date,
        // time, integer, text, weekday date.
        #expect(styles.contains("<cellXfs count=\"8\">"))
    }

    @Test("XML escaping drops characters XML 1.0 forbids and keeps carriage returns")
    func escaping() throws {
        let text = "a\u{0}b\u{1}c\u{FFFE}d\u{FFFF}e\r\nf 😀"
        let workbook = Workbook(sheets: [Sheet(name: "S", rows: [[.text(text)]])])
        let sheets = try XLSXReader.read(data: XLSXWriter.data(for: workbook), file: "t.xlsx")
        #expect(sheets[0][0, 0]?.value == .text("abcde\r\nf 😀"))
    }

    @Test("invalid sheet and defined names are refused when writing")
    func writerValidation() {
        func refuses(_ workbook: Workbook) -> Bool {
            do {
                _ = try XLSXWriter.data(for: workbook)
                return false
            } catch {
                return error.file == "(workbook)" && !error.japanese.isEmpty && !error.english.isEmpty
            }
        }
        #expect(refuses(Workbook()))
        for name in ["", "a/b", "a[1]", "x:y", "what?", "star*", "back\\slash", String(repeating: "長", count: 32), "'quoted'"] {
            #expect(refuses(Workbook(sheets: [Sheet(name: name)])), "sheet name \(name)")
        }
        #expect(!refuses(Workbook(sheets: [Sheet(name: String(repeating: "長", count: 31))])))
        #expect(refuses(Workbook(sheets: [Sheet(name: "医師"), Sheet(name: "医師")])))
        #expect(refuses(Workbook(sheets: [Sheet(name: "Sheet"), Sheet(name: "SHEET")])))
        #expect(refuses(Workbook(sheets: [Sheet(name: "a")], activeSheet: 1)))
        for name in ["A1", "R1C1", "r", "1abc", "a b", "XFD1048576"] {
            #expect(refuses(Workbook(sheets: [Sheet(name: "a")], definedNames: [DefinedName(name: name, formula: "1")])), "name \(name)")
        }
        #expect(!refuses(Workbook(sheets: [Sheet(name: "a")], definedNames: [DefinedName(name: "医師一覧", formula: "1")])))
        let overlapping = Sheet(
            name: "a",
            merges: [
                CellRange(CellRef(row: 0, column: 0), CellRef(row: 1, column: 1)),
                CellRange(CellRef(row: 1, column: 1), CellRef(row: 2, column: 2)),
            ])
        #expect(refuses(Workbook(sheets: [overlapping])))
        let longList = "\"" + Array(repeating: "選択肢", count: 100).joined(separator: ",") + "\""
        #expect(refuses(Workbook(sheets: [Sheet(name: "a", validations: [ListValidation(range: CellRange(column: 0, rows: 0...1), source: longList)])])))
        do {
            _ = try XLSXWriter.data(for: Workbook(sheets: [Sheet(name: "a/b")]))
        } catch {
            #expect(error.japanese.contains("シート名「a/b」"))
        }
    }

    @Test("write(_:to:) writes the file atomically")
    func writeToPath() throws {
        let folder = try Self.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = folder.appendingPathComponent("当番表.xlsx").path
        try XLSXWriter.write(Self.sample, to: path)
        #expect(try XLSXReader.read(contentsOf: path).map(\.name) == ["医師", "一覧"])
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path) == ["当番表.xlsx"])
        #expect(throws: OutputError.self) { try XLSXWriter.write(Self.sample, to: folder.appendingPathComponent("no/such/dir.xlsx").path) }
        #expect(throws: OutputError.self) { try XLSXWriter.write(Workbook(), to: path) }
    }

    // MARK: - openpyxl

    /// Reads the written file with openpyxl and prints what it sees as JSON.
    static let openpyxlScript = #"""
        import datetime, json, sys
        import openpyxl
        wb = openpyxl.load_workbook(sys.argv[1])
        ws = wb["医師"]
        def show(v):
            if isinstance(v, datetime.datetime): return "datetime:" + v.isoformat()
            if isinstance(v, datetime.time): return "time:" + v.isoformat()
            if isinstance(v, bool): return "bool:" + str(v)
            if isinstance(v, int): return "int:" + str(v)
            if isinstance(v, float): return "float:" + repr(v)
            if v is None: return "none"
            return "str:" + str(v)
        out = {
            "sheets": wb.sheetnames,
            "active": wb.active.title,
            "cells": {c.coordinate: show(c.value) for row in ws.iter_rows() for c in row if c.value is not None},
            "formats": {k: ws[k].number_format for k in ["C3", "C5", "D3", "E3", "E4", "A5"]},
            "widthB": ws.column_dimensions["B"].width,
            "widthA": ws.column_dimensions["A"].width,
            "freeze": ws.freeze_panes,
            "validations": sorted([[dv.type, dv.formula1, str(dv.sqref), dv.errorStyle or "stop", bool(dv.allow_blank)]
                                   for dv in ws.data_validations.dataValidation]),
            "conditional": sorted([[str(cf.sqref), [r.type for r in cf.rules]] for cf in ws.conditional_formatting]),
            "orientation": ws.page_setup.orientation,
            "paperSize": str(ws.page_setup.paperSize),
            "fitToWidth": str(ws.page_setup.fitToWidth),
            "fitToPage": bool(ws.sheet_properties.pageSetUpPr and ws.sheet_properties.pageSetUpPr.fitToPage),
            "printTitleRows": ws.print_title_rows,
            "merged": [str(r) for r in ws.merged_cells.ranges],
            "tabColor": ws.sheet_properties.tabColor.rgb,
            "boldA1": bool(ws["A1"].font.b),
            "fillA1": ws["A1"].fill.fgColor.rgb,
            "fontName": ws["A3"].font.name,
            "definedNames": sorted([[n, d.attr_text] for n, d in wb.defined_names.items()]),
            "orientation2": wb["一覧"].page_setup.orientation,
        }
        print(json.dumps(out, ensure_ascii=False))
        """#

    @Test("openpyxl reads the written file: values, dates, widths, panes, validations, print settings")
    func openpyxlReadsIt() throws {
        guard let check = try? run(["python3", "-c", "import openpyxl"]), check.status == 0 else {
            Issue.record("openpyxl is not installed (python3 -m pip install openpyxl): the written file was not checked by an independent reader")
            return
        }
        let folder = try Self.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = folder.appendingPathComponent("sample.xlsx").path
        try XLSXWriter.write(Self.sample, to: path)
        let result = try run(["python3", "-c", Self.openpyxlScript, path])
        try #require(result.status == 0, "openpyxl failed: \(result.error)")
        let json = try #require(try JSONSerialization.jsonObject(with: Data(result.output.utf8)) as? [String: Any])
        #expect(json["sheets"] as? [String] == ["医師", "一覧"])
        #expect(json["active"] as? String == "医師")
        let cells = json["cells"] as? [String: String] ?? [:]
        let expected: [String: String] = [
            "A1": "str:当番表 2027年1月", "A3": "str:p1", "B3": "str:北 一郎", "C3": "datetime:2027-01-05T00:00:00",
            "D3": "time:18:00:00", "E3": "float:2.5", "F3": "bool:True",
            "A4": "str:  前後に空白  ", "B4": "str:A&B <tag> \"q\" 'x'", "C4": "datetime:1900-03-01T00:00:00",
            "D4": "time:00:00:00", "E4": "int:42", "F4": "bool:False",
            "A5": "str:007", "B5": "str:改行\nあり\t_x0041_", "C5": "datetime:2027-01-05T00:00:00", "D5": "time:08:30:00",
            "E5": "float:0.30000000000000004", "F5": "float:-1234567.891", "E6": "float:1e-07", "F6": "int:12345678901234",
        ]
        for (cell, value) in expected { #expect(cells[cell] == value, "cell \(cell)") }
        #expect(cells.count == expected.count + 6)  // and the six headers
        let formats = json["formats"] as? [String: String] ?? [:]
        #expect(formats == ["C3": "yyyy-mm-dd", "C5": "[$-411]m/d (aaa)", "D3": "hh:mm", "E3": "0.00", "E4": "0", "A5": "@"])
        #expect(json["widthB"] as? Double == 14.5)
        #expect(json["widthA"] as? Double == 8)
        #expect(json["freeze"] as? String == "B3")
        let validations = json["validations"] as? [[Any]] ?? []
        #expect(validations.count == 2)
        #expect(validations.map { "\($0[0])|\($0[1])|\($0[2])|\($0[3])|\($0[4])" }.sorted() == [
            "list|\"はい,いいえ\"|F3:F101|warning|1", "list|医師一覧|A3:A101|stop|1",
        ])
        let conditional = json["conditional"] as? [[Any]] ?? []
        #expect(conditional.count == 1 && conditional.first?[0] as? String == "E3:E6")
        #expect(conditional.first?[1] as? [String] == ["dataBar"])
        #expect(json["orientation"] as? String == "landscape")
        #expect(json["paperSize"] as? String == "9")
        #expect(json["fitToWidth"] as? String == "1")
        #expect(json["fitToPage"] as? Bool == true)
        #expect(json["printTitleRows"] as? String == "$1:$2")
        #expect(json["merged"] as? [String] == ["A1:F1"])
        #expect(json["tabColor"] as? String == "FFC00000")
        #expect(json["boldA1"] as? Bool == true)
        #expect(json["fillA1"] as? String == "FFDDEBF7")
        #expect(json["fontName"] as? String == "游ゴシック")
        let names = (json["definedNames"] as? [[String]] ?? []).map { $0.joined(separator: "=") }
        #expect(names == ["医師一覧='一覧'!$A$1:$A$3", "点数合計=SUM('医師'!$E$3:$E$6)"])
        #expect(json["orientation2"] as? String == "portrait")
    }

    @Test("a workbook written by openpyxl (fixture clerk.xlsx) reads with its dates, times and plain serials")
    func readsOpenpyxlFixture() throws {
        let url = try #require(Bundle.module.url(forResource: "clerk", withExtension: "xlsx", subdirectory: "Fixtures"))
        let sheets = try XLSXReader.read(contentsOf: url.path)
        #expect(sheets.map(\.name) == ["期間・設定", "ブロック", "診療所", "医師", "勤務帯", "当番", "不在・避けたい日"])
        let settings = sheets[0]
        #expect(settings[3, 2]?.value == .text("  テスト医師会　"))
        let start = try #require(settings[4, 2])
        #expect(start.isDateFormatted && !start.isTimeFormatted)
        if case .number(let serial) = start.value { #expect(XLSXReader.date(fromSerial: serial) == Self.date("2027-01-01")) } else {
            Issue.record("period.start is not a number: \(start)")
        }
        #expect(sheets[2][3, 0]?.value == .number(101))
        #expect(sheets[4][3, 2] == ReadCell(.number(0.75), isTimeFormatted: true))
        #expect(sheets[6][5, 2] == ReadCell(.number(46404)))  // a serial in a General cell stays a plain number
        #expect(sheets[6][3, 2]?.isDateFormatted == true)
    }

    // MARK: - Serial numbers

    @Test("serial numbers agree with CivilDate arithmetic from 1900-03-01 to 2099-12-31")
    func serialProperty() {
        let epoch = Self.date("1899-12-30")
        var day = Self.date("1900-03-01")
        let last = Self.date("2099-12-31")
        var failures = 0
        while day <= last {
            let serial = XLSXReader.serial(of: day)
            if serial != Double(day.days(since: epoch)) || XLSXReader.date(fromSerial: serial) != day
                || XLSXReader.date(fromSerial: serial + 0.999) != day || epoch.adding(days: Int(serial)) != day
            {
                failures += 1
            }
            day = day.adding(days: 1)
        }
        #expect(failures == 0)
    }

    /// By hand: 2000-01-01 is serial 36526 (a well-known value). From 2000-01-01 to 2027-01-01
    /// there are 27 years with 7 leap days (2000, 2004, …, 2024): 27 × 365 + 7 = 9862 days, so
    /// 2027-01-01 is 46388 and 2027-01-05 is 46392. From 1899-12-30 to 1900-03-01 there are
    /// 2 + 31 + 28 = 61 days (1900 is not a leap year; Excel's 1900-02-29 fills serial 60).
    @Test("known serials: 1900-03-01 is 61, 2027-01-05 is 46392; Excel's 1900-02-29 does not exist")
    func serialKnownValues() {
        #expect(XLSXReader.serial(of: Self.date("1900-03-01")) == 61)
        #expect(XLSXReader.serial(of: Self.date("2027-01-05")) == 46392)
        #expect(XLSXReader.serial(of: Self.date("2000-01-01")) == 36526)
        #expect(XLSXReader.serial(of: Self.date("1900-01-01")) == 1)
        #expect(XLSXReader.serial(of: Self.date("1900-02-28")) == 59)
        #expect(XLSXReader.date(fromSerial: 61) == Self.date("1900-03-01"))
        #expect(XLSXReader.date(fromSerial: 46392.75) == Self.date("2027-01-05"))
        #expect(XLSXReader.date(fromSerial: 1) == Self.date("1900-01-01"))
        #expect(XLSXReader.date(fromSerial: 59.5) == Self.date("1900-02-28"))
        #expect(XLSXReader.date(fromSerial: 60) == nil)
        #expect(XLSXReader.date(fromSerial: 0.75) == nil)
        #expect(XLSXReader.date(fromSerial: -1) == nil)
        #expect(XLSXReader.date(fromSerial: .nan) == nil)
        #expect(XLSXReader.date(fromSerial: 2_958_465) == Self.date("9999-12-31"))
        #expect(XLSXReader.date(fromSerial: 2_958_466) == nil)
    }

    @Test("number formats: built-in ids and custom codes classified as date, time or neither")
    func formatClassification() {
        for id in [14, 15, 16, 17, 22, 27, 31, 34, 36, 50, 57, 58] { #expect(XLSXFormatKind.builtin(id) == .date, "id \(id)") }
        for id in [18, 19, 20, 21, 32, 33, 45, 46, 47] { #expect(XLSXFormatKind.builtin(id) == .time, "id \(id)") }
        for id in [0, 1, 2, 9, 10, 11, 49, 164] { #expect(XLSXFormatKind.builtin(id) == .other, "id \(id)") }
        let dates = [
            "yyyy-mm-dd", "m/d (aaa)", "yyyy\"年\"m\"月\"d\"日\"", "[$-411]ggge\"年\"m\"月\"d\"日\"", "[$-ja-JP]ge.m.d",
            "yyyy-mm-dd h:mm:ss", "mmm-yy", "dd/mm/yyyy;@", "[Red]yyyy/mm/dd", "mm/dd", "mmmm",
        ]
        for code in dates { #expect(XLSXFormatKind.classify(code: code) == .date, "\(code)") }
        let times = ["hh:mm", "h:mm AM/PM", "[h]:mm", "mm:ss", "[mm]:ss", "h\"時\"mm\"分\"", "hh:mm:ss.000", "[$-F400]h:mm:ss AM/PM"]
        for code in times { #expect(XLSXFormatKind.classify(code: code) == .time, "\(code)") }
        let others = [
            "General", "0", "0.00", "#,##0", "@", "0.00E+00", "\"day\" 0", "\\d0", "[Blue]0;[Red]-0", "0_);(0)",
            "#,##0 \"円\"", "[>=100]0;0",
        ]
        for code in others { #expect(XLSXFormatKind.classify(code: code) == .other, "\(code)") }
    }

    // MARK: - Hand-made parts

    /// A zip of text parts, deflated.
    static func zipParts(_ parts: [(String, String)]) throws -> Data {
        let archive = try Archive(data: Data(), accessMode: .create)
        for (path, text) in parts {
            let bytes = Data(text.utf8)
            try archive.addEntry(with: path, type: .file, uncompressedSize: Int64(bytes.count), compressionMethod: .deflate) {
                bytes.subdata(in: Int($0)..<Int($0) + $1)
            }
        }
        return try #require(archive.data)
    }

    static let rootRels = """
        <?xml version="1.0" encoding="UTF-8"?>
        <Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">
        <Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/>
        </Relationships>
        """

    static func workbookXML(_ names: [String]) -> String {
        let sheets = names.enumerated().map { "<sheet name=\"\($1)\" sheetId=\"\($0 + 1)\" r:id=\"rId\($0 + 1)\"/>" }
        return """
            <workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">
            <sheets>\(sheets.joined())</sheets></workbook>
            """
    }

    static func workbookRels(sheets: Int, extra: String = "") -> String {
        let rels = (1...sheets).map {
            "<Relationship Id=\"rId\($0)\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet\" Target=\"worksheets/sheet\($0).xml\"/>"
        }
        return """
            <Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">\(rels.joined())\(extra)</Relationships>
            """
    }

    /// A one-sheet package around `sheetData` content, with optional shared strings.
    static func package(sheetData: String, sharedStrings: String? = nil, styles: String? = nil) throws -> Data {
        var extra = ""
        var parts: [(String, String)] = [("_rels/.rels", rootRels), ("xl/workbook.xml", workbookXML(["S"]))]
        if let sharedStrings {
            extra += "<Relationship Id=\"rId8\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings\" Target=\"sharedStrings.xml\"/>"
            parts.append(("xl/sharedStrings.xml", sharedStrings))
        }
        if let styles {
            extra += "<Relationship Id=\"rId9\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles\" Target=\"styles.xml\"/>"
            parts.append(("xl/styles.xml", styles))
        }
        parts.append(("xl/_rels/workbook.xml.rels", workbookRels(sheets: 1, extra: extra)))
        parts.append((
            "xl/worksheets/sheet1.xml",
            "<worksheet xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\"><sheetData>\(sheetData)</sheetData></worksheet>"
        ))
        return try zipParts(parts)
    }

    @Test("shared and inline strings read without their furigana (rPh) and phoneticPr")
    func phoneticRunsAreIgnored() throws {
        let sst = """
            <?xml version="1.0" encoding="UTF-8" standalone="yes"?>
            <sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="3" uniqueCount="3">
            <si><t>北 一郎</t><rPh sb="0" eb="1"><t>キタ</t></rPh><rPh sb="2" eb="4"><t>イチロウ</t></rPh><phoneticPr fontId="1"/></si>
            <si><r><rPr><b/><sz val="11"/></rPr><t>南</t></r><r><t xml:space="preserve"> 次郎</t></r><rPh sb="0" eb="1"><t>ミナミ</t></rPh><phoneticPr fontId="1" type="noConversion"/></si>
            <si><t>改行_x000D_あり</t></si>
            </sst>
            """
        let data = try Self.package(
            sheetData: """
                <row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" t="s"><v>1</v></c><c r="C1" t="s"><v>2</v></c>
                <c r="D1" t="inlineStr"><is><r><t>東</t></r><r><t>三郎</t></r><rPh sb="0" eb="1"><t>ヒガシ</t></rPh></is></c></row>
                """, sharedStrings: sst)
        let sheet = try XLSXReader.read(data: data, file: "furigana.xlsx")[0]
        #expect(sheet[0, 0]?.value == .text("北 一郎"))
        #expect(sheet[0, 1]?.value == .text("南 次郎"))
        #expect(sheet[0, 2]?.value == .text("改行\rあり"))
        #expect(sheet[0, 3]?.value == .text("東三郎"))
    }

    @Test("x:-prefixed elements, cells and rows without r, absolute targets, a workbook part found through _rels/.rels")
    func prefixedAndPositionless() throws {
        let rels = """
            <Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">
            <Relationship Id="R1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="/book/main.xml"/>
            </Relationships>
            """
        let workbook = """
            <x:workbook xmlns:x="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:rel="http://schemas.openxmlformats.org/officeDocument/2006/relationships">
            <x:sheets><x:sheet name="二番目" sheetId="2" rel:id="b"/><x:sheet name="一番目" sheetId="1" rel:id="a"/></x:sheets></x:workbook>
            """
        let workbookRels = """
            <Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">
            <Relationship Id="a" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="/book/sheets/first.xml"/>
            <Relationship Id="b" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="../book/sheets/../sheets/second.xml"/>
            <Relationship Id="s" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" Target="strings.xml"/>
            <Relationship Id="t" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" Target="/book/look.xml"/>
            </Relationships>
            """
        let strings = """
            <x:sst xmlns:x="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><x:si><x:t>共有</x:t><x:rPh><x:t>キョウユウ</x:t></x:rPh></x:si></x:sst>
            """
        let styles = """
            <x:styleSheet xmlns:x="http://schemas.openxmlformats.org/spreadsheetml/2006/main">
            <x:numFmts count="1"><x:numFmt numFmtId="170" formatCode="yyyy/m/d"/></x:numFmts>
            <x:cellStyleXfs count="1"><x:xf numFmtId="14"/></x:cellStyleXfs>
            <x:cellXfs count="3"><x:xf numFmtId="0"/><x:xf numFmtId="170"/><x:xf numFmtId="20"/></x:cellXfs></x:styleSheet>
            """
        let first = """
            <x:worksheet xmlns:x="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><x:sheetData>
            <x:row><x:c t="s"><x:v>0</x:v></x:c><x:c><x:v>2</x:v></x:c><x:c r="E1" s="1"><x:v>46392</x:v></x:c><x:c s="2"><x:v>0.5</x:v></x:c></x:row>
            <x:row><x:c t="inlineStr"><x:is><x:t>二行目</x:t></x:is></x:c></x:row>
            <x:row r="5"><x:c t="b"><x:v>1</x:v></x:c><x:c t="str"><x:f>A1&amp;"!"</x:f><x:v>共有!</x:v></x:c><x:c t="e"><x:v>#DIV/0!</x:v></x:c><x:c><x:v/></x:c><x:c t="s"/><x:c t="d"><x:v>2027-01-05T00:00:00</x:v></x:c></x:row>
            <x:row><x:c><x:v>7</x:v></x:c></x:row>
            </x:sheetData></x:worksheet>
            """
        let second = """
            <worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData><row r="2"><c r="C2"><v>3.5</v></c></row></sheetData></worksheet>
            """
        let data = try Self.zipParts([
            ("_rels/.rels", rels), ("book/main.xml", workbook), ("book/_rels/main.xml.rels", workbookRels),
            ("book/strings.xml", strings), ("book/look.xml", styles), ("book/sheets/first.xml", first),
            ("book/sheets/second.xml", second),
        ])
        let sheets = try XLSXReader.read(data: data, file: "prefixed.xlsx")
        #expect(sheets.map(\.name) == ["二番目", "一番目"])
        #expect(sheets[0].cells == [CellRef(row: 1, column: 2): ReadCell(.number(3.5))])
        let s = sheets[1]
        #expect(s[0, 0]?.value == .text("共有"))
        #expect(s[0, 1]?.value == .number(2))
        #expect(s[0, 4] == ReadCell(.number(46392), isDateFormatted: true))
        #expect(s[0, 5] == ReadCell(.number(0.5), isTimeFormatted: true))  // follows E1
        #expect(s[1, 0]?.value == .text("二行目"))
        #expect(s[4, 0]?.value == .bool(true))
        #expect(s[4, 1] == ReadCell(.text("共有!"), formula: "A1&\"!\""))
        #expect(s[4, 2]?.value == .error("#DIV/0!"))
        #expect(s[4, 3] == nil && s[4, 4] == nil)  // empty <v/> and empty shared-string cells are omitted
        #expect(s[4, 5]?.value == .text("2027-01-05T00:00:00"))
        #expect(s[5, 0]?.value == .number(7))  // the row after r="5"
        #expect(s.cells.count == 10)
    }

    @Test("a formula cell keeps its formula and cached value")
    func formulas() throws {
        let data = try Self.package(
            sheetData: """
                <row r="1"><c r="A1"><v>2</v></c><c r="B1"><v>3</v></c><c r="C1"><f>SUM(A1:B1)</f><v>5</v></c>
                <c r="D1"><f t="shared" ref="D1:D2" si="0">A1*2</f><v>4</v></c><c r="E1"><f>NOW()</f></c></row>
                <row r="2"><c r="D2"><f t="shared" si="0"/><v>0</v></c></row>
                """)
        let s = try XLSXReader.read(data: data, file: "formula.xlsx")[0]
        #expect(s[0, 2] == ReadCell(.number(5), formula: "SUM(A1:B1)"))
        #expect(s[0, 3] == ReadCell(.number(4), formula: "A1*2"))
        #expect(s[0, 4] == ReadCell(.text(""), formula: "NOW()"))  // no cached value yet
        #expect(s[1, 3] == ReadCell(.number(0)))  // a shared formula's other cells keep only their value
    }

    @Test("1904 workbooks: date serials come back in the 1900 system")
    func date1904() throws {
        let workbook = """
            <workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">
            <workbookPr date1904="1"/><sheets><sheet name="S" sheetId="1" r:id="rId1"/></sheets></workbook>
            """
        let styles = """
            <styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><cellXfs count="2"><xf numFmtId="0"/><xf numFmtId="14"/></cellXfs></styleSheet>
            """
        let data = try Self.zipParts([
            ("_rels/.rels", Self.rootRels), ("xl/workbook.xml", workbook),
            ("xl/_rels/workbook.xml.rels", Self.workbookRels(sheets: 1, extra: "<Relationship Id=\"rId9\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles\" Target=\"styles.xml\"/>")),
            ("xl/styles.xml", styles),
            ("xl/worksheets/sheet1.xml", "<worksheet><sheetData><row r=\"1\"><c r=\"A1\" s=\"1\"><v>44930</v></c><c r=\"B1\"><v>44930</v></c></row></sheetData></worksheet>"),
        ])
        let s = try XLSXReader.read(data: data, file: "mac.xlsx")[0]
        #expect(s[0, 0] == ReadCell(.number(46392), isDateFormatted: true))
        #expect(s[0, 1] == ReadCell(.number(44930)))
    }

    // MARK: - Refusals

    static func refusal(_ data: Data, limits: XLSXReader.Limits = .standard) -> WorkbookFileError? {
        do {
            _ = try XLSXReader.read(data: data, file: "input.xlsx", limits: limits)
            return nil
        } catch {
            return error
        }
    }

    @Test("random bytes, a CSV and an empty file are refused as not an .xlsx")
    func notAZip() {
        var generator = SystemRandomNumberGenerator()
        let random = Data((0..<4096).map { _ in UInt8.random(in: 0...255, using: &generator) })
        for data in [random, Data("id,name\np1,北 一郎\n".utf8), Data(), Data("PK\u{3}\u{4}broken".utf8)] {
            let error = Self.refusal(data)
            #expect(error?.japanese.contains("Excel ブック (.xlsx) ではありません") == true)
            #expect(error?.japanese.contains("CSV や .xls") == true)
            #expect(error?.file == "input.xlsx")
        }
    }

    @Test("an OLE2 file (.xls or a password-protected workbook) is refused with advice for both")
    func oldExcel() {
        let ole = Data([0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1]) + Data(count: 1024)
        let error = Self.refusal(ole)
        #expect(error?.japanese.contains(".xls") == true)
        #expect(error?.japanese.contains("パスワード") == true)
        #expect(error?.english.contains("password") == true)
    }

    @Test("a zip without a workbook (a Word file, no relationships, .ods, .xlsb) is refused")
    func zipWithoutWorkbook() throws {
        let word = try Self.zipParts([
            ("_rels/.rels", Self.rootRels.replacingOccurrences(of: "xl/workbook.xml", with: "word/document.xml")),
            ("word/document.xml", "<w:document xmlns:w=\"http://schemas.openxmlformats.org/wordprocessingml/2006/main\"/>"),
        ])
        #expect(Self.refusal(word)?.japanese.contains("Excel のブックが入っていません") == true)
        let plain = try Self.zipParts([("readme.txt", "hello")])
        #expect(Self.refusal(plain)?.japanese.contains("Excel のブックが入っていません") == true)
        let ods = try Self.zipParts([("mimetype", "application/vnd.oasis.opendocument.spreadsheet"), ("content.xml", "<x/>")])
        #expect(Self.refusal(ods)?.japanese.contains(".ods") == true)
        let xlsb = try Self.zipParts([("_rels/.rels", Self.rootRels.replacingOccurrences(of: "workbook.xml", with: "workbook.bin")), ("xl/workbook.bin", "\u{0}")])
        #expect(Self.refusal(xlsb)?.japanese.contains(".xlsb") == true)
    }

    @Test("malformed XML is refused naming the part; a DOCTYPE is refused")
    func malformedXML() throws {
        let broken = try Self.package(sheetData: "<row r=\"1\"><c r=\"A1\"><v>1</v></row>")
        let error = Self.refusal(broken)
        #expect(error?.japanese.contains("「xl/worksheets/sheet1.xml」の XML を読めません") == true)
        #expect(error?.english.contains("xl/worksheets/sheet1.xml") == true)
        let laughs = """
            <?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;">]>
            <sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><si><t>&lol2;</t></si></sst>
            """
        let dtd = try Self.package(sheetData: "<row r=\"1\"><c r=\"A1\" t=\"s\"><v>0</v></c></row>", sharedStrings: laughs)
        #expect(Self.refusal(dtd)?.english.contains("DOCTYPE") == true)
        let missingString = try Self.package(sheetData: "<row r=\"1\"><c r=\"A1\" t=\"s\"><v>3</v></c></row>", sharedStrings: "<sst/>")
        #expect(Self.refusal(missingString)?.english.contains("shared string 3") == true)
    }

    @Test("a file over the size limit is refused")
    func fileTooLarge() throws {
        let data = try XLSXWriter.data(for: Self.sample)
        let error = Self.refusal(data, limits: XLSXReader.Limits(maxFileBytes: 1000))
        #expect(error?.japanese.contains("ファイルが大きすぎます") == true)
        let folder = try Self.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = folder.appendingPathComponent("big.xlsx").path
        try data.write(to: URL(fileURLWithPath: path))
        #expect(throws: WorkbookFileError.self) { try XLSXReader.read(contentsOf: path, limits: XLSXReader.Limits(maxFileBytes: 1000)) }
        #expect(throws: WorkbookFileError.self) { try XLSXReader.read(contentsOf: folder.appendingPathComponent("none.xlsx").path) }
    }

    /// A package whose sheet part is `size` bytes of zeros, streamed into the zip (the test
    /// never holds them).
    static func zeroBomb(size: Int64) throws -> Data {
        let archive = try Archive(data: Data(), accessMode: .create)
        for (path, text) in [
            ("_rels/.rels", rootRels), ("xl/workbook.xml", workbookXML(["爆弾"])), ("xl/_rels/workbook.xml.rels", workbookRels(sheets: 1)),
        ] {
            let bytes = Data(text.utf8)
            try archive.addEntry(with: path, type: .file, uncompressedSize: Int64(bytes.count), compressionMethod: .deflate) {
                bytes.subdata(in: Int($0)..<Int($0) + $1)
            }
        }
        let chunk = Data(count: 1 << 20)
        try archive.addEntry(
            with: "xl/worksheets/sheet1.xml", type: .file, uncompressedSize: size, compressionMethod: .deflate,
            bufferSize: 1 << 20
        ) { _, count in count == chunk.count ? chunk : Data(count: count) }
        return try #require(archive.data)
    }

    /// Overwrites the uncompressed size of `path` in its local header and central directory record.
    static func lie(about path: String, size: UInt32, in data: inout Data) {
        let name = Array(path.utf8)
        let bytes = [UInt8](data)
        func u16(_ i: Int) -> Int { Int(bytes[i]) | Int(bytes[i + 1]) << 8 }
        func put(_ value: UInt32, at i: Int) {
            for k in 0..<4 { data[i + k] = UInt8((value >> (8 * UInt32(k))) & 0xFF) }
        }
        var i = 0
        while i + 46 < bytes.count {
            if bytes[i] == 0x50, bytes[i + 1] == 0x4B, bytes[i + 2] == 0x03, bytes[i + 3] == 0x04,
                u16(i + 26) == name.count, Array(bytes[(i + 30)..<(i + 30 + name.count)]) == name
            {
                put(size, at: i + 22)
            }
            if bytes[i] == 0x50, bytes[i + 1] == 0x4B, bytes[i + 2] == 0x01, bytes[i + 3] == 0x02,
                u16(i + 28) == name.count, Array(bytes[(i + 46)..<(i + 46 + name.count)]) == name
            {
                put(size, at: i + 24)
            }
            i += 1
        }
    }

    @Test("a zip bomb (a 300 MB part of zeros) is refused at once, whether its header tells the truth or lies")
    func zipBomb() throws {
        var bomb = try Self.zeroBomb(size: 300 << 20)
        #expect(bomb.count < 1 << 20)
        let clock = ContinuousClock()
        var error: WorkbookFileError?
        let honest = clock.measure { error = Self.refusal(bomb) }
        #expect(error?.japanese.contains("「xl/worksheets/sheet1.xml」が展開すると大きすぎます") == true)
        #expect(honest < .seconds(1))

        // The header claims 1000 bytes: extraction stops once 64 MB have come out.
        Self.lie(about: "xl/worksheets/sheet1.xml", size: 1000, in: &bomb)
        let lying = clock.measure { error = Self.refusal(bomb) }
        #expect(error?.japanese.contains("が展開すると大きすぎます") == true)
        #expect(lying < .seconds(5))

        // A smaller total limit than the part limit: the total is what stops it.
        error = Self.refusal(bomb, limits: XLSXReader.Limits(maxEntryBytes: 64 << 20, maxTotalBytes: 8 << 20))
        #expect(error?.japanese.contains("合計の上限 8 MB") == true)
    }

    @Test("a deflate stream that never ends is refused instead of hanging the reader")
    func endlessDeflateStream() throws {
        // A non-final stored block announcing 65535 bytes, of which 11 follow; the part is
        // stored, then relabelled as deflated. ZIPFoundation alone would wait forever.
        let payload = Data([0x00, 0xFF, 0xFF, 0x00, 0x00]) + Data("<Relations".utf8)
        let archive = try Archive(data: Data(), accessMode: .create)
        try archive.addEntry(with: "_rels/.rels", type: .file, uncompressedSize: Int64(payload.count), compressionMethod: .none) {
            payload.subdata(in: Int($0)..<Int($0) + $1)
        }
        var data = try #require(archive.data)
        // Method 0 → 8 in the local header (offset 8) and the central directory record (offset 10).
        let bytes = [UInt8](data)
        for i in 0..<(bytes.count - 4) where bytes[i] == 0x50 && bytes[i + 1] == 0x4B {
            if bytes[i + 2] == 0x03 && bytes[i + 3] == 0x04 { data[i + 8] = 8 }
            if bytes[i + 2] == 0x01 && bytes[i + 3] == 0x02 { data[i + 10] = 8 }
        }
        let box = ResultBox()
        let done = DispatchSemaphore(value: 0)
        let input = data
        Thread.detachNewThread {
            box.set(Self.refusal(input))
            done.signal()
        }
        let finished = done.wait(timeout: .now() + 10) == .success
        #expect(finished, "the reader did not return within 10 s")
        if finished { #expect(box.get()?.japanese.contains("展開できません") == true) }
    }

    /// A sheet part of `rows` rows, produced piece by piece as ZIPFoundation asks for it.
    final class RowStream {
        let rows: Int
        private var next = 1
        private var buffer: [UInt8] = []
        private var cursor = 0
        static let head = Array("<worksheet xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\"><sheetData>".utf8)
        static let tail = Array("</sheetData></worksheet>".utf8)

        init(rows: Int) {
            self.rows = rows
            buffer = Self.head
        }

        static func row(_ n: Int) -> String { "<row r=\"\(n)\"><c r=\"A\(n)\"><v>\(n)</v></c></row>" }

        static func length(rows: Int) -> Int64 {
            Int64(head.count + tail.count) + (1...rows).reduce(Int64(0)) { $0 + Int64(row($1).utf8.count) }
        }

        func read(_ size: Int) -> Data {
            while buffer.count - cursor < size {
                if next > rows {
                    buffer += Self.tail
                    break
                }
                buffer.append(contentsOf: Self.row(next).utf8)
                next += 1
            }
            let end = min(cursor + size, buffer.count)
            let piece = Data(buffer[cursor..<end])
            cursor = end
            if cursor > 1 << 20 {
                buffer.removeFirst(cursor)
                cursor = 0
            }
            return piece
        }
    }

    @Test("a sheet of 1,000,000 rows is refused naming the sheet")
    func tooManyRows() throws {
        let rows = 1_000_000
        let archive = try Archive(data: Data(), accessMode: .create)
        for (path, text) in [
            ("_rels/.rels", Self.rootRels), ("xl/workbook.xml", Self.workbookXML(["医師"])),
            ("xl/_rels/workbook.xml.rels", Self.workbookRels(sheets: 1)),
        ] {
            let bytes = Data(text.utf8)
            try archive.addEntry(with: path, type: .file, uncompressedSize: Int64(bytes.count), compressionMethod: .deflate) {
                bytes.subdata(in: Int($0)..<Int($0) + $1)
            }
        }
        let stream = RowStream(rows: rows)
        try archive.addEntry(
            with: "xl/worksheets/sheet1.xml", type: .file, uncompressedSize: RowStream.length(rows: rows),
            compressionMethod: .deflate, bufferSize: 1 << 20
        ) { _, size in stream.read(size) }
        let data = try #require(archive.data)
        let error = Self.refusal(data)
        #expect(error?.japanese == "シート「医師」の行が多すぎます (上限 100000 行)")
        #expect(error?.english.contains("“医師”") == true)
        // Under a looser limit the same part reads (a row count of 1000 suffices to show the
        // limit, not the file, decides).
        let small = try Self.package(sheetData: (1...1000).map(RowStream.row).joined())
        #expect(Self.refusal(small, limits: XLSXReader.Limits(maxRows: 999))?.japanese == "シート「S」の行が多すぎます (上限 999 行)")
        #expect(try XLSXReader.read(data: small, file: "x", limits: XLSXReader.Limits(maxRows: 1000))[0].cells.count == 1000)
        #expect(Self.refusal(small, limits: XLSXReader.Limits(maxCells: 500))?.japanese.contains("セルが多すぎます") == true)
    }

    // MARK: - Speed

    /// 15 sheets, 5,010 rows of 12 cells in all. The goal is well under a second in release;
    /// a debug build (what `swift test` runs) gets more room.
    @Test("15 sheets and 5,000 rows are written and read quickly")
    func speed() throws {
        let style = CellStyle(fill: .holidayFill, border: true)
        let sheets = (0..<15).map { s in
            Sheet(
                name: "シート\(s)",
                rows: (0..<334).map { r in
                    (0..<12).map { c -> Cell in
                        switch c % 4 {
                        case 0: return .text("医師\(r % 50)")
                        case 1: return .number(Double(r * c) / 4, style)
                        case 2: return Cell(.date(CivilDate(year: 2027, month: 1, day: 1 + r % 28)!))
                        default: return Cell(.time(minutes: (r * 30) % 1440))
                        }
                    }
                }, frozenRows: 1)
        }
        let workbook = Workbook(sheets: sheets)
        let clock = ContinuousClock()
        var data = Data()
        var grids: [SheetGrid] = []
        let writing = try clock.measure { data = try XLSXWriter.data(for: workbook) }
        let reading = try clock.measure { grids = try XLSXReader.read(data: data, file: "speed.xlsx") }
        #expect(grids.count == 15 && grids.allSatisfy { $0.cells.count == 334 * 12 })
        #expect(writing + reading < .seconds(10), "write \(writing) + read \(reading)")
        print("XLSX speed: 15 sheets × 334 rows × 12 cells: written in \(writing), read in \(reading) (\(data.count) bytes)")
    }

    // MARK: - LibreOffice

    /// Converts the written file with LibreOffice (`soffice --headless --convert-to xlsx`) and
    /// reads the converted file back: the values must be the same; then to CSV "as shown", so
    /// the formats are seen to work. Skipped when `soffice` is not installed (CI machines may
    /// not have it).
    @Test(
        "LibreOffice opens the written file and its own .xlsx reads back with the same values",
        .enabled(if: XLSXTests.soffice != nil, "soffice (LibreOffice) is not installed"))
    func libreOffice() throws {
        let soffice = try #require(Self.soffice)
        let folder = try Self.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let input = folder.appendingPathComponent("in")
        let output = folder.appendingPathComponent("out")
        try FileManager.default.createDirectory(at: input, withIntermediateDirectories: true)
        let path = input.appendingPathComponent("sample.xlsx").path
        try XLSXWriter.write(Self.sample, to: path)
        // A private profile, so that a LibreOffice already running elsewhere does not interfere.
        let profile = "-env:UserInstallation=file://\(folder.appendingPathComponent("profile").path)"
        let result = try run(
            [soffice, profile, "--headless", "--norestore", "--convert-to", "xlsx", "--outdir", output.path, path], timeout: 180)
        try #require(result.status == 0, "soffice failed: \(result.error)")
        let converted = try XLSXReader.read(contentsOf: output.appendingPathComponent("sample.xlsx").path)
        let original = try XLSXReader.read(data: XLSXWriter.data(for: Self.sample), file: "sample.xlsx")
        #expect(converted.map(\.name) == original.map(\.name))
        for (theirs, ours) in zip(converted, original) {
            for (ref, cell) in ours.cells {
                let other = theirs.cells[ref]
                switch cell.value {
                case .bool(let flag):
                    // LibreOffice may write booleans as numbers 1/0 with a boolean format.
                    #expect(other?.value == .bool(flag) || other?.value == .number(flag ? 1 : 0), "\(ours.name)!\(ref)")
                case .number(let number):
                    // LibreOffice writes 15 significant digits (0.1 + 0.2 comes back as 0.3).
                    if case .number(let theirs)? = other?.value {
                        #expect(abs(theirs - number) <= 1e-14 * max(1, abs(number)), "\(ours.name)!\(ref): \(theirs) vs \(number)")
                    } else {
                        Issue.record("\(ours.name)!\(ref): \(String(describing: other)) is not the number \(number)")
                    }
                default:
                    #expect(other?.value == cell.value, "\(ours.name)!\(ref)")
                }
                #expect(other?.isDateFormatted == cell.isDateFormatted, "\(ours.name)!\(ref) date format")
                #expect(other?.isTimeFormatted == cell.isTimeFormatted, "\(ours.name)!\(ref) time format")
            }
            #expect(theirs.cells.count == ours.cells.count, "\(ours.name)")
        }

        // The first sheet as LibreOffice shows it: dates and times in their formats, the
        // weekday in Japanese.
        let csv = try run(
            [
                soffice, profile, "--headless", "--norestore", "--convert-to",
                "csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,true", "--outdir", output.path, path,
            ], timeout: 180)
        try #require(csv.status == 0, "soffice failed: \(csv.error)")
        let shown = try String(contentsOf: output.appendingPathComponent("sample.csv"), encoding: .utf8)
        for text in ["p1,北 一郎,2027-01-05,18:00,2.50,TRUE", "1900-03-01,00:00,42,FALSE", "1/5 (火),08:30"] {
            #expect(shown.contains(text), "LibreOffice shows \(shown)")
        }
    }

    static let soffice: String? = {
        let paths = (ProcessInfo.processInfo.environment["PATH"] ?? "").split(separator: ":").map(String.init)
            + ["/usr/bin", "/usr/local/bin", "/opt/libreoffice/program", "/Applications/LibreOffice.app/Contents/MacOS"]
        return paths.map { $0 + "/soffice" }.first { FileManager.default.isExecutableFile(atPath: $0) }
    }()
}

/// A result handed from the reader's thread to the test.
private final class ResultBox: @unchecked Sendable {
    private let lock = NSLock()
    private var value: WorkbookFileError?

    func set(_ value: WorkbookFileError?) { lock.withLock { self.value = value } }
    func get() -> WorkbookFileError? { lock.withLock { value } }
}

/// Runs a program (through `env`, so it is found on PATH), returning its status and output.
/// Shared by the suites that check rinban's files with openpyxl and LibreOffice.
func run(_ arguments: [String], timeout: TimeInterval = 60) throws -> (status: Int32, output: String, error: String) {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    process.arguments = arguments
    let out = Pipe(), err = Pipe()
    process.standardOutput = out
    process.standardError = err
    try process.run()
    let deadline = DispatchWorkItem { if process.isRunning { process.terminate() } }
    DispatchQueue.global().asyncAfter(deadline: .now() + timeout, execute: deadline)
    let output = out.fileHandleForReading.readDataToEndOfFile()
    let error = err.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    deadline.cancel()
    return (process.terminationStatus, String(decoding: output, as: UTF8.self), String(decoding: error, as: UTF8.self))
}
