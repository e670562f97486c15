import ArgumentParser
import Foundation
import FuzzKit

/// Runs saved inputs, or inputs made again from a seed and number, through
/// one target and says what happened to each.
struct ReplayCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "replay",
        abstract: "Run saved inputs, or input numbers of a seeded run, through one target.",
        discussion: """
            Examples: jobledger-fuzz replay --target import crash-import-seed1.bin
                      jobledger-fuzz replay --target envelope --seed 7 --input 123456 --save input.bin
            """)

    @Option(help: "envelope, import, job-payload, job-record or cli-args.")
    var target: String
    @Option(help: "Seed of the run to make inputs again from.")
    var seed: UInt64 = 1
    @Option(help: "Input numbers of that run to make again and run.")
    var input: [Int] = []
    @Option(help: "Write the (last) input made again to this file.")
    var save: String?
    @Argument(help: "Files holding inputs.")
    var files: [String] = []
    @OptionGroup var corpus: CorpusOptions

    func run() throws {
        guard try CorpusOptions.targets(target).count == 1 else { throw ValidationError("replay one target at a time") }
        var fuzzTarget = FuzzTargets.make(target)!
        let corpus = try Corpus.load(target: target, fixtures: try corpus.fixturesFolder())
        let campaign = Campaign(corpus: corpus.inputs, options: .init(inputs: 0, seed: seed))
        var inputs: [(String, [UInt8])] = try files.map { ($0, Array(try Data(contentsOf: URL(fileURLWithPath: $0)))) }
        for number in input {
            let bytes = campaign.input(number, for: fuzzTarget)
            inputs.append(("input #\(number) of seed \(seed)", bytes))
            if let save { try Data(bytes).write(to: URL(fileURLWithPath: save)) }
        }
        var failed = false
        for (name, bytes) in inputs {
            let clock = ContinuousClock()
            let start = clock.now
            let outcome = Result { () throws(PropertyViolation) in try fuzzTarget.run(bytes) }
            let time = clock.now - start
            switch outcome {
            case .success(.accepted): print("\(name): accepted (\(time))")
            case .success(.refused(let kind)): print("\(name): refused: \(kind) (\(time))")
            case .failure(let violation):
                failed = true
                print("\(name): FAILURE: \(violation)")
            }
        }
        if failed { throw ExitCode(1) }
    }
}
