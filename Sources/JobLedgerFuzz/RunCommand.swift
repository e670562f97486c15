import ArgumentParser
import Foundation
import FuzzKit

/// Runs seeded mutations through the targets and reports rate, error
/// kinds, the slowest input and resident memory.
struct RunCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Run the corpus and seeded mutations of it through the targets (the default).",
        discussion: """
            Exits 1 when an input breaks a property, runs past the time budget, \
            or resident memory grows after warm-up. A trap or a hang saves the \
            input under --artifacts and names its number, which `replay --seed \
            --input` makes again.

            Without --seed each run takes a fresh random seed and prints it. \
            Inputs that fail are kept in the corpus, under \
            Fixtures/fuzz/<target>/found (or --artifacts).

            Example: jobledger-fuzz --target all --inputs 1000000
            """)

    @Option(help: "envelope, import, job-payload, job-record, cli-args or all.")
    var target = "all"
    @Option(help: "Inputs per target, corpus files included.")
    var inputs = 100_000
    @Option(help: "Seed of the mutations (default: a fresh random one, printed).")
    var seed: UInt64?
    @Option(help: "At most this many inputs for cli-args, which runs a whole command on a fresh ledger per input (about 100 a second).")
    var cliInputs = 20_000
    @Option(help: "Every how many import inputs one is also imported into a real ledger (0: none).")
    var ledgerSample = 100
    @Option(help: "Milliseconds an input may take before it counts as a failure.")
    var budgetMs = 1000
    @Option(help: "Seconds after which an input counts as a hang: it is saved and the run ends.")
    var hangSeconds = 10
    @Option(help: "MiB resident memory may grow after warm-up before it counts as a leak.")
    var maxGrowthMib = 16
    @Option(help: "Folder for inputs that fail, crash or hang (default: Fixtures/fuzz/<target>/found, in the corpus).")
    var artifacts: String?
    @Flag(help: "List every distinct error kind with its count.")
    var kinds = false
    @OptionGroup var corpus: CorpusOptions

    func run() throws {
        let fixtures = try corpus.fixturesFolder()
        let seed = self.seed ?? UInt64.random(in: 1...UInt64(UInt32.max))
        print("seed \(seed)\(self.seed == nil ? " (fresh; run again with --seed \(seed))" : "")")
        CrashReporter.watchForHangs(limit: .seconds(hangSeconds))
        var failed = false
        for name in try CorpusOptions.targets(target) {
            failed = try runTarget(name, seed: seed, fixtures: fixtures) || failed
        }
        if failed { throw ExitCode(1) }
    }

    /// Runs one target; true when it failed.
    private func runTarget(_ name: String, seed: UInt64, fixtures: URL) throws -> Bool {
        let inputs = name == "cli-args" ? min(inputs, cliInputs) : inputs
        // What a run finds goes into the corpus, where the next run and the
        // suite's corpus test find it until it is fixed and moved to regressions/.
        let found = artifacts.map { URL(fileURLWithPath: $0) } ?? fixtures.appendingPathComponent("fuzz/\(name)/found")
        let corpus = try Corpus.load(target: name, fixtures: fixtures)
        guard !corpus.inputs.isEmpty else { throw ValidationError("no corpus for \(name) under \(fixtures.path)") }
        var ledger: LedgerImportCheck?
        if name == "import" && ledgerSample > 0 {
            let base = try Data(contentsOf: fixtures.appendingPathComponent("fuzz/import/seeds/jobs.jsonl"))
            ledger = LedgerImportCheck(base: Array(base), sampleEvery: ledgerSample)
        }
        var target = FuzzTargets.make(name, ledger: ledger)!
        let campaign = Campaign(
            corpus: corpus.inputs, options: .init(inputs: inputs, seed: seed, timeBudget: .milliseconds(budgetMs)))
        try FileManager.default.createDirectory(at: found, withIntermediateDirectories: true)
        CrashReporter.arm(
            target: name, seed: seed,
            file: found.appendingPathComponent("crash-\(name)-seed\(seed).bin").path)

        var report = Campaign.Report()
        var memory = MemoryWatch(warmUpInputs: max(corpus.inputs.count, min(inputs / 10, 50_000)))
        let clock = ContinuousClock()
        let start = clock.now
        var done = 0
        var nextProgress = inputs / 10
        while done < inputs {
            let end = min(inputs, done + 10_000, done < memory.warmUpInputs ? memory.warmUpInputs : .max)
            campaign.run(&target, range: done..<end, into: &report, willRun: CrashReporter.willRun)
            CrashReporter.idle()
            done = end
            memory.sample(after: done)
            if done >= nextProgress && done < inputs {
                FileHandle.standardError.write(Data("  \(name): \(done) inputs\n".utf8))
                nextProgress += inputs / 10
            }
        }
        let elapsed = clock.now - start
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        let leaked = memory.growth > maxGrowthMib << 20

        print("target \(name): \(report.inputs) inputs (\(corpus.inputs.count) corpus files), seed \(seed)")
        print("  time: \(String(format: "%.1f", seconds)) s, \(Int(Double(report.inputs) / seconds)) inputs/s")
        let refused = report.errorKinds.values.reduce(0, +)
        print("  accepted: \(report.accepted); refused with a typed error: \(refused), \(report.errorKinds.count) distinct error kinds")
        let again = Campaign.time(campaign.input(report.slowest.index, for: target), on: &target)
        print("  slowest input: #\(report.slowest.index), \(Self.milliseconds(report.slowest.time)), \(Self.milliseconds(again)) when run again (budget \(budgetMs) ms, hang limit \(hangSeconds) s)")
        print("  resident memory: start \(ResidentMemory.format(memory.start)), after warm-up \(ResidentMemory.format(memory.warm)), peak \(ResidentMemory.format(memory.peak)), end \(ResidentMemory.format(memory.end)); growth after warm-up \(ResidentMemory.format(memory.growth))\(leaked ? " (over the limit: a leak)" : "")")
        if let ledger {
            print("  real imports: \(ledger.checked), \(ledger.accepted) accepted")
        }
        if kinds {
            for (kind, count) in report.errorKinds.sorted(by: { $0.value > $1.value }) {
                print("    \(count)\t\(kind)")
            }
        }
        for failure in report.failures {
            let file = found.appendingPathComponent("failure-\(name)-seed\(seed)-input\(failure.index).bin")
            try? Data(failure.input).write(to: file)
            print("  FAILURE on input #\(failure.index) (saved to \(file.path)): \(failure.message)")
        }
        print("  result: \(report.failures.isEmpty && !leaked ? "no crash, hang, property failure or leak" : "FAILED")")
        return !report.failures.isEmpty || leaked
    }
}

extension RunCommand {
    static func milliseconds(_ duration: Duration) -> String {
        let (seconds, attoseconds) = duration.components
        return String(format: "%.3f ms", Double(seconds) * 1000 + Double(attoseconds) / 1e15)
    }
}

/// Resident memory over a run: at the start, after warm-up, at its peak
/// and at the end.
struct MemoryWatch {
    let warmUpInputs: Int
    let start = ResidentMemory.current()
    private(set) var warm = 0
    private(set) var peak = 0
    private(set) var end = 0
    private var peakAfterWarmUp = 0

    init(warmUpInputs: Int) { self.warmUpInputs = warmUpInputs }

    /// Growth from the end of warm-up to the highest point after it.
    var growth: Int { max(0, peakAfterWarmUp - warm) }

    mutating func sample(after inputs: Int) {
        let now = ResidentMemory.current()
        if inputs <= warmUpInputs || warm == 0 {
            warm = now
        } else {
            peakAfterWarmUp = max(peakAfterWarmUp, now)
        }
        peak = max(peak, now)
        end = now
    }
}
