import EventStore
import Foundation
@testable import JobLedger
import Synchronization
import Testing

/// Retention: a policy per job type, and a scavenge that moves the events of
/// ended jobs into an archive while the live ledger keeps what it must
/// still answer and the proof of what it gave away.
@Suite(TestBackend.onLMDBOnly) struct RetentionTests {
    /// A ledger with `count` completed jobs of `report`, one failed job of
    /// `report`, one running job of `report`, and `count` completed jobs of
    /// `email` (no policy), on a clock that then moves two days on.
    private func ledgerWithHistory(_ ledger: TemporaryJobLedger, clock: TestClock, count: Int) throws -> JobLedger {
        let jobs = try ledger.open(clock: clock)
        for index in 0..<count {
            for type in ["report", "email"] {
                _ = try jobs.submit(JobSubmission(id: "\(type)-\(index)", type: type, payload: #"{"n":\#(index)}"#), by: alice)
                let claimed = try #require(try jobs.claim(worker: "w", types: [type], lease: 30))
                _ = try jobs.complete(claimed.id, worker: "w", attempt: claimed.attempt, result: #"{"ok":\#(index)}"#)
            }
        }
        _ = try jobs.submit(JobSubmission(id: "bad", type: "report", maxAttempts: 1), by: alice)
        let bad = try #require(try jobs.claim(worker: "w", types: ["report"], lease: 30))
        _ = try jobs.fail(bad.id, worker: "w", attempt: bad.attempt, error: "boom", retryable: false)
        _ = try jobs.cancel("report-0", by: alice, reason: "too late")  // an audit entry of a refusal-free answer
        _ = try jobs.submit(JobSubmission(id: "live", type: "report"), by: alice)
        _ = try #require(try jobs.claim(worker: "w", types: ["report"], lease: 3600 * 72))
        clock.advance(2 * 86_400)
        return jobs
    }

    @Test func nothingIsScavengedWithoutAPolicy() throws {
        let ledger = TemporaryJobLedger()
        let clock = TestClock()
        let jobs = try ledgerWithHistory(ledger, clock: clock, count: 3)
        let before = try jobs.store.lastPosition()
        let archive = ledger.directory + "/archive-1.jsonl"
        let report = try jobs.scavenge(archivePath: archive, by: acmeAdmin)
        #expect(report.jobs == 0 && report.archivePath == nil && report.policies.isEmpty)
        #expect(!FileManager.default.fileExists(atPath: archive))
        #expect(try jobs.store.lastPosition() == before)
    }

    @Test func aScavengeArchivesEndedJobsPastThePolicyAndTheLedgerStillAnswersForThem() throws {
        let ledger = TemporaryJobLedger()
        let clock = TestClock()
        let jobs = try ledgerWithHistory(ledger, clock: clock, count: 5)
        try jobs.setRetention(86_400, forType: "report", by: acmeAdmin, reason: "keep a day")
        #expect(try jobs.queueSettings("report").retentionSeconds == 86_400)
        let fullHistory = try jobs.history("report-3")
        let listedBefore = try jobs.job("report-3")

        let archive = ledger.directory + "/archive-1.jsonl"
        let report = try jobs.scavenge(archivePath: archive, by: acmeAdmin, jobsPerCommit: 2)
        #expect(report.parts == 3 && report.jobsLeftLive == 0 && report.archiveEvents == report.events)
        // Five completed and one failed job of `report`; not the running
        // one, not `email`, which has no policy.
        #expect(report.jobs == 6)
        #expect(report.policies == ["report": 86_400])
        #expect(report.archivePath == archive && FileManager.default.fileExists(atPath: archive))

        // The events are gone from the live ledger, their positions recorded.
        #expect(try jobs.store.readStream(JobStreams.job("report-3")).map(\.type) == [JobEvent.archivedType])
        #expect(try jobs.store.readStream(JobStreams.audit("report-3")).isEmpty)
        #expect(try jobs.store.readStream(JobStreams.job("email-3")).count == 3)
        #expect(try jobs.store.readStream(JobStreams.job("live")).count == 2)
        #expect(try jobs.store.archivedPosition(fullHistory[0].position)?.streamID == JobStreams.job("report-3"))
        // The snapshot names the event that ended the job, now archived.
        let snapshot = try #require(try jobs.store.readStream(JobStreams.job("report-3")).first)
        guard case .archived(let data)? = try JobEvent.decode(snapshot) else {
            Issue.record("the job stream does not start with its snapshot")
            return
        }
        let completion = try #require(fullHistory.last { $0.type == "JobCompleted" })
        #expect(data.endedBy == "JobCompleted" && data.endedAt == completion.position)
        #expect(data.archive == "archive-1.jsonl" && data.archiveDigest == report.archiveDigest)
        #expect(data.archivedEvents == fullHistory.count)

        // The job still answers as it stood, payload and result included.
        let archived = try #require(try jobs.job("report-3"))
        #expect(archived.state == .completed)
        var expected = try #require(listedBefore)
        expected.version = archived.version  // the snapshot's, one past the last archived event
        #expect(archived == expected)
        #expect(archived.payload == #"{"n":3}"# && archived.result == #"{"ok":3}"#)
        let again = try jobs.submit(JobSubmission(id: "report-3", type: "report", payload: #"{"n":3}"#), by: alice)
        #expect(again.outcome == .existing)
        let cancel = try jobs.cancel("report-3", by: alice, reason: "late")
        #expect(cancel.outcome == .alreadyCompleted)
        #expect(try jobs.cancel("bad", by: alice, reason: "late").outcome == .alreadyFailed)
        #expect(try jobs.list(JobQuery(state: .completed, type: "report")).jobs.count == 5)

        // The whole history comes back from the archive.
        let batch = try JobLedger.readArchive(at: archive)
        let restored = try jobs.history("report-3", archives: [batch])
        #expect(Array(restored.prefix(fullHistory.count)) == fullHistory)
        #expect(restored.map(\.type).contains(JobEvent.archivedType))
        #expect(try jobs.history("report-3").first?.type == JobEvent.archivedType)

        // The ledger proves the archive, verifies, and rebuilds to the same tables.
        let check = try jobs.verifyArchive(batch)
        #expect(check.digest == report.archiveDigest && check.archivedEvents == report.events && check.liveEvents == 0)
        #expect(check.jobs == 6 && check.parts == 3)
        #expect(try jobs.store.verifyLog(limit: 10).isClean)
        #expect(try jobs.verifyProjections().isEmpty)
        _ = try jobs.rebuildProjections()
        #expect(try jobs.job("report-3")?.state == .completed)
        #expect(try jobs.verifyProjections().isEmpty)

        // A second scavenge finds nothing new to move.
        let second = try jobs.scavenge(archivePath: ledger.directory + "/archive-2.jsonl", by: acmeAdmin)
        #expect(second.jobs == 0)
    }

    @Test func aScavengeRacingLateCancelsAndNewWorkOnOtherThreadsLosesNothing() throws {
        let ledger = TemporaryJobLedger()
        let clock = TestClock()
        let jobs = try ledgerWithHistory(ledger, clock: clock, count: 60)
        try jobs.setRetention(3600, forType: "report", by: acmeAdmin)
        let cancels = Mutex<[String: Int]>([:])
        let answers = Mutex<Set<JobOutcome>>([])
        let finished = Mutex(false)
        let scavenged = Mutex<Result<ScavengeReport, JobLedgerError>?>(nil)
        let newJobs = Mutex(0)
        let submitted = Mutex(0)
        // One thread per lane (concurrentPerform runs no more lanes at once
        // than there are cores, and these lanes wait for each other).
        let group = DispatchGroup()
        for lane in 0..<5 {
            group.enter()
            Thread.detachNewThread {
                defer { group.leave() }
                switch lane {
                case 0:
                    // Start once the other lanes are at work, so that they race it.
                    let start = Date()
                    while Date().timeIntervalSince(start) < 10
                            && (cancels.withLock({ $0.values.reduce(0, +) }) < 5 || submitted.withLock({ $0 }) < 2) {
                        usleep(1000)
                    }
                    let result = Result { () throws(JobLedgerError) in
                        try jobs.scavenge(archivePath: ledger.directory + "/a.jsonl", by: acmeAdmin)
                    }
                    scavenged.withLock { $0 = result }
                    finished.withLock { $0 = true }
                case 1, 2:
                    // Late cancels of the jobs being archived: each answers
                    // already_completed and adds an audit entry to their streams.
                    var index = lane
                    while !finished.withLock({ $0 }) {
                        let id = "report-\(index % 60)"
                        if let answer = try? jobs.cancel(id, by: alice, reason: "late") {
                            answers.withLock { _ = $0.insert(answer.outcome) }
                            cancels.withLock { $0[id, default: 0] += 1 }
                        }
                        index += 2
                    }
                default:
                    while !finished.withLock({ $0 }) {
                        let id = "new-\(lane)-\(newJobs.withLock { $0 += 1; return $0 })"
                        if (try? jobs.submit(JobSubmission(id: id, type: "fresh"), by: alice)) != nil {
                            submitted.withLock { $0 += 1 }
                        }
                        if let claimed = try? jobs.claim(worker: "w\(lane)", types: ["fresh"], lease: 30) {
                            _ = try? jobs.complete(claimed.id, worker: "w\(lane)", attempt: claimed.attempt)
                        }
                    }
                }
            }
        }
        group.wait()
        let report = try #require(try scavenged.withLock { $0 }?.get())
        #expect(report.jobs == 61)
        #expect(answers.withLock { $0 } == [.alreadyCompleted])
        #expect(cancels.withLock { $0.values.reduce(0, +) } > 0, "no cancel raced the scavenge: the test proves nothing")
        // Every audit entry of every archived job is in the archive or live
        // after its snapshot: three of its life (report-0 one more, from
        // the history) and one per late cancel.
        let archive = try JobLedger.readArchive(at: ledger.directory + "/a.jsonl")
        for index in 0..<60 {
            let id = "report-\(index)"
            let history = try jobs.history(id, archives: [archive])
            let audits = history.filter { $0.stream == "audit" }.count
            #expect(audits == 3 + (index == 0 ? 1 : 0) + cancels.withLock { $0[id, default: 0] }, "\(id)")
            #expect(history.filter { $0.type == JobEvent.archivedType }.count == 1)
            #expect(try jobs.job(id)?.state == .completed)
        }
        #expect(try jobs.verifyArchive(archive).archivedEvents == report.events)
        #expect(try jobs.store.verifyLog(limit: 10).isClean)
        #expect(try jobs.verifyProjections().isEmpty)
        let fresh = try jobs.list(JobQuery(type: "fresh"), limit: 10_000).jobs
        #expect(fresh.count == submitted.withLock { $0 } && fresh.count > 0)
    }

    @Test func aJobRetriedAfterTheArchiveWasWrittenStaysLiveAndTheArchiveStillProvesOut() throws {
        let ledger = TemporaryJobLedger()
        let clock = TestClock()
        let jobs = try ledgerWithHistory(ledger, clock: clock, count: 4)
        try jobs.setRetention(3600, forType: "report", by: acmeAdmin)
        let path = ledger.directory + "/a.jsonl"
        let plan = try jobs.scavengePlan(limit: 100)
        #expect(plan.jobs.count == 5)
        let summary = try RetentionArchiveFile.write(to: path) { write in
            try jobs.store.exportArchive(positions: plan.positions, write: write)
        }
        // Between the archive and its commit, an admin retries the failed job.
        _ = try jobs.retry("bad", by: acmeAdmin)
        let report = try jobs.commitParts(
            plan, of: JobLedger.ArchiveName(path: path, summary: summary), at: path, actor: acmeAdmin, jobsPerCommit: 2)
        // The failed job came last, alone in its part, which then had nothing to commit.
        #expect(report.jobs == 4 && report.jobsLeftLive == 1 && report.parts == 2)
        #expect(try jobs.job("bad")?.state == .pending)
        #expect(try jobs.history("bad").contains { $0.type == "JobRetried" })
        #expect(!(try jobs.history("bad").contains { $0.type == JobEvent.archivedType }))
        let check = try jobs.verifyArchive(JobLedger.readArchive(at: path))
        #expect(check.archivedEvents == report.events)
        #expect(check.liveEvents == summary.events - report.events && check.liveEvents == 6)
        #expect(try jobs.store.verifyLog(limit: 10).isClean)
        #expect(try jobs.verifyProjections().isEmpty)
    }

    @Test func aRetriedArchivedJobRunsAgainWithItsPayload() throws {
        let ledger = TemporaryJobLedger()
        let clock = TestClock()
        let jobs = try ledgerWithHistory(ledger, clock: clock, count: 1)
        try jobs.setRetention(3600, forType: "report", by: acmeAdmin)
        _ = try jobs.submit(JobSubmission(id: "big", type: "report", payload: #"{"blob":"\#(String(repeating: "x", count: 900_000))"}"#), by: alice)
        let claimed = try #require(try jobs.claim(worker: "w", types: ["report"], lease: 30))
        #expect(claimed.id == "big")
        _ = try jobs.complete("big", worker: "w", attempt: claimed.attempt)
        clock.advance(7200)
        let report = try jobs.scavenge(archivePath: ledger.directory + "/a.jsonl", by: acmeAdmin)
        // report-0 and bad; `big`'s payload does not fit in a snapshot: it stays live, whole.
        #expect(report.jobs == 2 && report.jobsTooLarge == 1)
        #expect(try jobs.history("big").first?.type == "JobSubmitted")
        #expect(try jobs.history("bad").first?.type == JobEvent.archivedType)

        let retried = try jobs.retry("bad", by: acmeAdmin)
        #expect(retried.outcome == .retried)
        let again = try #require(try jobs.claim(worker: "w2", types: ["report"], lease: 30))
        #expect(again.id == "bad" && again.payload == "{}" && again.attempt == 2)
        _ = try jobs.complete("bad", worker: "w2", attempt: again.attempt)
        #expect(try jobs.store.verifyLog(limit: 10).isClean)
        #expect(try jobs.verifyProjections().isEmpty)

        // Archived a second time, its whole history is in the two archives.
        clock.advance(7200)
        let second = try jobs.scavenge(archivePath: ledger.directory + "/b.jsonl", by: acmeAdmin)
        #expect(second.jobs == 1)
        let archives = try ["a", "b"].map { try JobLedger.readArchive(at: ledger.directory + "/\($0).jsonl") }
        let types = try jobs.history("bad", archives: archives).filter { $0.stream == "job" }.map(\.type)
        #expect(types == [
            "JobSubmitted", "JobClaimed", "JobFailed", JobEvent.archivedType, "JobRetried", "JobClaimed", "JobCompleted",
            JobEvent.archivedType,
        ])
        for archive in archives { _ = try jobs.verifyArchive(archive) }
        #expect(try jobs.store.verifyLog(limit: 10).isClean)
    }

    @Test func anArchiveFileThatAppearedWhileTheArchiveWasWrittenIsNotReplaced() throws {
        let ledger = TemporaryJobLedger()
        let path = ledger.directory + "/a.jsonl"
        let refused = #expect(throws: JobLedgerError.self) {
            try RetentionArchiveFile.write(to: path) { write in
                // Another scavenge names its archive here meanwhile.
                try "theirs".write(toFile: path, atomically: false, encoding: .utf8)
                try Array("ours\n".utf8).withUnsafeBytes { try write($0) }
                return ArchiveSummary(events: 1, digest: String(repeating: "0", count: 64))
            }
        }
        #expect(refused?.description.contains("never overwritten") == true)
        #expect(try String(contentsOfFile: path, encoding: .utf8) == "theirs")
        #expect(!FileManager.default.fileExists(atPath: path + ".partial"))
    }

    @Test func anArchiveTheLedgerDidNotWriteIsRefused() throws {
        let ledger = TemporaryJobLedger()
        let clock = TestClock()
        let jobs = try ledgerWithHistory(ledger, clock: clock, count: 2)
        try jobs.setRetention(3600, forType: "report", by: acmeAdmin)
        let archive = ledger.directory + "/a.jsonl"
        _ = try jobs.scavenge(archivePath: archive, by: acmeAdmin)
        // A whole export of the ledger is a well-formed chain, but no archive.
        var text = ""
        try jobs.store.exportEvents(format: .chainedJSONLines, selection: .all) { text += String(decoding: $0, as: UTF8.self) }
        let export = ledger.directory + "/export.jsonl"
        try text.write(toFile: export, atomically: true, encoding: .utf8)
        #expect(throws: JobLedgerError.self) { try jobs.verifyArchive(JobLedger.readArchive(at: export)) }
        // A changed line breaks the chain.
        var lines = try String(contentsOfFile: archive, encoding: .utf8).split(separator: "\n").map(String.init)
        #expect(lines[0].contains("\"actor\":\"alice\""))
        lines[0] = lines[0].replacingOccurrences(of: "\"actor\":\"alice\"", with: "\"actor\":\"mallo\"")
        let forged = ledger.directory + "/forged.jsonl"
        try (lines.joined(separator: "\n") + "\n").write(toFile: forged, atomically: true, encoding: .utf8)
        #expect(throws: JobLedgerError.self) { try JobLedger.readArchive(at: forged) }
    }

    @Test func onlyAdminsSetPoliciesAndScavengeAndAnArchiveIsNeverOverwritten() throws {
        let ledger = TemporaryJobLedger()
        let clock = TestClock()
        let jobs = try ledgerWithHistory(ledger, clock: clock, count: 1)
        #expect(throws: JobLedgerError.self) { try jobs.setRetention(60, forType: "report", by: alice) }
        #expect(throws: JobLedgerError.self) { try jobs.setRetention(0, forType: "report", by: acmeAdmin) }
        #expect(try jobs.queueSettings("report").retentionSeconds == nil)
        try jobs.setRetention(60, forType: "report", by: acmeAdmin)
        let archive = ledger.directory + "/a.jsonl"
        let before = try jobs.store.lastPosition()
        #expect(throws: JobLedgerError.self) { try jobs.scavenge(archivePath: archive, by: alice) }
        try "keep me".write(toFile: archive, atomically: true, encoding: .utf8)
        let refused = #expect(throws: JobLedgerError.self) { try jobs.scavenge(archivePath: archive, by: acmeAdmin) }
        #expect(refused?.description.contains("never overwritten") == true)
        #expect(try String(contentsOfFile: archive, encoding: .utf8) == "keep me")
        #expect(try jobs.store.lastPosition() == before)
    }

    @Test func aCompactingBackupAfterAScavengeIsSmaller() throws {
        let ledger = TemporaryJobLedger()
        let clock = TestClock()
        let jobs = try ledgerWithHistory(ledger, clock: clock, count: 400)
        let store = try #require(jobs.store as? EventStore)
        let beforeCopy = ledger.directory + "/before"
        _ = try store.backup(to: beforeCopy, compact: true)
        try jobs.setRetention(3600, forType: "report", by: acmeAdmin)
        try jobs.setRetention(3600, forType: "email", by: acmeAdmin)
        let report = try jobs.scavenge(archivePath: ledger.directory + "/a.jsonl", by: acmeAdmin)
        #expect(report.jobs == 801)
        let afterCopy = ledger.directory + "/after"
        _ = try store.backup(to: afterCopy, compact: true)
        let size = { (path: String) throws -> Int in
            try #require(try FileManager.default.attributesOfItem(atPath: path + "/data.mdb")[.size] as? Int)
        }
        let before = try size(beforeCopy), after = try size(afterCopy)
        #expect(Double(after) < Double(before) * 0.8, "before \(before) bytes, after \(after)")
    }
}
