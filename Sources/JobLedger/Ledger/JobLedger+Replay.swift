import EventStore
import Foundation

/// One line of a job's history: a job event or an audit entry about the job.
public struct HistoryEntry: Sendable, Hashable {
    /// Global position of the event.
    public let position: UInt64
    /// Version within its stream (the job stream or the job's audit stream).
    public let version: UInt64
    /// `job` for job events, `audit` for audit entries.
    public let stream: String
    /// The event type, e.g. `JobClaimed` or `AuditRecorded`.
    public let type: String
    /// When it was recorded.
    public let recordedAt: Date
    /// Who caused it.
    public let actor: String
    /// The request that carried it.
    public let correlationID: UUID?
    /// The payload as JSON text: a job event's fields in the current shape
    /// (without the schema version), an audit entry as stored.
    public let data: String
    /// The job's state before the event (`nil` before submission); for audit
    /// entries, the state at that point.
    public let stateBefore: JobState?
    /// The job's state after the event.
    public let stateAfter: JobState?
    /// Seconds since the previous line of this history.
    public let sincePrevious: TimeInterval?
    /// The decoded audit entry, for audit lines.
    public let audit: AuditEntry?
}

/// One step of a replay: an event and the state it produced.
public struct ReplayStep: Sendable, Hashable {
    /// The event.
    public let event: RecordedEvent
    /// The job's state before it.
    public let before: Job?
    /// The job's state after it.
    public let after: Job?
}

extension JobLedger {
    /// Everything that happened to a job, in log order: its events with the
    /// state before and after each, interleaved with the audit entries about
    /// it (refused commands included).
    public func history(_ jobID: String) throws(JobLedgerError) -> [HistoryEntry] {
        try history(jobID, archived: [])
    }

    /// The history of a job, with `archived` (events read from archive
    /// files, of any streams) put back in their places: an archived job's
    /// whole history, as it was before retention moved it.
    func history(_ jobID: String, archived: [RecordedEvent]) throws(JobLedgerError) -> [HistoryEntry] {
        try checkJobID(jobID)
        var events: [RecordedEvent]
        var audits: [RecordedEvent]
        do {
            events = try store.readStream(JobStreams.job(jobID))
            audits = try store.readStream(JobStreams.audit(jobID))
        } catch {
            throw .store(error)
        }
        let live = Set(events.map(\.position) + audits.map(\.position))
        for event in archived where !live.contains(event.position) {
            if event.streamID == JobStreams.job(jobID) { events.append(event) }
            if event.streamID == JobStreams.audit(jobID) { audits.append(event) }
        }
        guard !events.isEmpty || !audits.isEmpty else { throw .notFound(jobID: jobID) }
        let merged = (events.map { ($0, true) } + audits.map { ($0, false) }).sorted { $0.0.position < $1.0.position }
        var job: Job? = nil
        var previous: Date? = nil
        var entries: [HistoryEntry] = []
        for (event, isJobEvent) in merged {
            let before = job
            var audit: AuditEntry? = nil
            if isJobEvent {
                do { job = try Self.fold(job, event) } catch { throw Self.wrap(error, jobID: jobID) }
            } else {
                audit = try? JSONCoding.decoder.decode(AuditEntry.self, from: Data(event.payload))
            }
            entries.append(HistoryEntry(
                position: event.position, version: event.streamVersion, stream: isJobEvent ? "job" : "audit",
                type: event.type, recordedAt: event.recordedAt, actor: event.actor, correlationID: event.correlationID,
                // A job event shows its data in the current shape (older
                // schema versions through their upcasters), personal
                // fields revealed or shown erased.
                data: isJobEvent ? try revealedData(event, jobID: jobID) : event.payloadString,
                stateBefore: before?.state, stateAfter: job?.state,
                sincePrevious: previous.map { event.recordedAt.timeIntervalSince($0) }, audit: audit))
            previous = event.recordedAt
        }
        return entries
    }

    /// The job's state just after the event at `position` (or the last of
    /// its events before it); `nil` when it did not exist yet.
    public func job(_ jobID: String, asOfPosition position: UInt64) throws(JobLedgerError) -> Job? {
        try revealed(replay(jobID) { $0.position <= position })
    }

