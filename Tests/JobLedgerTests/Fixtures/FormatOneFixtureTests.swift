import EventStore
import Foundation
import JobLedger
import Testing

/// `Fixtures/format-1`: a ledger written by the build before on-disk
/// format 2 and before `JobFailed` moved to schema version 2, with the
/// export and job listing that build printed. This build reads a copy of
/// it (never the fixture itself) the same, `JobFailed` in its current
/// shape, refuses to write it until upgraded, and upgrades it in place.
@Suite(TestBackend.onLMDBOnly) struct FormatOneFixtureTests {
    static let fixture = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures/format-1").path

    /// A copy of the fixture's ledger in a temporary directory.
    static func copy() throws -> TemporaryJobLedger {
        let ledger = TemporaryJobLedger()
        try FileManager.default.createDirectory(atPath: ledger.path, withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: fixture + "/ledger/data.mdb", toPath: ledger.path + "/data.mdb")
        chmod(ledger.path + "/data.mdb", 0o600)
        return ledger
    }

    static func open(_ ledger: TemporaryJobLedger, readOnly: Bool) throws -> JobLedger {
        var options = JobLedgerOptions()
        options.store = .noSync
        options.store.readOnly = readOnly
        return try JobLedger(path: ledger.path, options: options)
    }

    static func fixtureFile(_ name: String) throws -> Data {
        try Data(contentsOf: URL(fileURLWithPath: fixture + "/" + name))
    }

    /// Every event, job and audit entry reads back as the fixture's build
    /// printed them, `JobFailed` in its current shape; the log verifies.
    static func checkReadsBack(_ jobs: JobLedger) throws {
        // The export carries the stored bytes: the same, digest chain and all.
        var export = ""
        try jobs.store.exportEvents(to: &export)
        #expect(export == String(decoding: try fixtureFile("export.jsonl"), as: UTF8.self))
        // The job listing, field for field.
        let page = try jobs.list(JobQuery(), limit: 100)
        let listed = try JSONSerialization.jsonObject(with: JobJSON.data(JobJSON.page(page))) as? NSDictionary
        let printed = try JSONSerialization.jsonObject(with: try fixtureFile("jobs.json")) as? NSDictionary
        #expect(listed != nil && listed == printed)
        #expect(page.next == nil)
        #expect(Set(page.jobs.map(\.state)) == Set(JobState.allCases))
        // Every job's history: each job event decodes in the current shape,
        // each audit entry as stored.
        var kinds: Set<String> = []
        var audits = 0
        for job in page.jobs {
            let stored = try jobs.store.readStream(JobStreams.job(job.id)) + jobs.store.readStream(JobStreams.audit(job.id))
            let history = try jobs.history(job.id)
            #expect(history.map(\.position) == stored.map(\.position).sorted())
            for entry in history {
                let event = try #require(stored.first { $0.position == entry.position })
                if entry.stream == "audit" {
                    audits += 1
                    #expect(entry.audit != nil && entry.data == event.payloadString)
                    continue
                }
                kinds.insert(entry.type)
                #expect(try PayloadCodec.decode(type: event.type, payload: event.payload) != nil)
                #expect(entry.data == (event.type == "JobFailed" ? failureInCurrentShape(event.payloadString) : event.payloadString))
            }
        }
        // Every kind but retention's snapshot, which came after the fixture.
        #expect(kinds == JobEvent.typeNames.subtracting([JobEvent.archivedType]))
        #expect(audits > 0)
        #expect(try jobs.store.verifyLog().isClean)
        #expect(try jobs.verifyProjections().isEmpty)
    }

    /// A version-1 `JobFailed` payload as version 2 shows it, written here
    /// by hand rather than by the upcaster under test.
    static func failureInCurrentShape(_ stored: String) -> String? {
        guard var fields = try? JSONSerialization.jsonObject(with: Data(stored.utf8)) as? [String: Any],
              fields["$version"] == nil, let retryable = fields.removeValue(forKey: "retryable") as? Bool,
              let data = try? JSONSerialization.data(
                  withJSONObject: fields.merging(["cause": retryable ? "attemptsExhausted" : "notRetryable"]) { $1 },
                  options: [.sortedKeys, .withoutEscapingSlashes])
        else { return nil }
        return String(decoding: data, as: UTF8.self)
    }

