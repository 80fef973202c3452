// swift-tools-version: 6.1
// Benchmarks for rinban: the modelling layer, the planning pipeline, GLPK on the bundled
// instances, the what-if commands, and the office's workbook and CSV files.
// A separate package so the main package never depends on package-benchmark.
// Run from this directory: ./run.sh   (or: swift package --allow-writing-to-package-directory benchmark)
import PackageDescription

/// One benchmark executable in Benchmarks/NAME using the given rinban products.
func benchmarkTarget(_ name: String, _ products: [String]) -> Target {
    .executableTarget(
        name: name,
        dependencies: [.product(name: "Benchmark", package: "benchmark")]
            + products.map { .product(name: $0, package: "rinban") },
        path: "Benchmarks/\(name)",
        plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
    )
}

let package = Package(
    name: "rinban-benchmarks",
    platforms: [.macOS(.v13)],
    dependencies: [
        .package(name: "rinban", path: ".."),
        // The MallocInterposer trait provides the malloc counters (and is needed to resolve here).
        .package(url: "https://github.com/ordo-one/benchmark", from: "1.38.1", traits: ["MallocInterposer"]),
    ],
    targets: [
        benchmarkTarget("ModelBuilding", ["MIP", "MIPGLPK"]),
        benchmarkTarget("Planning", ["MIP", "RinbanCore", "RinbanPlanning"]),
        benchmarkTarget("Solving", ["MIP", "MIPGLPK", "RinbanCore", "RinbanPlanning"]),
        benchmarkTarget("WhatIf", ["MIP", "MIPGLPK", "RinbanCore", "RinbanPlanning"]),
        benchmarkTarget("Workbook", ["RinbanCore", "RinbanWorkbook"]),
    ],
    swiftLanguageModes: [.v6]
)
