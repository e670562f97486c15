import EventStore
import Foundation

/// One try of a command: the state it was decided on, the decision, and the
/// append that records it.
struct CommandPlan {
    let jobID: String
    let before: Job?
    let decision: JobDecision
    let events: [JobEvent]
    /// The streams to append; a claim of a limited type adds its queue stream.
    var append: [StreamAppend]
    let now: Date
    let outcome: JobOutcome

    /// Builds the append for `decision`: the job events with the version they
    /// were decided on, plus one audit entry, in one atomic append.
    init(
        jobID: String, before: Job?, decision: JobDecision, command: JobCommand, actor: Actor,
        reason: String?, requestID: UUID, now: Date, auditRefusal: Bool = true
    ) throws {
        self.jobID = jobID
        self.before = before
        self.decision = decision
        let now = JSONCoding.truncated(now)
        self.now = now
        // Nothing outside the ledger's range of instants is stored: it would
        // not read back (a lease beyond it, or a clock set far off).
        try LedgerInstant.check(now, field: "time of the command")
        var appends: [StreamAppend] = []
        switch decision {
        case let .accepted(decided, outcome):
            // Each event exactly as its payload reads back, so the typed
            // value handed to the projection is what a rebuild decodes.
            let events = decided.map(\.asStored)
            for event in events {
                for (field, date) in event.instants { try LedgerInstant.check(date, field: field) }
            }
            self.events = events
            self.outcome = outcome
            if !events.isEmpty {
                let expected: ExpectedVersion = before.map { job in
                    command.commutesWithLeaseRenewals
                        ? .exactIgnoring(job.version, commuting: [JobEvent.leaseRenewedType]) : .exact(job.version)
                } ?? .noStream
                appends.append(StreamAppend(
                    streamID: JobStreams.job(jobID), expectedVersion: expected,
                    events: try events.map { event in
                        EventData(
                            type: event.typeName, payload: try event.encodedPayload(), actor: actor.id,
                            correlationID: requestID, recordedAt: now, decoded: event)
                    }))
            }
        case let .refused(refusal):
            self.events = []
            self.outcome = refusal.outcome
        }
        if case .refused = decision, !auditRefusal {
            self.append = appends
            return
        }
        let detail: String? = if case .refused(let refusal) = decision { refusal.detail } else { nil }
        let entry = AuditEntry(
            jobID: jobID, actor: actor.id, role: actor.role, organisation: actor.organisation,
            action: command.action, reason: reason, outcome: outcome, requestID: requestID, detail: detail)
        appends.append(StreamAppend(
            streamID: JobStreams.audit(jobID), expectedVersion: .any,
            events: [EventData(
                type: AuditEntry.eventType, payload: entry.encodedPayload(), actor: actor.id,
                correlationID: requestID, recordedAt: now)]))
        self.append = appends
    }

    /// The job after the append: the one the projection folded in the
    /// append's transaction (lease renewals that landed between the read
    /// and the append included), or, when there is none (nothing appended,
    /// or an append that was already stored), a local fold of the decided
    /// events onto the state read.
    func job(after result: AppendResult?) -> Job? {
        guard !events.isEmpty, let stream = result?.streams.first(where: { $0.streamID == JobStreams.job(jobID) })
        else { return before }
        if let folded = stream.projected as? Job { return folded }
        var job = before
        let firstVersion = stream.version - UInt64(events.count) + 1
        for (index, event) in events.enumerated() {
            job = JobEvolver.evolve(
                job, event,
                context: EventContext(
                    position: stream.positions[index], version: firstVersion + UInt64(index), recordedAt: now))
        }
        return job
    }
}

/// What a command did.
public struct CommandResult: Sendable, Hashable {
    /// The job after the command (`nil` when it does not exist).
    public let job: Job?
    /// What came of the command.
    public let outcome: JobOutcome
    /// Why it was refused, when it was.
    public let refusal: JobRefusal?
}
