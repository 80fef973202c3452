// swift-tools-version: 6.1
import PackageDescription

let package = Package(
    name: "rinban",
    products: [
        .executable(name: "rinban", targets: ["rinban"]),
        // The office's server (`rinban serve` runs it): Hummingbird and GRDB stay out of the CLI's build.
        .executable(name: "rinban-server", targets: ["rinban-server"]),
        .library(name: "MIP", targets: ["MIP"]),
        .library(name: "MIPGLPK", targets: ["MIPGLPK"]),
        .library(name: "RinbanCore", targets: ["RinbanCore"]),
        .library(name: "RinbanPlanning", targets: ["RinbanPlanning"]),
        .library(name: "RinbanWorkbook", targets: ["RinbanWorkbook"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
        .package(url: "https://github.com/weichsel/ZIPFoundation", from: "0.9.20"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
        // Passwords (bcrypt) and token digests (SHA-256) of the server's sign-in.
        .package(url: "https://github.com/hummingbird-project/hummingbird-auth", from: "2.5.0"),
        .package(url: "https://github.com/apple/swift-crypto.git", "3.12.3"..<"5.0.0"),
        .package(url: "https://github.com/apple/swift-http-types.git", from: "1.8.0"),
    ],
    targets: [
        // Debian ships no glpk.pc, so no pkgConfig: the module map's `link "glpk"` is enough
        // (a pkgConfig entry only produces a misleading "install libglpk-dev" warning).
        .systemLibrary(
            name: "CGLPK",
            path: "Sources/CGLPK",
            providers: [.apt(["libglpk-dev"])]
        ),
        // Plain C: every GLPK call that can fail runs behind setjmp + glp_error_hook here,
        // so GLPK's abort() never reaches the process and no longjmp crosses Swift frames.
        .target(name: "CGLPKGuard", dependencies: ["CGLPK"]),
        // The modelling layer: variables, expressions, constraints, results. No C, no domain words.
        .target(name: "MIP"),
        // The GLPK backend: the only Swift target that imports C.
        .target(name: "MIPGLPK", dependencies: ["MIP", "CGLPK", "CGLPKGuard"]),
        // The domain: instances, the Japanese calendar, slots and eligibility. Knows nothing of GLPK.
        .target(name: "RinbanCore", dependencies: [.product(name: "Yams", package: "Yams")]),
        // The planners: integer programs (through MIP, never GLPK directly), greedy and search.
        .target(name: "RinbanPlanning", dependencies: ["RinbanCore", "MIP"]),
        // Spreadsheets in and out: .xlsx (ZIPFoundation for the container, Foundation's XMLParser
        // for the XML) and folders of CSV files. The domain target stays free of both.
        .target(
            name: "RinbanWorkbook",
            dependencies: ["RinbanCore", .product(name: "ZIPFoundation", package: "ZIPFoundation")]
        ),
        .executableTarget(
            name: "rinban",
            dependencies: [
                "MIP", "MIPGLPK", "RinbanCore", "RinbanPlanning", "RinbanWorkbook",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        // The server: months, runs, drafts and published versions in SQLite (GRDB), served by
        // Hummingbird 2. Everything it plans or scores goes through the same code as the CLI.
        .target(
            name: "RinbanServer",
            dependencies: [
                "MIP", "MIPGLPK", "RinbanCore", "RinbanPlanning", "RinbanWorkbook",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "HummingbirdBcrypt", package: "hummingbird-auth"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
            ]
        ),
        .executableTarget(
            name: "rinban-server",
            dependencies: ["RinbanServer", .product(name: "ArgumentParser", package: "swift-argument-parser")]
        ),
        .testTarget(
            name: "RinbanServerTests",
            // The tests talk HTTP to the real `rinban-server` process (no HummingbirdTesting: it
            // would bring an HTTP client with its own TLS stack into every build).
            dependencies: ["RinbanServer", "RinbanCore", "rinban-server", .product(name: "GRDB", package: "GRDB.swift")]
        ),
        // The tests reach the C guard directly to prove that GLPK's fatal errors are contained.
        .testTarget(name: "MIPTests", dependencies: ["MIP", "MIPGLPK", "CGLPK", "CGLPKGuard"]),
        // End-to-end: runs the built `rinban` binary and checks its output and exit codes.
        .testTarget(name: "RinbanCLITests", dependencies: ["rinban"]),
        .testTarget(name: "RinbanCoreTests", dependencies: ["RinbanCore"], resources: [.copy("Fixtures")]),
        .testTarget(
            name: "RinbanWorkbookTests",
            dependencies: [
                "RinbanWorkbook", "RinbanCore", "RinbanPlanning", "MIPGLPK",
                .product(name: "ZIPFoundation", package: "ZIPFoundation"),
            ],
            resources: [.copy("Fixtures")]),
        .testTarget(name: "RinbanPlanningTests", dependencies: ["RinbanPlanning", "RinbanCore", "MIP", "MIPGLPK"]),
    ],
    swiftLanguageModes: [.v6]
)
