// swift-tools-version: 6.1
// Benchmarks for rinban's modelling layer and GLPK loading.
// A separate package so the main package never depends on package-benchmark.
// Run from this directory: ./run.sh   (or: swift package --allow-writing-to-package-directory benchmark)
import PackageDescription

let package = Package(
    name: "rinban-benchmarks",
    platforms: [.macOS(.v13)],
    dependencies: [
        .package(name: "rinban", path: ".."),
        // The MallocInterposer trait provides the malloc counters (and is needed to resolve here).
        .package(url: "https://github.com/ordo-one/benchmark", from: "1.38.1", traits: ["MallocInterposer"]),
    ],
    targets: [
        .executableTarget(
            name: "ModelBuilding",
            dependencies: [
                .product(name: "Benchmark", package: "benchmark"),
                .product(name: "MIP", package: "rinban"),
                .product(name: "MIPGLPK", package: "rinban"),
            ],
            path: "Benchmarks/ModelBuilding",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),
        .executableTarget(
            name: "Planning",
            dependencies: [
                .product(name: "Benchmark", package: "benchmark"),
                .product(name: "MIP", package: "rinban"),
                .product(name: "RinbanCore", package: "rinban"),
                .product(name: "RinbanPlanning", package: "rinban"),
            ],
            path: "Benchmarks/Planning",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),
        .executableTarget(
            name: "Solving",
            dependencies: [
                .product(name: "Benchmark", package: "benchmark"),
                .product(name: "MIP", package: "rinban"),
                .product(name: "MIPGLPK", package: "rinban"),
                .product(name: "RinbanCore", package: "rinban"),
                .product(name: "RinbanPlanning", package: "rinban"),
            ],
            path: "Benchmarks/Solving",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),
        .executableTarget(
            name: "WhatIf",
            dependencies: [
                .product(name: "Benchmark", package: "benchmark"),
                .product(name: "MIP", package: "rinban"),
                .product(name: "MIPGLPK", package: "rinban"),
                .product(name: "RinbanCore", package: "rinban"),
                .product(name: "RinbanPlanning", package: "rinban"),
            ],
            path: "Benchmarks/WhatIf",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),
    ],
    swiftLanguageModes: [.v6]
)
