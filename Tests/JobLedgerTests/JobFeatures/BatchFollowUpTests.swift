import EventStore
import Foundation
@testable import JobLedger
import Testing

/// A batch's follow-up job: enqueued exactly once when every job of the
/// batch has ended, with the outcomes in its payload.
@Suite struct BatchFollowUpTests {
    static let summary = JobSubmission(type: "summary", payload: #"{"to":"ops"}"#)

    /// The outcomes a follow-up's payload carries, and its declared payload.
    static func outcomes(of job: Job) throws -> (batch: String, outcomes: [String: String], payload: [String: String]) {
        let object = try #require(try JSONSerialization.jsonObject(with: Data(job.payload.utf8)) as? [String: Any])
        return (
            try #require(object["batch"] as? String), try #require(object["outcomes"] as? [String: String]),
            try #require(object["payload"] as? [String: String]))
    }

    /// The ids of the jobs of `type`, for counting follow-ups.
    static func jobs(ofType type: String, in jobs: JobLedger) throws -> [String] {
        try jobs.list(JobQuery(type: type), limit: 100).jobs.map(\.id)
    }

    @Test func aBatchOfFiftyJobsEndedByEightWorkerThreadsEnqueuesItsFollowUpOnceWithTheOutcomes() throws {
        let ledger = TemporaryJobLedger()
        let jobs = try ledger.open { $0.conflictRetry = ConflictRetryPolicy(attempts: 64, backoff: 0.000_5...0.01) }
        for index in 0..<50 {
            _ = try jobs.submit(JobSubmission(id: "part-\(index)", type: "part", maxAttempts: 1, batch: "b50"), by: alice)
        }
        let declared = try jobs.declareFollowUp(ofBatch: "b50", Self.summary, by: alice)
        #expect(declared.declared && declared.job == nil)
        let ended = IncidentCollector<String>()
        let failures = IncidentCollector<String>()
        let threads = DispatchGroup()
        for number in 0..<8 {
            threads.enter()
            Thread {
                defer { threads.leave() }
                let worker = "w\(number)"
                while ended.values.count < 50 && failures.values.isEmpty {
                    do {
                        guard let job = try jobs.claim(worker: worker, types: ["part"], lease: 30) else {
                            usleep(200)
                            continue
                        }
                        // Odd jobs fail for good, even ones complete.
                        if Int(job.id.dropFirst(5))! % 2 == 1 {
                            _ = try jobs.fail(job.id, worker: worker, attempt: job.attempt, error: "bad input", retryable: false)
                        } else {
                            _ = try jobs.complete(job.id, worker: worker, attempt: job.attempt)
                        }
                        ended.append(job.id)
                    } catch {
                        failures.append("\(worker): \(error)")
                    }
                }
            }.start()
        }
        #expect(threads.wait(timeout: .now() + 300) == .success)
        #expect(failures.values == [])
        #expect(Set(ended.values).count == 50)
        #expect(try Self.jobs(ofType: "summary", in: jobs) == ["then:b50"])
        let followUp = try #require(try jobs.job("then:b50"))
        #expect(followUp.owner == "alice" && followUp.state == .pending && followUp.batch == nil)
        let (batch, outcomes, payload) = try Self.outcomes(of: followUp)
        #expect(batch == "b50")
        #expect(payload == ["to": "ops"])
        #expect(outcomes.count == 50)
        for index in 0..<50 { #expect(outcomes["part-\(index)"] == (index % 2 == 1 ? "failed" : "completed")) }
        // Exactly once: one submission, created once.
        let submits = try jobs.history("then:b50").filter { $0.audit?.action == "submit" }
        #expect(submits.filter { $0.audit?.outcome == .created }.count == 1)
        #expect(submits.allSatisfy { $0.audit?.outcome == .created || $0.audit?.outcome == .existing })
        #expect(try jobs.enqueueBatchFollowUps() == [])
        #expect(try jobs.verifyProjections().isEmpty)
    }

    @Test func declaringAfterEveryJobEndedEnqueuesAtOnce() throws {
        let ledger = TemporaryJobLedger()
        let jobs = try ledger.open()
        for index in 0..<3 { _ = try jobs.submit(JobSubmission(id: "late-\(index)", type: "part", batch: "late"), by: alice) }
        _ = try jobs.cancel("late-0", by: alice, reason: "no longer needed")
        for _ in 1..<3 {
            let job = try #require(try jobs.claim(worker: "w", lease: 30))
            _ = try jobs.complete(job.id, worker: "w", attempt: job.attempt)
        }
        let declared = try jobs.declareFollowUp(ofBatch: "late", Self.summary, by: alice)
        let job = try #require(declared.job)
        #expect(job.id == "then:late")
        #expect(try Self.outcomes(of: job).outcomes == ["late-0": "cancelled", "late-1": "completed", "late-2": "completed"])
        // Declaring the same again changes nothing; another one is refused.
        let again = try jobs.declareFollowUp(ofBatch: "late", Self.summary, by: alice)
        #expect(!again.declared && again.job?.id == "then:late")
        #expect {
            try jobs.declareFollowUp(ofBatch: "late", JobSubmission(type: "other"), by: alice)
        } throws: { ($0 as? JobLedgerError)?.code == .conflictingSubmission }
    }

    @Test func killingTheBatchEnqueuesItsFollowUp() throws {
        let ledger = TemporaryJobLedger()
        let jobs = try ledger.open()
        for index in 0..<5 { _ = try jobs.submit(JobSubmission(id: "k-\(index)", type: "part", batch: "doomed"), by: alice) }
        let running = try #require(try jobs.claim(worker: "w", lease: 30))
        _ = try jobs.declareFollowUp(ofBatch: "doomed", Self.summary, by: alice)
        #expect(try jobs.job("then:doomed") == nil)
        let killed = try jobs.killBatch("doomed", by: acmeAdmin, reason: "stuck")
        #expect(killed.allSatisfy { $0.outcome == .killed })
        let followUp = try #require(try jobs.job("then:doomed"))
        let outcomes = try Self.outcomes(of: followUp).outcomes
        #expect(outcomes.count == 5 && outcomes.values.allSatisfy { $0 == "killed" })
        #expect(outcomes[running.id] == "killed")
        #expect(try Self.jobs(ofType: "summary", in: jobs) == ["then:doomed"])
    }

    @Test func theSweepEnqueuesAFollowUpThatTheEndingCommandDidNotWrite() throws {
        let ledger = TemporaryJobLedger()
        let jobs = try ledger.open()
        _ = try jobs.submit(JobSubmission(id: "only", type: "part", batch: "swept"), by: alice)
        _ = try jobs.declareFollowUp(ofBatch: "swept", Self.summary, by: alice)
        // The job ends through the store alone, as a process that stopped
        // before enqueueing the follow-up would leave it.
        let job = try #require(try jobs.job("only"))
        _ = try jobs.store.append([StreamAppend(
            streamID: JobStreams.job("only"), expectedVersion: .exact(job.version),
            events: [EventData(
                type: "JobCancelled", payload: try JobEvent.cancelled(.init(actor: "alice", reason: "gone")).encodedPayload(),
                actor: "alice")])])
        #expect(try jobs.job("only")?.state == .cancelled)
        #expect(try jobs.job("then:swept") == nil)
        #expect(try jobs.enqueueBatchFollowUps() == ["then:swept"])
        #expect(try Self.outcomes(of: try #require(try jobs.job("then:swept"))).outcomes == ["only": "cancelled"])
        #expect(try jobs.enqueueBatchFollowUps() == [])
    }

    @Test func onlyJobsOfTheDeclarersOrganisationMakeUpTheBatch() throws {
        let ledger = TemporaryJobLedger()
        let jobs = try ledger.open()
        let carol = Actor(id: "carol", role: .user, organisation: "globex")
        _ = try jobs.submit(JobSubmission(id: "ours", type: "part", batch: "shared"), by: alice)
        _ = try jobs.submit(JobSubmission(id: "theirs", type: "part", batch: "shared"), by: carol)
        _ = try jobs.cancel("ours", by: alice, reason: "done")
        let declared = try jobs.declareFollowUp(ofBatch: "shared", Self.summary, by: alice)
        #expect(try Self.outcomes(of: try #require(declared.job)).outcomes == ["ours": "cancelled"])
    }

    @Test func badDeclarationsAreRefusedAndWriteNothing() throws {
        let ledger = TemporaryJobLedger()
        let jobs = try ledger.open()
        _ = try jobs.submit(JobSubmission(id: "x", type: "part", batch: "b"), by: alice)
        let before = try jobs.store.lastPosition()
        let worker = Actor(id: "w1", role: .worker, organisation: "acme")
        let cases: [(String, JobSubmission, Actor, String)] = [
            ("has space", Self.summary, alice, "batch"),
            (String(repeating: "b", count: 125), Self.summary, alice, "batch"),
            ("b", JobSubmission(type: " bad"), alice, "type"),
            ("b", JobSubmission(type: "t", payload: "{"), alice, "payload"),
            ("b", JobSubmission(type: "t", after: ["x"]), alice, "after"),
            ("b", JobSubmission(type: "t", delay: 5), alice, "delay"),
            ("b", JobSubmission(id: "mine", type: "t"), alice, "id"),
        ]
        for (batch, submission, actor, field) in cases {
            #expect {
                try jobs.declareFollowUp(ofBatch: batch, submission, by: actor)
            } throws: { ($0 as? JobLedgerError)?.field == field }
        }
        #expect {
            try jobs.declareFollowUp(ofBatch: "b", Self.summary, by: worker)
        } throws: { ($0 as? JobLedgerError)?.code == .forbidden }
        #expect(try jobs.store.lastPosition() == before)
    }

    @Test func aLedgerWithFollowUpsExportsAndImportsWhole() throws {
        let source = TemporaryJobLedger()
        let jobs = try source.open()
        _ = try jobs.submit(JobSubmission(id: "p", type: "part", batch: "moved"), by: alice)
        _ = try jobs.declareFollowUp(ofBatch: "moved", Self.summary, by: alice)
        _ = try jobs.cancel("p", by: alice, reason: "done")
        #expect(try jobs.job("then:moved") != nil)
        var text = ""
        try jobs.store.exportEvents(to: &text)
        let target = TemporaryJobLedger()
        let restored = try target.open()
        _ = try restored.importEvents(jsonLines: Data(text.utf8))
        #expect(try restored.verifyProjections().isEmpty)
        #expect(try restored.followUp(ofBatch: "moved") == jobs.followUp(ofBatch: "moved"))
        #expect(try restored.job("then:moved") == jobs.job("then:moved"))
    }
}
