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

    @Test(arguments: FuzzTargets.names)
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

    @Test(arguments: [("envelope", 30_000), ("import", 5_000), ("job-payload", 15_000)])
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
        #expect(ledger.checked == 400)
        #expect(ledger.accepted > 10)
        #expect(ledger.checked - ledger.accepted > 100)
    }

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
