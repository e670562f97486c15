import Dispatch
import EventStore
import Foundation
import JobLedger
import Synchronization
import Testing

/// The incidents of the project's incident list, replayed with real threads
/// racing on one real ledger file. Each test releases its racers through a
/// start barrier so that they truly overlap, then checks what the ledger
/// holds: job events, audit entries, correlation ids and positions.
@Suite struct IncidentTests {
    // MARK: Incident 1: a cancellation whose audit entry was lost

    @Test func incident1_everyCancellationIsAppendedWithItsAuditEntryUnderConcurrentCancelsAndRenewals() throws {
        let temporary = TemporaryJobLedger()
        let jobs = try temporary.open()
        var leases: [IncidentLease] = []
        for index in 0..<16 {
            let id = "hung-\(index)"
            _ = try jobs.submit(JobSubmission(id: id, type: "hung"), by: alice)
            let claimed = try #require(try jobs.claim(worker: "w\(index)", types: ["hung"], lease: 120))
            try #require(claimed.id == id)
            leases.append(IncidentLease(jobID: id, worker: "w\(index)", attempt: claimed.attempt))
        }
        let running = leases
        let queued = (0..<8).map { "queued-\($0)" }
        for id in queued { _ = try jobs.submit(JobSubmission(id: id, type: "queued"), by: alice) }
        let allIDs = running.map(\.jobID) + queued

        let cancels = IncidentCollector<IncidentCancelCall>()
        let workerCalls = IncidentCollector<IncidentWorkerCall>()
        let renewers = 4
        let cancellers: [Actor] = [alice, acmeAdmin, alice, acmeAdmin, bob]
        let finished = incidentRace(renewers + cancellers.count) { index in
            if index < renewers {
                // A worker thread heartbeating its jobs; it stops and
                // acknowledges as soon as a heartbeat reports a cancel request.
                var active = running.enumerated().filter { $0.offset % renewers == index }.map(\.element)
                var rounds = 0
                while !active.isEmpty && rounds < 20_000 {
                    rounds += 1
                    active = active.filter { lease in
                        let renewal = incidentCapture { () throws(JobLedgerError) in
                            try jobs.renewLease(lease.jobID, worker: lease.worker, attempt: lease.attempt, lease: 120)
                        }
                        workerCalls.append(IncidentWorkerCall(
                            jobID: lease.jobID, action: "renewLease", error: renewal.incidentError))
                        guard case .success(let renewed) = renewal else { return false }
                        guard renewed.cancelRequested else { return true }
                        let acknowledgement = incidentCapture { () throws(JobLedgerError) in
                            try jobs.acknowledgeCancel(lease.jobID, worker: lease.worker, attempt: lease.attempt)
                        }
                        workerCalls.append(IncidentWorkerCall(
                            jobID: lease.jobID, action: "acknowledgeCancel", error: acknowledgement.incidentError))
                        return false
                    }
                }
                for lease in active {
                    workerCalls.append(IncidentWorkerCall(jobID: lease.jobID, action: "never stopped", error: nil))
                }
            } else {
                let actor = cancellers[index - renewers]
                let reason = "hung (request \(index))"
                for id in allIDs.shuffled() {
                    let requestID = UUID()
                    let result = incidentCapture { () throws(JobLedgerError) in
                        try jobs.cancel(id, by: actor, reason: reason, requestID: requestID)
                    }
                    cancels.append(IncidentCancelCall(
                        jobID: id, actor: actor, reason: reason, requestID: requestID, result: result))
                    usleep(300)  // leave the heartbeats room between requests
                }
            }
        }
        try #require(finished, "the racing threads did not finish in time")

        // No cancel threw, whatever it raced with; only bob was refused.
        let calls = cancels.values
        #expect(calls.count == cancellers.count * allIDs.count)
        for call in calls {
            switch call.result {
            case .failure(let error):
                Issue.record("cancel of \(call.jobID) by \(call.actor.id) threw: \(error)")
            case .success(let answer):
                let allowed: Set<JobOutcome> = call.actor == bob
                    ? [.forbidden] : [.cancelled, .cancelRequested, .alreadyCancelled]
                #expect(allowed.contains(answer.outcome), "cancel of \(call.jobID) by \(call.actor.id): \(answer.outcome)")
            }
        }
        let workerLog = workerCalls.values
        for call in workerLog where call.error != nil || call.action == "never stopped" {
            Issue.record("\(call.action) of \(call.jobID): \(call.error.map { "\($0)" } ?? "no cancellation seen")")
        }

        for id in allIDs {
            let events = try jobs.store.readStream(JobStreams.job(id))
            let audits = try incidentAudits(id, in: jobs)
            let job = try #require(try jobs.job(id))
            #expect(job.state == .cancelled, "\(id) ended \(job.state)")

            // Every job event has exactly one audit entry, appended right
            // after it in the same append, under the same correlation id.
            for event in events {
                let matching = audits.filter { $0.event.correlationID == event.correlationID }
                #expect(matching.count == 1, "\(event.type) of \(id) has \(matching.count) audit entries")
                guard let audit = matching.first else { continue }
                #expect(event.correlationID != nil)
                #expect(audit.entry.requestID == event.correlationID)
                #expect(audit.event.position == event.position + 1, "\(event.type) of \(id) and its audit are not one append")
                #expect(audit.entry.actor == event.actor)
            }

            // The cancellation events: one stop per job, audited with the
            // actor, role, organisation, reason and outcome of the request.
            let jobCalls = calls.filter { $0.jobID == id }
            let requested = events.filter { $0.type == "CancelRequested" }
            let cancelled = events.filter { $0.type == "JobCancelled" }
            #expect(cancelled.count == 1, "\(id) has \(cancelled.count) JobCancelled events")
            let isRunning = running.contains { $0.jobID == id }
            #expect(requested.count == (isRunning ? 1 : 0), "\(id) has \(requested.count) CancelRequested events")
            let effective = isRunning ? requested.first : cancelled.first
            if let effective {
                let call = try #require(jobCalls.first { $0.requestID == effective.correlationID },
                                        "the stop event of \(id) comes from no cancel request")
                #expect(call.answer?.outcome == (isRunning ? .cancelRequested : .cancelled))
                #expect(job.stopRequestedBy == call.actor.id)
                #expect(job.stopReason == call.reason)
            }
            if isRunning, let acknowledged = cancelled.first {
                let audit = try #require(audits.first { $0.event.correlationID == acknowledged.correlationID })
                #expect(audit.entry.action == "acknowledgeCancel")
                #expect(audit.entry.role == .worker)
            }
            #expect(jobCalls.filter { $0.answer?.outcome == .cancelled }.count == (isRunning ? 0 : 1))

            for call in jobCalls {
                let matching = audits.filter { $0.entry.requestID == call.requestID }
                #expect(matching.count == 1, "cancel of \(id) by \(call.actor.id) has \(matching.count) audit entries")
                guard let audit = matching.first else { continue }
                #expect(audit.event.correlationID == call.requestID)
                #expect(audit.entry.jobID == id)
                #expect(audit.entry.action == "cancel")
                #expect(audit.entry.actor == call.actor.id)
                #expect(audit.entry.role == call.actor.role)
                #expect(audit.entry.organisation == call.actor.organisation)
                #expect(audit.entry.reason == call.reason)
                #expect(audit.entry.outcome == call.answer?.outcome)
                // A request either wrote its stop event or wrote none.
                let stops = events.filter { $0.correlationID == call.requestID }
                let tookEffect = call.requestID == effective?.correlationID
                #expect(stops.count == (tookEffect ? 1 : 0))
            }

            // Nothing lost and nothing extra: submit, claim, every cancel,
            // every heartbeat and acknowledgement has its audit entry.
            let workerEntries = workerLog.filter { $0.jobID == id }.count
            #expect(audits.count == 1 + (isRunning ? 1 : 0) + jobCalls.count + workerEntries)
        }
    }

    // MARK: Incident 2: races between the ways to change a status

    @Test func incident2_sixteenConcurrentSubmitsOfOneIDCreateExactlyOneJob() throws {
        let temporary = TemporaryJobLedger()
        let jobs = try temporary.open()
        for round in 0..<4 {
            let id = "duplicate-\(round)"
            let submission = JobSubmission(id: id, type: "report", payload: #"{"round":\#(round)}"#)
            let results = IncidentCollector<Result<SubmitResult, JobLedgerError>>()
            try #require(incidentRace(16) { _ in
                results.append(incidentCapture { () throws(JobLedgerError) in try jobs.submit(submission, by: alice) })
            })
            let answers = try results.values.map { try $0.get() }
            #expect(answers.count == 16)
            #expect(answers.filter(\.created).count == 1, "round \(round): \(answers.filter(\.created).count) creators")
            let created = try #require(answers.first { $0.created })
            for answer in answers { #expect(answer.job == created.job) }
            #expect(try jobs.job(id) == created.job)
            #expect(try jobs.store.readStream(JobStreams.job(id)).map(\.type) == ["JobSubmitted"])
            let outcomes = try incidentAudits(id, in: jobs).map(\.entry.outcome)
            #expect(outcomes.count == 16)
            #expect(outcomes.filter { $0 == .created }.count == 1)
            #expect(outcomes.filter { $0 == .existing }.count == 15)
        }
    }

    @Test func incident2_racingWorkersClaimEveryJobExactlyOnce() throws {
        let temporary = TemporaryJobLedger()
        let jobs = try temporary.open()
        let ids = (0..<120).map { "crunch-\($0)" }
        for id in ids { _ = try jobs.submit(JobSubmission(id: id, type: "crunch"), by: alice) }

        let claims = IncidentCollector<IncidentClaim>()
        let failures = IncidentCollector<String>()
        try #require(incidentRace(8) { index in
            let worker = "claimer-\(index)"
            while true {
                let claim = incidentCapture { () throws(JobLedgerError) in
                    try jobs.claim(worker: worker, types: ["crunch"], lease: 120)
                }
                switch claim {
                case .success(let job?): claims.append(IncidentClaim(worker: worker, job: job))
                case .success(nil): return
                case .failure(let error):
                    failures.append("\(worker): \(error)")
                    return
                }
            }
        })

        #expect(failures.values.isEmpty, "\(failures.values)")
        let won = claims.values
        #expect(won.count == ids.count)
        #expect(Set(won.map(\.job.id)) == Set(ids))
        for claim in won {
            let events = try jobs.store.readStream(JobStreams.job(claim.job.id))
            #expect(events.filter { $0.type == "JobClaimed" }.count == 1, "\(claim.job.id) was claimed more than once")
            let job = try #require(try jobs.job(claim.job.id))
            #expect(job.state == .running)
            #expect(job.worker == claim.worker)
            #expect(job.attempt == 1)
            #expect(claim.job == job)
        }
        #expect(try jobs.claim(worker: "late", lease: 10) == nil)
    }

    @Test func incident2_completedJobNeverGoesBackToProcessingWhateverRacesIt() throws {
        let temporary = TemporaryJobLedger()
        let jobs = try temporary.open()
        var claimedLeases: [IncidentLease] = []
        for index in 0..<10 {
            let id = "finish-\(index)"
            _ = try jobs.submit(JobSubmission(id: id, type: "finish"), by: alice)
            let claimed = try #require(try jobs.claim(worker: "owner-\(index)", lease: 120))
            try #require(claimed.id == id)
            claimedLeases.append(IncidentLease(jobID: id, worker: "owner-\(index)", attempt: claimed.attempt))
        }
        let leases = claimedLeases

        let completedIDs = IncidentSet()
        let problems = IncidentCollector<String>()
        let refusals = IncidentCollector<String>()
        try #require(incidentRace(8) { index in
            if index == 0 {
                // The worker finishing its jobs while the others race it.
                for lease in leases {
                    let done = incidentCapture { () throws(JobLedgerError) in
                        try jobs.complete(lease.jobID, worker: lease.worker, attempt: lease.attempt, result: #"{"ok":true}"#)
                    }
                    if case .failure(let error) = done { problems.append("complete \(lease.jobID): \(error)") }
                    completedIDs.insert(lease.jobID)
                }
                return
            }
            // Before completion: heartbeats of the same attempt. After it:
            // every way a job could move back to processing.
            var passesAfterCompletion = 0
            var passes = 0
            while passesAfterCompletion < 4 && passes < 50_000 {
                passes += 1
                let allDone = completedIDs.count == leases.count
                for lease in leases {
                    guard completedIDs.contains(lease.jobID) else {
                        let renewal = incidentCapture { () throws(JobLedgerError) in
                            try jobs.renewLease(lease.jobID, worker: lease.worker, attempt: lease.attempt, lease: 120)
                        }
                        if case .failure(let error) = renewal, !error.isRefusal(of: lease.jobID, in: .completed) {
                            problems.append("renew \(lease.jobID) before completion: \(error)")
                        }
                        continue
                    }
                    let (id, worker, attempt) = (lease.jobID, lease.worker, lease.attempt)
                    let thief = "thief-\(index)"
                    let attempts: [(String, Result<Job?, JobLedgerError>)]
                    switch index % 4 {
                    case 0:
                        attempts = [
                            ("claim", incidentCapture { () throws(JobLedgerError) in try jobs.claim(worker: thief, lease: 60) }),
                        ]
                    case 1:
                        attempts = [
                            ("retryable fail", incidentCapture { () throws(JobLedgerError) in
                                try jobs.fail(id, worker: worker, attempt: attempt, error: "late", retryable: true)
                            }),
                            ("fail", incidentCapture { () throws(JobLedgerError) in
                                try jobs.fail(id, worker: worker, attempt: attempt, error: "late", retryable: false)
                            }),
                        ]
                    case 2:
                        attempts = [
                            ("renew", incidentCapture { () throws(JobLedgerError) in
                                try jobs.renewLease(id, worker: worker, attempt: attempt, lease: 60).job
                            }),
                            ("acknowledge", incidentCapture { () throws(JobLedgerError) in
                                try jobs.acknowledgeCancel(id, worker: worker, attempt: attempt)
                            }),
                        ]
                    default:
                        attempts = [
                            ("complete again", incidentCapture { () throws(JobLedgerError) in
                                try jobs.complete(id, worker: worker, attempt: attempt)
                            }),
                            ("complete as another worker", incidentCapture { () throws(JobLedgerError) in
                                try jobs.complete(id, worker: thief, attempt: attempt + 1)
                            }),
                        ]
                    }
                    for (name, result) in attempts {
                        switch result {
                        case .success(nil) where name == "claim":
                            refusals.append(name)
                        case .failure(let error) where error.isRefusal(of: lease.jobID, in: .completed):
                            refusals.append(name)
                        default:
                            problems.append("\(name) of completed \(lease.jobID) was not refused: \(result)")
                        }
                    }
                }
                if allDone { passesAfterCompletion += 1 }
            }
        })

        #expect(problems.values.isEmpty, "\(problems.values)")
        #expect(Set(refusals.values) == [
            "claim", "retryable fail", "fail", "renew", "acknowledge", "complete again", "complete as another worker",
        ])
        for lease in leases {
            let job = try #require(try jobs.job(lease.jobID))
            #expect(job.state == .completed)
            #expect(job.result == #"{"ok":true}"#)
            let types = try jobs.store.readStream(JobStreams.job(lease.jobID)).map(\.type)
            #expect(Array(types.prefix(2)) == ["JobSubmitted", "JobClaimed"])
            #expect(types.last == "JobCompleted")
            #expect(types.dropFirst(2).dropLast().allSatisfy { $0 == "LeaseRenewed" }, "\(lease.jobID): \(types)")
            #expect(job.version == UInt64(types.count))
        }
    }

    // MARK: Incident 4: killing a whole batch

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

    // MARK: Incident 5: a cancel that raced completion

    @Test func incident5_cancelRacingCompletionAnswersAnOutcomeNeverNotFound() throws {
        let temporary = TemporaryJobLedger()
        let jobs = try temporary.open()
        for round in 0..<50 {
            let id = "race-\(round)"
            let type = "race\(round)"
            let worker = "rw-\(round)"
            let canceller = round % 4 < 2 ? alice : acmeAdmin
            _ = try jobs.submit(JobSubmission(id: id, type: type), by: alice)
            // Even rounds race a running job's completion; odd rounds race
            // a pending job being claimed and completed.
            let startsRunning = round.isMultiple(of: 2)
            var startAttempt = 0
            if startsRunning {
                startAttempt = try #require(try jobs.claim(worker: worker, types: [type], lease: 120)).attempt
            }
            let runningAttempt = startAttempt

            let request = UUID()
            let cancel = IncidentCollector<Result<ActionResult, JobLedgerError>>()
            let work = IncidentCollector<Result<Job?, JobLedgerError>>()
            try #require(incidentRace(2) { side in
                if side == 0 {
                    cancel.append(incidentCapture { () throws(JobLedgerError) in
                        try jobs.cancel(id, by: canceller, reason: "too late?", requestID: request)
                    })
                    return
                }
                var attempt = runningAttempt
                if !startsRunning {
                    let claim = incidentCapture { () throws(JobLedgerError) in
                        try jobs.claim(worker: worker, types: [type], lease: 120)
                    }
                    switch claim {
                    case .success(let job?): attempt = job.attempt
                    case .success(nil):
                        work.append(.success(nil))
                        return
                    case .failure(let error):
                        work.append(.failure(error))
                        return
                    }
                }
                work.append(incidentCapture { () throws(JobLedgerError) in
                    try jobs.complete(id, worker: worker, attempt: attempt, result: "{}")
                })
            })

            let answer = try #require(cancel.values.first).get()
            let worked = try #require(work.values.first).get()
            let allowed: Set<JobOutcome> = startsRunning
                ? [.cancelRequested, .alreadyCompleted] : [.cancelled, .cancelRequested, .alreadyCompleted]
            #expect(allowed.contains(answer.outcome), "round \(round): \(answer.outcome)")
            let job = try #require(try jobs.job(id))
            let types = try jobs.store.readStream(JobStreams.job(id)).map(\.type)
            switch answer.outcome {
            case .cancelled:
                #expect(worked == nil)
                #expect(job.state == .cancelled)
                #expect(types == ["JobSubmitted", "JobCancelled"])
            case .cancelRequested:
                #expect(worked?.state == .completed)
                #expect(job.state == .completed)
                #expect(types == ["JobSubmitted", "JobClaimed", "CancelRequested", "JobCompleted"])
            default:
                #expect(worked?.state == .completed)
                #expect(job.state == .completed)
                #expect(types == ["JobSubmitted", "JobClaimed", "JobCompleted"])
            }
            let entries = try incidentAudits(id, in: jobs).filter { $0.entry.requestID == request }
            #expect(entries.map(\.entry.outcome) == [answer.outcome])

            // Asked again later, the job is still there with its history.
            let later = try jobs.cancel(id, by: canceller, reason: "still there?")
            #expect(later.outcome == (job.state == .cancelled ? .alreadyCancelled : .alreadyCompleted))
            #expect(later.job == job)
            #expect(try jobs.store.readStream(JobStreams.job(id)).map(\.type) == types)
        }
    }

    @Test func incident5_onlyANeverSubmittedIDAnswersNotFound() throws {
        let temporary = TemporaryJobLedger()
        let jobs = try temporary.open()
        var expected: [String: JobOutcome] = [:]
        for (id, outcome) in [("done", JobOutcome.alreadyCompleted), ("broken", .alreadyFailed),
                              ("stopped", .alreadyCancelled), ("acked", .alreadyCancelled), ("shot", .alreadyKilled),
                              ("shot-running", .alreadyKilled)] {
            _ = try jobs.submit(JobSubmission(id: id, type: "end-\(id)"), by: alice)
            expected[id] = outcome
        }
        var attempts: [String: Int] = [:]
        for id in ["done", "broken", "acked", "shot-running"] {
            let job = try #require(try jobs.claim(worker: "w-\(id)", types: ["end-\(id)"], lease: 120))
            try #require(job.id == id)
            attempts[id] = job.attempt
        }
        _ = try jobs.complete("done", worker: "w-done", attempt: try #require(attempts["done"]))
        _ = try jobs.fail("broken", worker: "w-broken", attempt: try #require(attempts["broken"]), error: "boom", retryable: false)
        _ = try jobs.cancel("stopped", by: alice, reason: "not needed")
        _ = try jobs.cancel("acked", by: acmeAdmin, reason: "hung")
        _ = try jobs.acknowledgeCancel("acked", worker: "w-acked", attempt: try #require(attempts["acked"]))
        _ = try jobs.kill("shot", by: acmeAdmin, reason: "stuck")
        _ = try jobs.kill("shot-running", by: acmeAdmin, reason: "stuck")
        expected["never-submitted"] = .notFound

        var before: [String: Job] = [:]
        for id in expected.keys where id != "never-submitted" {
            let job = try #require(try jobs.job(id))
            before[id] = job
        }

        let ids = Array(expected.keys)
        let answers = IncidentCollector<IncidentCancelCall>()
        try #require(incidentRace(8) { index in
            let actor = index.isMultiple(of: 2) ? alice : acmeAdmin
            for id in ids.shuffled() {
                let request = UUID()
                let reason = "cleanup \(index)"
                let result = incidentCapture { () throws(JobLedgerError) in
                    try jobs.cancel(id, by: actor, reason: reason, requestID: request)
                }
                answers.append(IncidentCancelCall(jobID: id, actor: actor, reason: reason, requestID: request, result: result))
            }
        })
        for call in answers.values {
            switch call.result {
            case .failure(let error): Issue.record("cancel of \(call.jobID) threw \(error)")
            case .success(let answer):
                #expect(answer.outcome == expected[call.jobID], "\(call.jobID): \(answer.outcome)")
                #expect(answer.job == before[call.jobID])
            }
        }
        for (id, job) in before {
            #expect(try jobs.job(id) == job)
            #expect(try jobs.store.streamVersion(JobStreams.job(id)) == job.version)
            let cleanups = try incidentAudits(id, in: jobs).filter { $0.entry.reason?.hasPrefix("cleanup") == true }
            #expect(cleanups.count == 8)
            #expect(cleanups.allSatisfy { $0.entry.action == "cancel" && $0.entry.outcome == expected[id] })
        }
        // The refusals were audited but wrote no job; once submitted, the
        // same id is cancelled normally.
        #expect(try jobs.store.streamVersion(JobStreams.job("never-submitted")) == 0)
        let ghostAudits = try incidentAudits("never-submitted", in: jobs).map(\.entry.outcome)
        #expect(ghostAudits == Array(repeating: .notFound, count: 8))
        #expect(try jobs.job("never-submitted") == nil)
        _ = try jobs.submit(JobSubmission(id: "never-submitted", type: "late"), by: alice)
        #expect(try jobs.cancel("never-submitted", by: alice, reason: "changed my mind").outcome == .cancelled)
    }
}

