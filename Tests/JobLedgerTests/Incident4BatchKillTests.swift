import Dispatch
import EventStore
import Foundation
import JobLedger
import Synchronization
import Testing

/// Incident 4: killing a whole batch while its workers run, in one atomic
/// append with one audit entry per job.
@Suite struct Incident4BatchKillTests {
    @Test func incident4_adminKillsEveryUnfinishedJobOfABatchInOneAtomicAppendWhileWorkersRun() throws {
        let temporary = TemporaryJobLedger()
        let jobs = try temporary.open()
        let batch = "nightly-7"
        let ids = (0..<30).map { index in index < 10 ? "night-0\(index)" : "night-\(index)" }
        func submit(_ range: Range<Int>) throws {
            for index in range {
                _ = try jobs.submit(JobSubmission(id: ids[index], type: "nightly", batch: batch), by: alice)
            }
        }
        // 0..<6 completed, 6..<12 failed, 12..<15 cancelled, 15..<17 killed,
        // 17..<24 running, 24..<30 pending.
        try submit(0..<12)
        for index in 0..<12 {
            let claimed = try #require(try jobs.claim(worker: "setup", lease: 120))
            try #require(claimed.id == ids[index])
            if index < 6 {
                _ = try jobs.complete(claimed.id, worker: "setup", attempt: claimed.attempt)
            } else {
                _ = try jobs.fail(claimed.id, worker: "setup", attempt: claimed.attempt, error: "bad input", retryable: false)
            }
        }
        try submit(12..<17)
        for index in 12..<15 { #expect(try jobs.cancel(ids[index], by: alice, reason: "not needed").outcome == .cancelled) }
        for index in 15..<17 { #expect(try jobs.kill(ids[index], by: acmeAdmin, reason: "stuck before").outcome == .killed) }
        try submit(17..<24)
        var claimedLeases: [IncidentLease] = []
        for index in 17..<24 {
            let claimed = try #require(try jobs.claim(worker: "bw-\(index)", lease: 120))
            try #require(claimed.id == ids[index])
            claimedLeases.append(IncidentLease(jobID: claimed.id, worker: "bw-\(index)", attempt: claimed.attempt))
        }
        let running = claimedLeases
        try submit(24..<30)
        _ = try jobs.submit(JobSubmission(id: "outsider", type: "daily"), by: alice)
        #expect(try jobs.jobIDs(inBatch: batch) == ids)

        var before: [String: Job] = [:]
        for id in ids + ["outsider"] {
            let job = try #require(try jobs.job(id))
            before[id] = job
        }
        // One worker completes at once, racing the kill; another after its
        // first heartbeat, most likely too late.
        let finishers: [String: Int] = [running[0].jobID: 0, running[1].jobID: 1]

        let request = UUID()
        let killAnswer = IncidentCollector<Result<[BatchKillResult], JobLedgerError>>()
        let problems = IncidentCollector<String>()
        let killReturned = IncidentFlag()
        let claimers = 2
        let finished = incidentRace(1 + running.count + claimers) { index in
            if index == 0 {
                usleep(2_000)  // kill while the first heartbeats and claims are in flight
                killAnswer.append(incidentCapture { () throws(JobLedgerError) in
                    try jobs.killBatch(batch, by: acmeAdmin, reason: "batch stuck", requestID: request)
                })
                killReturned.raise()
            } else if index <= running.count {
                let lease = running[index - 1]
                incidentWork(
                    jobs, lease, completeAfter: finishers[lease.jobID], killReturned: killReturned, problems: problems)
            } else {
                let worker = "late-\(index)"
                while true {
                    let claim = incidentCapture { () throws(JobLedgerError) in
                        try jobs.claim(worker: worker, types: ["nightly"], lease: 120)
                    }
                    switch claim {
                    case .success(let job?):
                        incidentWork(
                            jobs, IncidentLease(jobID: job.id, worker: worker, attempt: job.attempt),
                            completeAfter: nil, killReturned: killReturned, problems: problems)
                    case .success(nil):
                        return
                    case .failure(let error):
                        problems.append("claim by \(worker): \(error)")
                        return
                    }
                }
            }
        }
        try #require(finished, "the racing threads did not finish in time")
        #expect(problems.values.isEmpty, "\(problems.values)")
        let answer = try #require(killAnswer.values.first).get()

        // The answer lists every job of the batch, in id order.
        #expect(answer.map(\.jobID) == ids)
        let outcomes = Dictionary(uniqueKeysWithValues: answer.map { ($0.jobID, $0.outcome) })
        var killed: Set<String> = []
        for (index, id) in ids.enumerated() {
            let job = try #require(try jobs.job(id))
            let events = try jobs.store.readStream(JobStreams.job(id))
            let kills = events.filter { $0.correlationID == request }
            if index < 17 {
                // Finished before the kill: left alone, answered already_*.
                let old = try #require(before[id])
                #expect(outcomes[id] == incidentAlready(old.state), "\(id) was \(old.state)")
                #expect(job == old)
                #expect(try jobs.store.streamVersion(JobStreams.job(id)) == old.version)
                #expect(kills.isEmpty)
                continue
            }
            switch outcomes[id] {
            case .killed:
                killed.insert(id)
                #expect(job.state == .killed)
                #expect(job.stopRequestedBy == acmeAdmin.id)
                #expect(job.stopReason == "batch stuck")
                #expect(kills.map(\.type) == ["JobKilled"])
                #expect(events.last?.type == "JobKilled")
            case .alreadyCompleted:
                #expect(finishers[id] != nil, "\(id) was completed by nobody")
                #expect(job.state == .completed)
                #expect(kills.isEmpty)
            default:
                Issue.record("\(id) answered \(String(describing: outcomes[id]))")
            }
        }
        #expect(killed.count >= 11)

        // One atomic append: every event of the request sits in one run of
        // consecutive positions, written at the same instant, with one
        // audit entry per job of the batch.
        var tagged: [RecordedEvent] = []
        try jobs.store.forEachEvent { event in
            if event.correlationID == request { tagged.append(event) }
            return true
        }
        let first = try #require(tagged.first).position
        let last = try #require(tagged.last).position
        #expect(last - first + 1 == UInt64(tagged.count))
        #expect(Set(tagged.map(\.recordedAt)).count == 1)
        #expect(tagged.filter { $0.type == "JobKilled" }.count == killed.count)
        #expect(Set(tagged.filter { $0.type == "JobKilled" }.map(\.streamID)) == Set(killed.map(JobStreams.job)))
        #expect(tagged.filter { $0.type == AuditEntry.eventType }.count == ids.count)
        for id in ids {
            let entries = try incidentAudits(id, in: jobs).filter { $0.entry.requestID == request }
            #expect(entries.count == 1, "\(id) has \(entries.count) audit entries for the batch kill")
            guard let entry = entries.first?.entry else { continue }
            #expect(entry.action == "kill")
            #expect(entry.actor == acmeAdmin.id)
            #expect(entry.role == .admin)
            #expect(entry.organisation == acmeAdmin.organisation)
            #expect(entry.reason == "batch stuck")
            #expect(entry.outcome == outcomes[id])
        }
        #expect(try jobs.job("outsider") == before["outsider"])
    }

    /// Heartbeats must not starve a batch kill. The batch kill is one append
    /// over every job stream of the batch, decided on the versions it read.
    /// If a lease renewal (which does not change whether a job may be
    /// killed) counted as a conflicting change, each try would meet one
    /// somewhere in a batch whose stuck workers still heartbeat. The kill
    /// would then give up with `conflictRetriesExhausted`: the chance of a
    /// quiet try falls with batch size times heartbeat rate times the length
    /// of a try. Here 160 running jobs heartbeat about every 45 ms each
    /// (four workers, jittered pauses) while one try over the batch takes
    /// some 20 to 30 ms in a debug build: a scaled-down model of thousands
    /// of jobs heartbeating every few seconds.
    @Test func incident4_killBatchIsNotStarvedByTheBatchsWorkersHeartbeating() throws {
        let jobCount = 160
        let temporary = TemporaryJobLedger()
        let jobs = try temporary.open()
        let batch = "stuck-array"
        var claimed: [IncidentLease] = []
        for index in 0..<jobCount {
            let id = "stuck-\(index)"
            _ = try jobs.submit(JobSubmission(id: id, type: "array", batch: batch), by: alice)
            let job = try #require(try jobs.claim(worker: "sw-\(index % 4)", lease: 600))
            try #require(job.id == id)
            claimed.append(IncidentLease(jobID: id, worker: job.worker ?? "", attempt: job.attempt))
        }
        let leases = claimed
        let request = UUID()
        let killAnswer = IncidentCollector<Result<[BatchKillResult], JobLedgerError>>()
        let killReturned = IncidentFlag()
        let finished = incidentRace(5) { index in
            if index == 0 {
                usleep(5_000)
                killAnswer.append(incidentCapture { () throws(JobLedgerError) in
                    try jobs.killBatch(batch, by: acmeAdmin, reason: "array stuck", requestID: request)
                })
                killReturned.raise()
                return
            }
            // Four workers, each heartbeating its own jobs in turn with
            // jittered pauses.
            let mine = leases.enumerated().filter { $0.offset % 4 == index - 1 }.map(\.element)
            var beat = 0
            while !killReturned.isRaised && beat < 100_000 {
                let lease = mine[beat % mine.count]
                beat += 1
                _ = incidentCapture { () throws(JobLedgerError) in
                    try jobs.renewLease(lease.jobID, worker: lease.worker, attempt: lease.attempt, lease: 600)
                }
                usleep(UInt32.random(in: 200...1_500))
            }
        }
        try #require(finished, "the racing threads did not finish in time")
        let answer = try #require(killAnswer.values.first)
        #expect(throws: Never.self, "killBatch must not give up while the batch's workers heartbeat") {
            try answer.get()
        }
        if case .success(let results) = answer {
            #expect(results.count == jobCount)
            #expect(results.allSatisfy { $0.outcome == .killed })
        }
    }

    @Test func incident4_batchKillByNonAdminsIsForbiddenForEveryJobAndChangesNoJob() throws {
        let temporary = TemporaryJobLedger()
        let jobs = try temporary.open()
        let batch = "weekly"
        let ids = (0..<9).map { "weekly-\($0)" }
        for id in ids { _ = try jobs.submit(JobSubmission(id: id, type: "weekly", batch: batch), by: alice) }
        for index in 0..<6 {
            let claimed = try #require(try jobs.claim(worker: "ww", lease: 120))
            if index < 3 { _ = try jobs.complete(claimed.id, worker: "ww", attempt: claimed.attempt) }
        }
        var before: [String: Job] = [:]
        for id in ids {
            let job = try #require(try jobs.job(id))
            before[id] = job
        }

        let refused: [Actor] = [alice, bob, otherAdmin, alice, otherAdmin, bob]
        let requests = refused.map { _ in UUID() }
        let answers = IncidentCollector<IncidentBatchAnswer>()
        try #require(incidentRace(refused.count) { index in
            let result = incidentCapture { () throws(JobLedgerError) in
                try jobs.killBatch(batch, by: refused[index], reason: "not mine to kill", requestID: requests[index])
            }
            answers.append(IncidentBatchAnswer(index: index, result: result))
        })

        for answer in answers.values {
            let results = try answer.result.get()
            #expect(results.map(\.jobID) == ids)
            #expect(results.allSatisfy { $0.outcome == .forbidden }, "\(refused[answer.index].id): \(results)")
        }
        for id in ids {
            #expect(try jobs.job(id) == before[id])
            let events = try jobs.store.readStream(JobStreams.job(id))
            #expect(events.count == Int(try #require(before[id]).version))
            #expect(!events.contains { $0.type == "JobKilled" })
            let audits = try incidentAudits(id, in: jobs)
            for (actor, request) in zip(refused, requests) {
                let entries = audits.filter { $0.entry.requestID == request }
                #expect(entries.count == 1)
                #expect(entries.first?.entry.outcome == .forbidden)
                #expect(entries.first?.entry.actor == actor.id)
                #expect(entries.first?.entry.organisation == actor.organisation)
            }
        }
    }
}
