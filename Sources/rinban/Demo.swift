import ArgumentParser
import Foundation
import MIP
import MIPGLPK

/// A small night rota solved end to end by GLPK: shows that the toolchain, the GLPK
/// bridge and the modelling layer work on this machine, until `rinban plan` exists.
struct Demo: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Solve a small built-in night rota with GLPK and print it.",
        discussion: """
            Seven physicians cover 28 nights, one per night, never on consecutive nights,
            as evenly as possible (a physician's night count may differ from the even
            share of 4 by as little as possible), honouring the nights they asked to avoid.
            """)

    @Option(help: "Stop after this many seconds.")
    var timeLimit: Double = 10

    @Option(help: "Also write the model as CPLEX LP to this file.")
    var exportLP: String?

    @Option(help: "Also write the model as free MPS to this file.")
    var exportMPS: String?

    func run() throws {
        let physicians = ["Aoki", "Baba", "Chiba", "Doi", "Endo", "Fujii", "Goto"]
        let nights = 28
        // (physician, night) pairs each physician asked to avoid.
        let avoid: Set<[Int]> = [[0, 3], [0, 4], [1, 10], [2, 0], [2, 1], [2, 2], [4, 20], [5, 27], [6, 14], [6, 15]]

        var model = Model(name: "demo-rota")
        var x: [[Variable]] = []
        for p in physicians.indices {
            x.append(try (0..<nights).map { n in
                try model.addVariable(.binary, name: "x[\(physicians[p]),\(n + 1)]")
            })
        }
        var objective = LinearExpression()
        for n in 0..<nights {
            try model.addConstraint(.equal(LinearExpression(sum: physicians.indices.map { x[$0][n] }), 1),
                                    name: "cover[\(n + 1)]")
        }
        for p in physicians.indices {
            for n in 0..<(nights - 1) {
                try model.addConstraint(x[p][n] + x[p][n + 1] <= 1, name: "rest[\(physicians[p]),\(n + 1)]")
            }
            // |count − 4| as an integer deviation (the even share is 28/7 = 4 nights).
            let over = try model.addVariable(.integer, name: "over[\(physicians[p])]")
            let under = try model.addVariable(.integer, name: "under[\(physicians[p])]")
            try model.addConstraint(
                .equal(LinearExpression(sum: x[p]) - over + under, 4), name: "share[\(physicians[p])]")
            objective.add(over, times: 10)
            objective.add(under, times: 10)
            for n in 0..<nights where avoid.contains([p, n]) { objective.add(x[p][n], times: 50) }
        }
        try model.minimize(objective)

        let backend = GLPKBackend()
        if let exportLP { try backend.write(model, format: .cplexLP, to: exportLP) }
        if let exportMPS { try backend.write(model, format: .freeMPS, to: exportMPS) }
        let result = try model.solve(using: backend, options: SolveOptions(timeLimit: timeLimit))

        print("GLPK \(GLPKBackend.version): \(model.variableCount) variables, \(model.constraintCount) constraints")
        print("status \(result.termination), objective \(result.objective.map { "\($0)" } ?? "none"), "
              + "bound \(result.bound.map { "\($0)" } ?? "none"), \(String(format: "%.3f", result.seconds)) s")
        guard result.hasSolution else { throw ExitCode(1) }
        for n in 0..<nights {
            let who = physicians.indices.first { result.value(x[$0][n]) > 0.5 }.map { physicians[$0] } ?? "-"
            print("night \(String(n + 1).padding(toLength: 2, withPad: " ", startingAt: 0))  \(who)")
        }
        for p in physicians.indices {
            let count = (0..<nights).filter { result.value(x[p][$0]) > 0.5 }.count
            print("\(physicians[p]): \(count) nights")
        }
    }
}