// MARK: - Racing helpers

/// Holds threads until all of them arrived, then releases them together.
private final class IncidentBarrier: Sendable {
    private let parties: Int
    private let arrived = Mutex(0)
    private let gate = DispatchSemaphore(value: 0)

    init(parties: Int) { self.parties = parties }

    func arriveAndWait() {
        let last = arrived.withLock { count in
            count += 1
            return count == parties
        }
        if last {
            for _ in 1..<parties { gate.signal() }
        } else {
            gate.wait()
        }
    }
}

/// Runs `body(index)` on `count` threads released together by a barrier.
/// Returns false when they did not all finish within a minute.
private func incidentRace(_ count: Int, _ body: @escaping @Sendable (Int) -> Void) -> Bool {
    let barrier = IncidentBarrier(parties: count)
    let finished = DispatchGroup()
    for index in 0..<count {
        finished.enter()
        let thread = Thread {
            barrier.arriveAndWait()
            body(index)
            finished.leave()
        }
        thread.name = "incident-racer-\(index)"
        thread.start()
    }
    return finished.wait(timeout: .now() + 60) == .success
}

/// Runs a ledger call and keeps its result or its error.
private func incidentCapture<T>(_ body: () throws(JobLedgerError) -> T) -> Result<T, JobLedgerError> {
    Result(catching: body)
}

