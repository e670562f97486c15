import Dispatch
import EventStore
import Foundation
import JobLedger
import Synchronization
import Testing

/// Incident 1: a cancellation whose audit entry was lost. Cancels and lease
/// renewals race on one real ledger file; every cancellation must land with
/// its audit entry in the same append.
@Suite struct Incident1CancellationAuditTests {
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
}
