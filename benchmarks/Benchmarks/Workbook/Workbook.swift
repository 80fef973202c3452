// The office's files: an instance written as an .xlsx workbook and read back, a folder of CSV
// files, and the rota workbook, on the largest bundled instance (city-300-2027-09, 300 clinics)
// and on tokushima-2026-12. One iteration of each benchmark is:
//
//   workbook write NAME      InstanceWorkbook.make(instance) + XLSXWriter.data(for:): the whole
//                            .xlsx as bytes in memory (what `rinban workbook` does before writing
//                            the file; no disk)
//   workbook read NAME       XLSXReader.read(data:file:) + InstanceWorkbook.read(sheets:file:) on
//                            those bytes, made once in setup: unzip, parse the XML, read every
//                            cell, build the document and validate it through InstanceDecoder
//                            (slots and eligibility included), i.e. `rinban import` without the disk
//   json read NAME           InstanceDecoder.load(contentsOf:) on the instance's JSON file, for
//                            comparison (reading the file, parsing, validating)
//   csv read tokushima       InstanceWorkbook.read(contentsOf:) on the committed CSV folder
//                            Tests/RinbanWorkbookTests/Fixtures/tokushima-csv-cp932 (15 files in
//                            CP932, as Japanese Excel saves them): reading, decoding, parsing and
//                            validating
//   rota workbook write tokushima
//                            RotaWorkbook.make(loaded:plan:) + XLSXWriter.data(for:) with the
//                            published plan examples/tokushima-2026-12.published.json (the
//                            evaluator's runs included; no disk)
//
// Setup reads the JSON (and the plan), writes the workbook once and reads it back once,
// checking that the round trip gives the same instance (so does the CSV folder, against the
// JSON). Each benchmark runs in its own process and builds only the fixture it needs.

import Benchmark
import Foundation
import RinbanCore
import RinbanWorkbook

let root = URL(fileURLWithPath: #filePath)
    .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

func repoPath(_ relative: String) -> String { root.appendingPathComponent(relative).path }

let cityName = "city-300-2027-09"
let tokushimaName = "tokushima-2026-12"

/// One bundled instance, read from its JSON, and its workbook's bytes.
struct InstanceFixture: Sendable {
    let name: String
    let path: String
    let loaded: LoadedInstance
    let xlsx: Data

    init(name: String) {
        self.name = name
        path = repoPath("instances/\(name).json")
        do {
            loaded = try InstanceDecoder.load(contentsOf: path)
            let workbook = InstanceWorkbook.make(loaded.instance)
            xlsx = try XLSXWriter.data(for: workbook)
            let imported = try InstanceWorkbook.read(sheets: XLSXReader.read(data: xlsx, file: name + ".xlsx"), file: name + ".xlsx")
            precondition(imported.loaded.instance == loaded.instance, "\(name): the workbook does not read back as the instance")
            let json = (try? FileManager.default.attributesOfItem(atPath: path))?[.size] as? NSNumber
            let cells = workbook.sheets.reduce(0) { $0 + $1.rows.reduce(0) { $0 + $1.count } }
            let line = "WORKBOOK \(name) json=\(json?.intValue ?? 0) xlsx=\(xlsx.count) sheets=\(workbook.sheets.count)"
                + " cells=\(cells) members=\(loaded.instance.members.count)\n"
            FileHandle.standardError.write(Data(line.utf8))
        } catch {
            fatalError("\(name) fixture: \(error)")
        }
    }
}

/// Tokushima's month with its published plan.
struct RotaFixture: Sendable {
    let loaded: LoadedInstance
    let plan: Plan

    init() {
        do {
            loaded = try InstanceDecoder.load(contentsOf: repoPath("instances/\(tokushimaName).json"))
            plan = try PlanReader.load(contentsOf: repoPath("examples/\(tokushimaName).published.json"))
            let workbook = RotaWorkbook.make(loaded: loaded, plan: plan)
            let bytes = try XLSXWriter.data(for: workbook)
            let line = "ROTAWORKBOOK \(tokushimaName) xlsx=\(bytes.count) sheets=\(workbook.sheets.count)"
                + " assignments=\(plan.assignments.count)\n"
            FileHandle.standardError.write(Data(line.utf8))
        } catch {
            fatalError("rota workbook fixture: \(error)")
        }
    }
}

/// The committed CP932 CSV folder, checked once against the JSON.
struct CSVFixture: Sendable {
    let folder: String

    init() {
        folder = repoPath("Tests/RinbanWorkbookTests/Fixtures/tokushima-csv-cp932")
        do {
            let expected = try InstanceDecoder.load(contentsOf: repoPath("instances/\(tokushimaName).json"))
            let imported = try InstanceWorkbook.read(contentsOf: folder)
            precondition(imported.loaded.instance == expected.instance, "the CSV folder does not read as \(tokushimaName)")
        } catch {
            fatalError("CSV fixture: \(error)")
        }
    }
}

// Globals are made on first use, in the setup hook of the benchmark that needs them.
let cityFixture = InstanceFixture(name: cityName)
let tokushimaFixture = InstanceFixture(name: tokushimaName)
let rotaFixture = RotaFixture()
let csvFixture = CSVFixture()

func instanceFixture(_ name: String) -> InstanceFixture { name == cityName ? cityFixture : tokushimaFixture }

let benchmarks: @Sendable () -> Void = {
    let configuration = Benchmark.Configuration(
        metrics: [.wallClock, .mallocCountTotal, .peakMemoryResident],
        timeUnits: .microseconds,
        units: [.mallocCountTotal: .count],
        warmupIterations: 1,
        maxDuration: .seconds(5),
        maxIterations: 20
    )
    for name in [cityName, tokushimaName] {
        Benchmark("workbook write \(name)", configuration: configuration, closure: { benchmark in
            let instance = instanceFixture(name).loaded.instance
            for _ in benchmark.scaledIterations {
                blackHole(try XLSXWriter.data(for: InstanceWorkbook.make(instance)))
            }
        }, setup: { _ = instanceFixture(name).xlsx })
        Benchmark("workbook read \(name)", configuration: configuration, closure: { benchmark in
            let xlsx = instanceFixture(name).xlsx
            let file = name + ".xlsx"
            for _ in benchmark.scaledIterations {
                blackHole(try InstanceWorkbook.read(sheets: XLSXReader.read(data: xlsx, file: file), file: file))
            }
        }, setup: { _ = instanceFixture(name).xlsx })
        Benchmark("json read \(name)", configuration: configuration, closure: { benchmark in
            let path = repoPath("instances/\(name).json")
            for _ in benchmark.scaledIterations {
                blackHole(try InstanceDecoder.load(contentsOf: path))
            }
        })
    }
    Benchmark("csv read \(tokushimaName)", configuration: configuration, closure: { benchmark in
        let folder = csvFixture.folder
        for _ in benchmark.scaledIterations {
            blackHole(try InstanceWorkbook.read(contentsOf: folder))
        }
    }, setup: { _ = csvFixture.folder })
    Benchmark("rota workbook write \(tokushimaName)", configuration: configuration, closure: { benchmark in
        let f = rotaFixture
        for _ in benchmark.scaledIterations {
            blackHole(try XLSXWriter.data(for: RotaWorkbook.make(loaded: f.loaded, plan: f.plan)))
        }
    }, setup: { _ = rotaFixture.plan })
}
