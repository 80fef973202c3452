import ArgumentParser
import Foundation
import RinbanCore
import RinbanWorkbook

struct WorkbookCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "workbook",
        abstract: "Write an instance as an Excel workbook for the office, or the empty template.",
        discussion: """
            Writes one sheet per part of the network (期間・設定, ブロック, 診療所, 医師, \
            訪問看護ステーション, 勤務帯, 当番, 当番の地区, 不在・避けたい日, 固定, 負担分散, 病院, \
            登録患者, レスパイト, 副主治医) after an instruction sheet (読み方) that explains every \
            column. Row 2 of each sheet holds the Japanese headers, row 3 the rinban/1 field \
            names; cells that name something defined elsewhere have drop-downs. \
            `rinban import` reads the workbook back (docs/workbook.md).

            Examples:
              rinban workbook instances/tokushima-2026-12.json -o network.xlsx
              rinban workbook --template -o blank.xlsx
            """)

    @Argument(help: "The instance (.json, .yaml, or a workbook or CSV folder to rewrite); leave out with --template.")
    var instance: String?

    @Option(name: .shortAndLong, help: "Where to write the workbook (.xlsx).")
    var output: String

    @Flag(help: "Write the empty template: the instruction sheet and one example row per sheet.")
    var template = false

    func validate() throws {
        if template, instance != nil { throw ValidationError("give either an instance or --template, not both") }
        if !template, instance == nil { throw ValidationError("give an instance to write, or --template") }
        if !output.lowercased().hasSuffix(".xlsx") { throw ValidationError("-o must name an .xlsx file") }
    }

    func run() throws {
        try runReportingErrors {
            if template {
                try XLSXWriter.write(InstanceWorkbook.template(), to: output)
                print("wrote the template \(output)")
                return
            }
            let loaded = try loadInstance(instance!)
            try InstanceWorkbook.write(loaded.instance, to: output)
            let instance = loaded.instance
            print("wrote \(output): \(instance.blocks.count) blocks, \(instance.clinics.count) clinics, "
                  + "\(instance.members(of: .physicians).count) physicians, \(instance.stations.count) stations, "
                  + "\(instance.duties.count) duties")
        }
    }
}

struct ImportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import",
        abstract: "Read the office's workbook (.xlsx) or a folder of CSV files into a rinban/1 instance.",
        discussion: """
            Reads the sheets of `rinban workbook` (also after Excel or LibreOffice saved them), \
            or a folder with one CSV file per sheet (医師.csv, 診療所.csv, …; UTF-8 or \
            Shift_JIS as Japanese Excel writes it, detected). Dates may be date cells or text \
            such as 2027/1/5 or 令和9年1月5日; ids may be numbers; full-width digits are read \
            as half-width (docs/workbook.md). Every problem is listed with its sheet and cell, \
            in Japanese and English, and nothing is written (exit status 2).

            Examples:
              rinban import network.xlsx -o instance.json
              rinban import csv-folder/ -o instance.yaml
            """)

    @Argument(help: "The workbook (.xlsx) or a folder of CSV files.")
    var source: String

    @Option(name: .shortAndLong, help: "Where to write the instance (.json, or .yaml/.yml).")
    var output: String

    func run() throws {
        try runReportingErrors {
            let imported = try InstanceWorkbook.read(contentsOf: source)
            for warning in imported.warnings { printError(warning.description) }
            let lower = output.lowercased()
            let text = lower.hasSuffix(".yaml") || lower.hasSuffix(".yml") ? imported.document.yamlText() : imported.document.jsonText()
            try AtomicFile.write(text, to: output)
            let instance = imported.loaded.instance
            print("wrote \(output): \(instance.period.start) – \(instance.period.end), \(instance.blocks.count) blocks, "
                  + "\(instance.clinics.count) clinics, \(instance.members(of: .physicians).count) physicians, "
                  + "\(instance.stations.count) stations, \(imported.loaded.slots.slots.count) slots")
        }
    }
}
