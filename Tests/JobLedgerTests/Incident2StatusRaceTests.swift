import Dispatch
import EventStore
import Foundation
import JobLedger
import Synchronization
import Testing

/// Incident 2: races between the ways to change a job's status (submits of
/// one id, competing claims, a completion raced by everything else), with
/// real threads on one real ledger file.
@Suite struct Incident2StatusRaceTests {
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
}