/// Values gathered from racing threads.
private final class IncidentCollector<Value: Sendable>: Sendable {
    private let storage = Mutex<[Value]>([])

    func append(_ value: Value) { storage.withLock { $0.append(value) } }
    var values: [Value] { storage.withLock { $0 } }
}

/// A set of job ids shared by racing threads.
private final class IncidentSet: Sendable {
    private let storage = Mutex<Set<String>>([])

    func insert(_ id: String) { _ = storage.withLock { $0.insert(id) } }
    func contains(_ id: String) -> Bool { storage.withLock { $0.contains(id) } }
    var count: Int { storage.withLock { $0.count } }
}

/// A flag one thread raises and others watch.
private final class IncidentFlag: Sendable {
    private let raised = Atomic(false)

    func raise() { raised.store(true, ordering: .releasing) }
    var isRaised: Bool { raised.load(ordering: .acquiring) }
}

/// A worker's hold on one attempt of a job.
private struct IncidentLease: Sendable {
    let jobID: String
    let worker: String
    let attempt: Int
}

private struct IncidentClaim: Sendable {
    let worker: String
    let job: Job
}

private struct IncidentCancelCall: Sendable {
    let jobID: String
    let actor: Actor
    let reason: String
    let requestID: UUID
    let result: Result<ActionResult, JobLedgerError>

