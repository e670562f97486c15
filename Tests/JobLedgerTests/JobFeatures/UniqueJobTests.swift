import EventStore
import Foundation
@testable import JobLedger
import Testing

/// Unique jobs: a key held by one job of an organisation and type within a
/// window; other submissions with the key answer with that job and create
/// nothing.
@Suite struct UniqueJobTests {
    static func submission(_ id: String, key: String = "report-2026-12", window: TimeInterval = 60, type: String = "report")
        -> JobSubmission
    {
        JobSubmission(id: id, type: type, unique: UniqueKey(key: key, window: window))
    }

    @Test func sixteenThreadsSubmittingOneKeyUnderDifferentIdsCreateExactlyOneJob() throws {
        let ledger = TemporaryJobLedger()
        let jobs = try ledger.open { $0.conflictRetry = ConflictRetryPolicy(attempts: 64, backoff: 0.000_5...0.01) }
        let answers = IncidentCollector<Result<SubmitResult, JobLedgerError>>()
        let finished = incidentRace(16) { index in
            answers.append(incidentCapture { () throws(JobLedgerError) in
                try jobs.submit(Self.submission("racer-\(index)"), by: alice)
            })
        }
        #expect(finished)
        let results = try answers.values.map { try $0.get() }
        #expect(results.count == 16)
        let created = results.filter(\.created)
        #expect(created.count == 1)
        let holder = try #require(created.first?.job.id)
        // Every other racer was told which job holds the key.
        #expect(results.filter(\.duplicate).count == 15)
        #expect(results.allSatisfy { $0.job.id == holder })
        #expect(results.filter(\.duplicate).allSatisfy { $0.outcome == .duplicate })
        // No job stream but the holder's was written.
        #expect(try jobs.list(JobQuery(type: "report"), limit: 100).jobs.map(\.id) == [holder])
        for index in 0..<16 where "racer-\(index)" != holder {
            #expect(try jobs.store.streamVersion(JobStreams.job("racer-\(index)")) == 0)
        }
        // The holder's audit stream records each turned-away submission.
        let duplicates = try incidentAudits(holder, in: jobs).filter { $0.entry.outcome == .duplicate }
        #expect(duplicates.count == 15)
        #expect(try jobs.verifyProjections().isEmpty)
    }

    @Test func afterTheWindowTheKeyIsTakenByANewJob() throws {
        let ledger = TemporaryJobLedger()
        let clock = TestClock()
        let jobs = try ledger.open(clock: clock)
        #expect(try jobs.submit(Self.submission("first", window: 10), by: alice).created)
        clock.advance(9.999)
        let inside = try jobs.submit(Self.submission("second", window: 10), by: alice)
        #expect(!inside.created && inside.duplicate && inside.job.id == "first")
        clock.advance(0.001)
        let after = try jobs.submit(Self.submission("third", window: 10), by: alice)
        #expect(after.created && !after.duplicate && after.job.id == "third")
        // The window is the asking submission's: a longer one still finds
        // the key held by the newest holder.
        clock.advance(30)
        let longer = try jobs.submit(Self.submission("fourth", window: 3600), by: alice)
        #expect(longer.duplicate && longer.job.id == "third")
    }

    @Test func theKeyIsHeldWhateverTheHoldersStateWithinTheWindow() throws {
        let ledger = TemporaryJobLedger()
        let jobs = try ledger.open()
        _ = try jobs.submit(Self.submission("held"), by: alice)
        _ = try jobs.cancel("held", by: alice, reason: "not needed")
        let again = try jobs.submit(Self.submission("again"), by: alice)
        #expect(again.duplicate && again.job.id == "held" && again.job.state == .cancelled)
    }

    @Test func keysAreScopedByOrganisationAndType() throws {
        let ledger = TemporaryJobLedger()
        let jobs = try ledger.open()
        let other = Actor(id: "carol", role: .user, organisation: "globex")
        #expect(try jobs.submit(Self.submission("acme-report"), by: alice).created)
        #expect(try jobs.submit(Self.submission("globex-report"), by: other).created)
        #expect(try jobs.submit(Self.submission("acme-mail", type: "mail"), by: alice).created)
        // The same organisation and type: another owner gets the holder.
        let bobs = try jobs.submit(Self.submission("bobs-report"), by: bob)
        #expect(bobs.duplicate && bobs.job.id == "acme-report")
    }

    @Test func resubmittingTheHoldersOwnIdAnswersExistingNotDuplicate() throws {
        let ledger = TemporaryJobLedger()
        let jobs = try ledger.open()
        _ = try jobs.submit(Self.submission("one"), by: alice)
        let again = try jobs.submit(Self.submission("one"), by: alice)
        #expect(!again.created && !again.duplicate && again.outcome == .existing)
    }

    @Test(arguments: [
        (UniqueKey(key: "", window: 60), "unique key"),
        (UniqueKey(key: " padded", window: 60), "unique key"),
        (UniqueKey(key: String(repeating: "k", count: 201), window: 60), "unique key"),
        (UniqueKey(key: "tab\there", window: 60), "unique key"),
        (UniqueKey(key: "ok", window: 0), "unique window"),
        (UniqueKey(key: "ok", window: -1), "unique window"),
        (UniqueKey(key: "ok", window: .infinity), "unique window"),
        (UniqueKey(key: "ok", window: 367 * 86_400), "unique window"),
    ])
    func badKeysAndWindowsAreRefusedAndWriteNothing(unique: UniqueKey, field: String) throws {
        let ledger = TemporaryJobLedger()
        let jobs = try ledger.open()
        let before = try jobs.store.lastPosition()
        #expect {
            try jobs.submit(JobSubmission(id: "bad", type: "report", unique: unique), by: alice)
        } throws: { error in
            guard let error = error as? JobLedgerError, error.code == .invalidInput else { return false }
            return error.field == field
        }
        #expect(try jobs.store.lastPosition() == before)
    }

    @Test func historyShowsTheKeyAndItsWindow() throws {
        let ledger = TemporaryJobLedger()
        let jobs = try ledger.open()
        _ = try jobs.submit(Self.submission("shown", window: 90), by: alice)
        let submitted = try #require(try jobs.history("shown").first { $0.type == "JobSubmitted" })
        #expect(submitted.data.contains(#""unique":"report-2026-12""#))
        #expect(submitted.data.contains(#""uniqueWindowMillis":90000"#))
    }

    @Test func aLedgerWithUniqueJobsExportsAndImportsWhole() throws {
        let source = TemporaryJobLedger()
        let clock = TestClock()
        let jobs = try source.open(clock: clock)
        _ = try jobs.submit(Self.submission("u1", window: 5), by: alice)
        _ = try jobs.submit(Self.submission("u2", window: 5), by: alice)
        clock.advance(5)
        _ = try jobs.submit(Self.submission("u3", window: 5), by: alice)
        var text = ""
        try jobs.store.exportEvents(to: &text)
        #expect(text.contains(UniqueKeyEvents.taken))

        let target = TemporaryJobLedger()
        let restored = try target.open(clock: clock)
        _ = try restored.importEvents(jsonLines: Data(text.utf8))
        #expect(try restored.verifyProjections().isEmpty)
        // The restored ledger knows who holds the key.
        let again = try restored.submit(Self.submission("u4", window: 5), by: alice)
        #expect(again.duplicate && again.job.id == "u3")
    }
}
