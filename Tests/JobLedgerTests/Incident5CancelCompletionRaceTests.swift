import Dispatch
import EventStore
import Foundation
import JobLedger
import Synchronization
import Testing

/// Incident 5: a cancel that raced completion must answer an outcome, never
/// `not_found`, unless the job was never submitted.
@Suite struct Incident5CancelCompletionRaceTests {
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
