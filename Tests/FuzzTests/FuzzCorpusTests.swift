import Foundation
import FuzzKit
import Testing

/// The fuzzers' corpus and a bounded share of the nightly run, in the
/// ordinary suite: every corpus input, then seeded mutations, through the
/// envelope decoder, the import parser and the job payload reader.
@Suite struct FuzzCorpusTests {
    static let fixtures = Corpus.fixturesFolder(above: #filePath)!

    /// The slowest an input may be in a debug build before it counts as a hang.
    static let budget: Duration = .milliseconds(500)

    static func report(_ report: Campaign.Report, target: String) {
        for failure in report.failures {
            Issue.record("\(target) input #\(failure.index) (\(failure.input.count) bytes): \(failure.message)")
        }
    }

    /// The targets run in the test process. The command line's target points
    /// standard output and error at /dev/null while an input runs, which
    /// would swallow what other tests print meanwhile: it runs in a child
    /// process of its own (see ``theCommandLineNeitherTrapsNorAnswersOutsideItsExitCodes()``).
    static let inProcessTargets = FuzzTargets.names.filter { $0 != "cli-args" }

    @Test(arguments: inProcessTargets)
    func everyCorpusInputDecodesOrIsRefusedWithATypedError(target name: String) throws {
        let corpus = try Corpus.load(target: name, fixtures: Self.fixtures)
        #expect(corpus.names.contains { $0.contains("/seeds/") })
        #expect(corpus.names.contains { $0.contains("/regressions/") })
        var target = try #require(FuzzTargets.make(name))
        for (file, input) in zip(corpus.names, corpus.inputs) {
            let outcome = Result { () throws(PropertyViolation) in try target.run(input) }
            if case .failure(let violation) = outcome { Issue.record("\(file): \(violation)") }
        }
    }

    @Test(arguments: [("envelope", 30_000), ("import", 5_000), ("job-payload", 15_000), ("job-record", 5_000)])
    func seededMutationsNeitherTrapNorHangNorBreakAProperty(target name: String, inputs: Int) throws {
        let corpus = try Corpus.load(target: name, fixtures: Self.fixtures)
        var target = try #require(FuzzTargets.make(name))
        let campaign = Campaign(corpus: corpus.inputs, options: .init(inputs: inputs, seed: 20_261_123, timeBudget: Self.budget))
        var report = Campaign.Report()
        campaign.run(&target, into: &report)
        Self.report(report, target: name)
        #expect(report.inputs == inputs)
        // The mutations reach past the first checks: some inputs decode,
        // and the refusals are of several kinds.
        #expect(report.accepted > inputs / 50)
        #expect(report.errorKinds.count >= 4)
    }

    @Test func refusedImportsLeaveARealLedgerUnchanged() throws {
        let corpus = try Corpus.load(target: "import", fixtures: Self.fixtures)
        let base = try Data(contentsOf: Self.fixtures.appendingPathComponent("fuzz/import/seeds/jobs.jsonl"))
        let ledger = LedgerImportCheck(base: Array(base), sampleEvery: 1)
        var target = try #require(FuzzTargets.make("import", ledger: ledger))
        let campaign = Campaign(corpus: corpus.inputs, options: .init(inputs: 400, seed: 7, timeBudget: Self.budget))
        var report = Campaign.Report()
        campaign.run(&target, into: &report)
        Self.report(report, target: "import")
        // Every input reached the real ledger; one that ran over the time
        // budget on a busy machine is timed again, and so imported twice.
        #expect(report.inputs == 400)
        #expect(ledger.checked >= 400)
        #expect(ledger.accepted > 10)
        #expect(ledger.checked - ledger.accepted > 100)
    }

    /// The command line's target over its corpus and seeded mutations, run
    /// by the nightly executable in a child process.
    @Test func theCommandLineNeitherTrapsNorAnswersOutsideItsExitCodes() throws {
        let corpus = try Corpus.load(target: "cli-args", fixtures: Self.fixtures)
        #expect(corpus.names.contains { $0.contains("/seeds/") })
        let artifacts = FileManager.default.temporaryDirectory.appendingPathComponent("jobledger-fuzz-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: artifacts) }
        let process = Process()
        guard let executable = Self.fuzzExecutable else {
            Issue.record("jobledger-fuzz is not built")
            return
        }
        process.executableURL = executable
        process.arguments = [
            "run", "--target", "cli-args", "--inputs", "\(corpus.inputs.count + 100)", "--seed", "20261123",
            "--budget-ms", "2000", "--fixtures", Self.fixtures.path, "--artifacts", artifacts.path,
        ]
        let out = Pipe()
        process.standardOutput = out
        process.standardError = FileHandle.nullDevice
        try process.run()
        let output = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        #expect(process.terminationStatus == 0, "\(output)")
        #expect(output.contains("result: no crash, hang, property failure or leak"), "\(output)")
    }

    /// The nightly executable next to the test binary.
    static let fuzzExecutable: URL? = {
        var directory = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
        for _ in 0..<5 {
            let candidate = directory.appendingPathComponent("jobledger-fuzz")
            if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate }
            directory.deleteLastPathComponent()
        }
        let root = fixtures.deletingLastPathComponent().appendingPathComponent(".build/debug/jobledger-fuzz")
        return FileManager.default.isExecutableFile(atPath: root.path) ? root : nil
    }()

    @Test func committedSeedsAreWhatTheEncodersMakeToday() throws {
        for file in try SeedCorpus.files() {
            let committed = try? Data(contentsOf: Self.fixtures.appendingPathComponent("fuzz/\(file.path)"))
            #expect(committed.map(Array.init) == file.bytes, "Fixtures/fuzz/\(file.path) is stale: run jobledger-fuzz seeds")
        }
    }

    @Test func anyInputIsMadeAgainFromTheSeedAndItsNumber() throws {
        let corpus = try Corpus.load(target: "envelope", fixtures: Self.fixtures)
        let target = try #require(FuzzTargets.make("envelope"))
        let first = Campaign(corpus: corpus.inputs, options: .init(inputs: 0, seed: 1))
        let again = Campaign(corpus: corpus.inputs, options: .init(inputs: 0, seed: 1))
        let other = Campaign(corpus: corpus.inputs, options: .init(inputs: 0, seed: 2))
        let numbers = [corpus.inputs.count, 1000, 999_999]
        #expect(numbers.map { first.input($0, for: target) } == numbers.reversed().map { again.input($0, for: target) }.reversed())
        #expect(numbers.map { first.input($0, for: target) } != numbers.map { other.input($0, for: target) })
        #expect(first.input(0, for: target) == corpus.inputs[0])
    }
}