    /// The job's state as of `time`: every event recorded at or before it.
    public func job(_ jobID: String, asOf time: Date) throws(JobLedgerError) -> Job? {
        try LedgerInstant.check(time, field: "asOf")
        return try revealed(replay(jobID) { $0.recordedAt <= time })
    }

    /// Every job's state as of `time`, folded from the whole log.
    public func jobs(asOf time: Date) throws(JobLedgerError) -> [String: Job] {
        try LedgerInstant.check(time, field: "asOf")
        var jobs: [String: Job] = [:]
        do {
            try store.forEachEvent(filter: EventFilter(streamPrefix: "job-")) { event in
                guard event.recordedAt <= time, let id = JobStreams.jobID(fromStream: event.streamID) else { return true }
                jobs[id] = try Self.fold(jobs[id], event)
                return true
            }
        } catch {
            throw Self.wrap(error)
        }
        for (id, job) in jobs { jobs[id] = try revealed(job) }
        return jobs
    }

    /// Replays a job's stream (or, with `nil`, every job of the log) up to
    /// and including `position`, returning every step with the state before
    /// and after: a breakpoint at `position`, stepped through event by event.
    public func replaySteps(of jobID: String?, upTo position: UInt64) throws(JobLedgerError) -> [ReplayStep] {
        if let jobID { try checkJobID(jobID) }
        var states: [String: Job] = [:]
        var steps: [ReplayStep] = []
        do {
            let visit: (RecordedEvent) throws -> Bool = { event in
                guard event.position <= position else { return false }
                guard let id = JobStreams.jobID(fromStream: event.streamID) else { return true }
                let before = states[id]
                let after = try Self.fold(before, event)
                states[id] = after
                steps.append(ReplayStep(event: event, before: before, after: after))
                return true
            }
            if let jobID {
                for event in try store.readStream(JobStreams.job(jobID)) { if try !visit(event) { break } }
            } else {
                try store.forEachEvent(filter: EventFilter(streamPrefix: "job-"), visit)
            }
        } catch {
            throw Self.wrap(error, jobID: jobID)
        }
        var revealedSteps: [ReplayStep] = []
        for step in steps {
            revealedSteps.append(ReplayStep(event: step.event, before: try revealed(step.before), after: try revealed(step.after)))
        }
        return revealedSteps
    }

    /// The event's payload as JSON text, with the personal fields of a
    /// submission revealed (or shown erased).
    private func revealedData(_ event: RecordedEvent, jobID: String) throws(JobLedgerError) -> String {
        let text = JobEvent.currentDataText(type: event.type, payload: event.payload)
        guard event.type == JobEventKind.submittedType else { return text }
        do {
            guard case .submitted(var submitted) = try JobEvent.decode(type: event.type, payload: event.payload),
                  PersonalFields.mayHoldSealedFields(submitted.payload)
            else { return text }
            submitted.payload = try revealedPayload(
                submitted.payload, jobID: submitted.id, owner: submitted.owner, organisation: submitted.organisation)
            return String(decoding: try JobEvent.submitted(submitted).encodedPayload(), as: UTF8.self)
        } catch {
            throw Self.wrap(error, jobID: jobID)
        }
    }

    private func replay(_ jobID: String, while include: (RecordedEvent) -> Bool) throws(JobLedgerError) -> Job? {
        try checkJobID(jobID)
        do {
            var job: Job? = nil
            for event in try store.readStream(JobStreams.job(jobID)) where include(event) {
                job = try Self.fold(job, event)
            }
            return job
        } catch {
            throw Self.wrap(error, jobID: jobID)
        }
    }

    /// Applies one stored job event with the shared evolve function.
    static func fold(_ job: Job?, _ event: RecordedEvent) throws -> Job? {
        guard let decoded = try JobEvent.decode(event) else { return job }
        return JobEvolver.evolve(
            job, decoded,
            context: EventContext(position: event.position, version: event.streamVersion, recordedAt: event.recordedAt))
    }
}