    var answer: ActionResult? { try? result.get() }
}

private struct IncidentWorkerCall: Sendable {
    let jobID: String
    let action: String
    let error: JobLedgerError?
}

private struct IncidentBatchAnswer: Sendable {
    let index: Int
    let result: Result<[BatchKillResult], JobLedgerError>
}

/// An audit event with its decoded entry.
private struct IncidentAudit {
    let event: RecordedEvent
    let entry: AuditEntry
}

/// The audit stream of a job, decoded.
private func incidentAudits(_ id: String, in jobs: JobLedger) throws -> [IncidentAudit] {
    let decoder = JSONDecoder()
    return try jobs.store.readStream(JobStreams.audit(id)).map { event in
        #expect(event.type == AuditEntry.eventType)
        return IncidentAudit(event: event, entry: try decoder.decode(AuditEntry.self, from: Data(event.payload)))
    }
}

/// The answer a stop command gives for a job that already finished.
private func incidentAlready(_ state: JobState) -> JobOutcome? {
    switch state {
    case .completed: return .alreadyCompleted
    case .failed: return .alreadyFailed
    case .cancelled: return .alreadyCancelled
    case .killed: return .alreadyKilled
    case .pending, .running, .cancelRequested: return nil
    }
}

/// A worker heartbeating `lease` every 100 to 200 ms until the job is
/// killed, or completing it after `completeAfter` heartbeats. Anything but a refusal
/// because the job was killed is a problem, and so is a heartbeat that
/// still succeeds after `killReturned` was raised.
private func incidentWork(
    _ jobs: JobLedger, _ lease: IncidentLease, completeAfter: Int?, killReturned flag: IncidentFlag,
    problems: IncidentCollector<String>
) {
    for beat in 0..<100 {
        let killReturned = flag.isRaised
        if beat == completeAfter {
            let done = incidentCapture { () throws(JobLedgerError) in
                try jobs.complete(lease.jobID, worker: lease.worker, attempt: lease.attempt)
            }
            if case .failure(let error) = done, !error.isRefusal(of: lease.jobID, in: .killed) {
                problems.append("complete \(lease.jobID): \(error)")
            }
            return
        }
        let renewal = incidentCapture { () throws(JobLedgerError) in
            try jobs.renewLease(lease.jobID, worker: lease.worker, attempt: lease.attempt, lease: 120)
        }
        if case .failure(let error) = renewal {
            if !error.isRefusal(of: lease.jobID, in: .killed) { problems.append("renew \(lease.jobID): \(error)") }
            return
        }
        if killReturned {
            problems.append("the worker of \(lease.jobID) still heartbeats after the batch kill returned")
            return
        }
        usleep(UInt32.random(in: 100_000...200_000))
    }
    problems.append("the worker of \(lease.jobID) was never stopped")
}

extension Result {
    /// The error, when there is one.
    fileprivate var incidentError: Failure? {
        if case .failure(let error) = self { return error }
        return nil
    }
}

extension JobLedgerError {
    /// Whether this is the refusal of a command on `jobID` because it is in `state`.
    fileprivate func isRefusal(of jobID: String, in state: JobState) -> Bool {
        if case .invalidTransition(jobID, state, _) = self { return true }
        return false
    }
}