    /// The fixture's projections are version 5, which this build still reads
    /// as they are (only the tallies of version 7 are missing): a read-only
    /// open answers, verifies and writes nothing; only a read of the tallies
    /// is refused, saying that a writable open rebuilds them.
    @Test func theFixtureReadsBackAsItsBuildPrintedItWithoutAnUpgrade() throws {
        let ledger = try Self.copy()
        let before = try Data(contentsOf: URL(fileURLWithPath: ledger.path + "/data.mdb"))
        let jobs = try Self.open(ledger, readOnly: true)
        #expect(try jobs.embeddedStore?.storedFormat() == 1)
        try Self.checkReadsBack(jobs)
        #expect(try jobs.verifyProjections().isEmpty)
        #expect {
            _ = try jobs.jobCounts()
        } throws: { error in
            "\(error)".contains("'tallies'") && "\(error)".contains("writable")
        }
        #expect(try Data(contentsOf: URL(fileURLWithPath: ledger.path + "/data.mdb")) == before)
    }

    @Test func theFixtureOpenedForWritingIsRefusedWithTheCommandThatUpgradesIt() throws {
        let ledger = try Self.copy()
        let before = try Data(contentsOf: URL(fileURLWithPath: ledger.path + "/data.mdb"))
        #expect {
            _ = try Self.open(ledger, readOnly: false)
        } throws: { error in
            let text = "\(error)"
            return text.contains("'\(ledger.path)' is a format-1 ledger and this build writes format 2")
                && text.contains("`jobledger upgrade --db \(ledger.path)`")
        }
        #expect(try Data(contentsOf: URL(fileURLWithPath: ledger.path + "/data.mdb")) == before)
    }

    @Test func theUpgradedFixtureReadsBackTheSameAndItsBackupVerifies() throws {
        let ledger = try Self.copy()
        let report = try EventStore.upgradeFormat(at: ledger.path)
        #expect(report.upgraded && report.fromFormat == 1 && report.toFormat == 2)
        let backup = try #require(report.backupPath)
        #expect(backup == ledger.path + ".format-1-backup")
        do {
            var options = EventStoreOptions.noSync
            options.readOnly = true
            let copy = try EventStore.open(at: backup, options: options)
            #expect(try copy.storedFormat() == 1)
            let check = try copy.verifyLog()
            #expect(check.isClean && check.events == report.backupEvents)
        }
        do {
            let jobs = try Self.open(ledger, readOnly: false)
            #expect(try jobs.embeddedStore?.storedFormat() == 2)
            try Self.checkReadsBack(jobs)
            // The rebuild on opening wrote the tallies: they count what the listing lists.
            let listed = try jobs.list(JobQuery(), limit: 100).jobs
            let counts = try jobs.jobCounts()
            #expect(counts.byState == Dictionary(grouping: listed, by: \.state).mapValues(\.count))
            #expect(counts.byType.mapValues { $0.values.reduce(0, +) } == Dictionary(grouping: listed, by: \.type).mapValues(\.count))
            // And takes new events, a failure in the current schema among them.
            _ = try jobs.submit(JobSubmission(id: "after-upgrade", type: "upgrade-check", maxAttempts: 1), by: alice)
            _ = try #require(try jobs.claim(worker: "w9", types: ["upgrade-check"], lease: 30))
            _ = try jobs.fail("after-upgrade", worker: "w9", attempt: 1, error: "still broken", retryable: true)
            let failure = try #require(try jobs.store.readStream(JobStreams.job("after-upgrade")).last)
            #expect(failure.payloadString.hasPrefix(#"{"$version":2,"#))
            #expect(try jobs.store.verifyLog().isClean)
        }
        let again = try EventStore.upgradeFormat(at: ledger.path)
        #expect(!again.upgraded && again.toFormat == 2 && again.backupPath == nil)
    }
}
