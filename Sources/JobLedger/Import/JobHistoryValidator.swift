import EventStore
import Foundation

/// Checks that imported events are a history the ledger's commands could
/// have written, before any of them is imported.
///
/// Each job stream is folded through ``JobEvolver``, and every job event
/// must be what ``JobDecider`` decides for the command that its audit entry
/// names, issued by the actor the entry records, at the event's time: so a
/// `JobRetried` after `JobCompleted`, a claim of a job that is not pending or
/// a kill by a user is refused. Fields are checked as the commands check
/// them (ids, names, `maxAttempts`, JSON payloads and results, times within
/// ``LedgerTimeRange``), a `JobSubmitted` must name its stream's job, and
/// every job event must be followed by its audit entry, as commands append
/// them together. Audit entries of commands that changed nothing must have
/// an outcome that changes nothing. Only `job-<id>` and `audit-<id>` streams,
/// and the streams of queues, unique keys, schedules and erasures, are
/// accepted: no command writes any other.
///
/// Lease and backoff lengths are not known from the history (they are
/// command arguments and the retry policy of the ledger that wrote it), so
/// a lease end or retry time is only checked to lie after its event.
struct JobHistoryValidator {
    /// The stored events of a stream up to a version (exclusive), for a
    /// stream whose first imported line continues what the ledger holds.
    typealias PriorEvents = (_ stream: String, _ beforeVersion: UInt64) throws -> [RecordedEvent]

    private let policy: RetryPolicy
    private let prior: PriorEvents
    /// The state of each job seen so far (`nil` before its submission).
    private var jobs: [String: Job?] = [:]

    init(policy: RetryPolicy, prior: @escaping PriorEvents) {
        self.policy = policy
        self.prior = prior
    }

    /// A line and why it is refused.
    struct Refusal: Error {
        let line: Int
        let reason: String
    }

    /// Checks every line, in order.
    mutating func validate(_ lines: [ImportedLine]) throws(ImportError) {
        var index = 0
        do {
            while index < lines.count {
                let line = lines[index]
                if let id = JobStreams.jobID(fromStream: line.streamID) {
                    let audit = index + 1 < lines.count ? lines[index + 1] : nil
                    try checkJobEvent(line, jobID: id, audit: audit)
                    index += 2
                } else if let id = Self.auditJobID(line.streamID) {
                    try checkLoneAudit(line, jobID: id)
                    index += 1
                } else if line.streamID.hasPrefix("queue-") {
                    try Self.checkQueueEvent(line)
                    index += 1
                } else if line.streamID == SettingsAudit.stream {
                    try Self.checkSettingsRefusal(line)
                    index += 1
                } else if line.streamID.hasPrefix(BatchEvents.prefix) || line.streamID == BatchEvents.catalogue {
                    try Self.checkBatchEvent(line)
                    index += 1
                } else if line.streamID.hasPrefix(UniqueKeyEvents.prefix) {
                    try Self.checkUniqueKeyEvent(line)
                    index += 1
                } else if line.streamID == ScheduleEvents.stream {
                    try Self.checkScheduleEvent(line)
                    index += 1
                } else if line.streamID == ErasureRecord.stream {
                    try Self.checkErasureRecord(line)
                    index += 1
                } else {
                    throw Refusal(
                        line: line.number,
                        reason: "stream '\(InputQuote.bounded(line.streamID))' is not one the job ledger writes "
                            + "(job-<id>, audit-<id>, queue-<type>, unique-<digest>, batch-<id>, batches, \(SettingsAudit.stream), schedules or \(ErasureRecord.stream))")
                }
            }
        } catch let refusal as Refusal {
            throw .invalidHistory(line: refusal.line, reason: refusal.reason)
        } catch {
            throw .invalidHistory(line: lines[index].number, reason: "the ledger could not be read: \(error)")
        }
    }

    /// A line of the erasures stream: a record of an erasure that reads
    /// back, so that the audit of erasures moves with the log.
    private static func checkErasureRecord(_ line: ImportedLine) throws {
        guard line.event.type == ErasureRecord.eventType else {
            throw Refusal(line: line.number, reason: "the \(ErasureRecord.stream) stream holds only \(ErasureRecord.eventType) events")
        }
        do {
            _ = try JSONCoding.decoder.decode(ErasureRecord.self, from: Data(line.event.payload))
        } catch {
            throw Refusal(line: line.number, reason: "the erasure record does not read: \(error)")
        }
    }

    /// A line of a job type's queue stream: one of its two kinds, carrying
    /// settings that read back.
    private static func checkQueueEvent(_ line: ImportedLine) throws {
        guard QueueEvents.typeNames.contains(line.event.type) else {
            throw Refusal(line: line.number, reason: "a queue stream holds only \(QueueEvents.typeNames.sorted().joined(separator: " and ")) events")
        }
        do {
            let settings = try JSONCoding.decoder.decode(QueueSettings.self, from: Data(line.event.payload))
            if let limit = settings.concurrency, !(1...JobLimits.maxConcurrencyLimit).contains(limit) {
                throw Refusal(line: line.number, reason: "the concurrency limit \(limit) is out of bounds")
            }
        } catch let refusal as Refusal {
            throw refusal
        } catch {
            throw Refusal(line: line.number, reason: "the queue event's settings do not read: \(error)")
        }
    }

    /// A line of the audit of refused settings changes: an audit entry of a
    /// refusal, whose actor and request are its event's.
    private static func checkSettingsRefusal(_ line: ImportedLine) throws {
        guard line.event.type == AuditEntry.eventType else {
            throw Refusal(line: line.number, reason: "the \(SettingsAudit.stream) stream holds only \(AuditEntry.eventType) events")
        }
        let entry: AuditEntry
        do {
            entry = try JSONCoding.decoder.decode(AuditEntry.self, from: Data(line.event.payload))
        } catch {
            throw Refusal(line: line.number, reason: "the audit entry's payload is not one commands write")
        }
        guard entry.outcome == .forbidden else {
            throw Refusal(line: line.number, reason: "the \(SettingsAudit.stream) stream records only refusals, not '\(entry.outcome.rawValue)'")
        }
        guard line.event.actor == entry.actor, line.event.correlationID == entry.requestID else {
            throw Refusal(line: line.number, reason: "the audit entry's actor and request id must be the event's actor and correlationId")
        }
        try checkField(line.number) { () throws(JobLedgerError) in
            try JobInput.validateName(entry.actor, field: "actor")
            try JobInput.validateName(entry.organisation, field: "organisation")
        }
    }

    /// A line of a batch's stream or of the catalogue of follow-ups: a
    /// declaration whose fields a declaration checks, in its batch's stream
    /// or the catalogue.
    private static func checkBatchEvent(_ line: ImportedLine) throws {
        guard line.event.type == BatchEvents.declared else {
            throw Refusal(line: line.number, reason: "a batch's stream holds only \(BatchEvents.declared) events")
        }
        let followUp: BatchFollowUp
        do {
            followUp = try BatchEvents.decode(line.event.payload)
        } catch {
            throw Refusal(line: line.number, reason: "the follow-up declaration does not read: \(error)")
        }
        try checkField(line.number) { () throws(JobLedgerError) in
            try JobInput.validateID(followUp.batch, field: "batch")
            try JobInput.validateName(followUp.owner, field: "owner")
            try JobInput.validateName(followUp.organisation, field: "organisation")
            try JobInput.validateName(followUp.type, field: "type")
            try JobInput.validateJSON(followUp.payload, field: "payload")
            try JobInput.validateMaxAttempts(followUp.maxAttempts)
            try JobInput.validatePriority(followUp.priority)
            if let millis = followUp.timeoutMillis { try JobInput.validateTimeout(TimeInterval(millis) / 1000) }
            for tag in followUp.tags ?? [] { try JobInput.validateName(tag, field: "tag") }
        }
        guard followUp.jobID == BatchFollowUp.jobID(ofBatch: followUp.batch) else {
            throw Refusal(line: line.number, reason: "the follow-up's job id is not the one its batch derives")
        }
        guard line.streamID == BatchEvents.catalogue || line.streamID == BatchEvents.stream(followUp.batch) else {
            throw Refusal(line: line.number, reason: "the follow-up declaration is not in its batch's stream")
        }
        guard line.event.actor == followUp.owner else {
            throw Refusal(line: line.number, reason: "the follow-up declaration's owner is not its actor")
        }
    }

    /// A line of a unique key's stream: a `UniqueKeyTaken` whose fields are
    /// names and a window as a submission checks them, in the stream its
    /// organisation, type and key name.
    private static func checkUniqueKeyEvent(_ line: ImportedLine) throws {
        guard line.event.type == UniqueKeyEvents.taken else {
            throw Refusal(line: line.number, reason: "a unique key's stream holds only \(UniqueKeyEvents.taken) events")
        }
        let taken: UniqueKeyEvents.Taken
        do {
            taken = try UniqueKeyEvents.decode(line.event.payload)
        } catch {
            throw Refusal(line: line.number, reason: "the unique key event does not read: \(error)")
        }
        try checkField(line.number) { () throws(JobLedgerError) in
            try JobInput.validateID(taken.job, field: "job")
            try JobInput.validateName(taken.organisation, field: "organisation")
            try JobInput.validateName(taken.type, field: "type")
            try JobInput.validateName(taken.key, field: "unique key")
            try JobInput.validateUniqueWindow(TimeInterval(taken.windowMillis) / 1000)
        }
        guard taken.stream == line.streamID else {
            throw Refusal(line: line.number, reason: "the unique key event is not in the stream of its organisation, type and key")
        }
    }

    /// A line of the schedules stream: a schedule set, whose every field
    /// reads back, or a removal.
    private static func checkScheduleEvent(_ line: ImportedLine) throws {
        do {
            var schedules: [String: RecurringSchedule] = [:]
            try ScheduleEvents.apply(type: line.event.type, payload: line.event.payload, to: &schedules)
        } catch {
            throw Refusal(line: line.number, reason: "the schedule event does not read: \(error)")
        }
        guard ScheduleEvents.typeNames.contains(line.event.type) else {
            throw Refusal(
                line: line.number,
                reason: "the schedules stream holds only \(ScheduleEvents.typeNames.sorted().joined(separator: " and ")) events")
        }
    }

    private static func auditJobID(_ stream: String) -> String? {
        let prefix = JobStreams.audit("")
        return stream.hasPrefix(prefix) ? String(stream.dropFirst(prefix.utf8.count)) : nil
    }

    private static func date(_ micros: Int64) -> Date {
        Date(timeIntervalSince1970: Double(micros) / 1_000_000)
    }

    // MARK: Job events

    private mutating func checkJobEvent(_ line: ImportedLine, jobID: String, audit: ImportedLine?) throws {
        func refuse(_ reason: String) -> Refusal { Refusal(line: line.number, reason: reason) }
        try Self.checkField(line.number) { () throws(JobLedgerError) in try JobInput.validateID(jobID) }
        let job = try state(of: jobID, stream: line.streamID, firstVersion: line.version, line: line.number)
        guard let event = try Self.decodeJobEvent(line) else {
            throw refuse("'\(InputQuote.bounded(line.event.type))' is not a job event type")
        }
        guard line.event.causationID == nil else { throw refuse("commands write job events without a causationId") }
        guard let requestID = line.event.correlationID else {
            throw refuse("commands write every job event with the correlationId of its request")
        }
        try checkFields(of: event, jobID: jobID, at: line)

        // The audit entry that commands append together with the event.
        guard let audit, audit.streamID == JobStreams.audit(jobID) else {
            throw refuse("the \(line.event.type) has no audit entry: commands append each job event with an "
                + "AuditRecorded event of stream '\(JobStreams.audit(jobID))' right after it")
        }
        let entry = try Self.decodeAudit(audit, jobID: jobID)
        guard entry.requestID == requestID, audit.event.correlationID == requestID,
              audit.recordedAtMicros == line.recordedAtMicros, audit.event.actor == line.event.actor
        else {
            throw Refusal(
                line: audit.number,
                reason: "the audit entry does not belong to the \(line.event.type) on line \(line.number): "
                    + "commands write both with the same request id, actor and time")
        }
        guard entry.detail == nil else {
            throw Refusal(line: audit.number, reason: "the audit entry of a change carries a refusal's detail")
        }

        // The command the entry names, decided as the ledger decides it.
        let now = Self.date(line.recordedAtMicros)
        let actor = Actor(id: entry.actor, role: entry.role, organisation: entry.organisation)
        guard let command = Self.command(for: event, action: entry.action, actor: actor, job: job, now: now) else {
            throw refuse("no '\(InputQuote.bounded(entry.action))' command writes a \(line.event.type)")
        }
        if let job, job.attemptBase.addingReportingOverflow(job.maxAttempts).overflow {
            throw refuse("the job's attempts cannot be counted (maxAttempts \(job.maxAttempts))")
        }
        let decision = JobDecider.decide(job, command, now: now, policy: policy)
        guard case .accepted(let decided, let outcome) = decision, decided.count == 1 else {
            let state = job.map { "a job in state \($0.state.rawValue)" } ?? "a job that does not exist"
            throw refuse("a \(line.event.type) cannot happen to \(state): the '\(entry.action)' command "
                + "by \(InputQuote.bounded(actor.id)) (\(actor.role.rawValue)) would be answered \(Self.answer(decision))")
        }
        guard Self.sameIgnoringPolicyTimes(decided[0], event) else {
            throw refuse("the \(line.event.type) is not what the '\(entry.action)' command writes for this job "
                + "(expected \(decided[0].typeName) for attempt \(job?.attempt ?? 0), worker and fields as the job holds them)")
        }
        guard outcome == entry.outcome else {
            throw Refusal(line: audit.number, reason: "the audit entry's outcome is '\(entry.outcome.rawValue)'; "
                + "the command's is '\(outcome.rawValue)'")
        }
        try Self.checkCommandActor(command, entry: entry, envelopeActor: line.event.actor, line: line.number)
        jobs[jobID] = .some(JobEvolver.evolve(
            job, event, context: EventContext(position: line.position, version: line.version, recordedAt: now)))
    }

    /// The job before a line of its stream: folded from the lines before, or
    /// from what the ledger holds when the file continues a stored stream.
    private mutating func state(of jobID: String, stream: String, firstVersion: UInt64, line: Int) throws -> Job? {
        if let known = jobs[jobID] { return known }
        var job: Job? = nil
        if firstVersion > 1 {
            for recorded in try prior(stream, firstVersion) {
                guard let event = try JobEvent.decode(recorded) else { continue }
                job = JobEvolver.evolve(
                    job, event,
                    context: EventContext(
                        position: recorded.position, version: recorded.streamVersion, recordedAt: recorded.recordedAt))
            }
            if job == nil {
                throw Refusal(line: line, reason: "the stream starts at version \(firstVersion) without its JobSubmitted")
            }
        }
        jobs[jobID] = .some(job)
        return job
    }

    private static func decodeJobEvent(_ line: ImportedLine) throws -> JobEvent? {
        do {
            return try JobEvent.decode(type: line.event.type, payload: line.event.payload)
        } catch let error as JobEventSchemaError {
            throw Refusal(line: line.number, reason: "\(error)")
        } catch {
            throw Refusal(line: line.number, reason: "the \(InputQuote.bounded(line.event.type)) payload is not one commands write")
        }
    }

    private static func decodeAudit(_ line: ImportedLine, jobID: String) throws -> AuditEntry {
        guard line.event.type == AuditEntry.eventType else {
            throw Refusal(line: line.number, reason: "an audit stream holds only \(AuditEntry.eventType) events")
        }
        let entry: AuditEntry
        do {
            entry = try JSONCoding.decoder.decode(AuditEntry.self, from: Data(line.event.payload))
        } catch {
            throw Refusal(line: line.number, reason: "the audit entry's payload is not one commands write")
        }
        guard entry.jobID == jobID else {
            throw Refusal(line: line.number, reason: "the audit entry names job '\(InputQuote.bounded(entry.jobID))', not its stream's job")
        }
        guard line.event.actor == entry.actor, line.event.correlationID == entry.requestID, line.event.causationID == nil else {
            throw Refusal(line: line.number, reason: "the audit entry's actor and request id must be the event's actor and correlationId")
        }
        try checkField(line.number) { () throws(JobLedgerError) in
            try JobInput.validateName(entry.actor, field: "actor")
            try JobInput.validateName(entry.organisation, field: "organisation")
        }
        return entry
    }

    /// An audit entry with no job event before it: a command that changed
    /// nothing (a refusal, or an answer such as `existing`).
    private mutating func checkLoneAudit(_ line: ImportedLine, jobID: String) throws {
        let entry = try Self.decodeAudit(line, jobID: jobID)
        let changesNothing: Set<JobOutcome> = [
            .existing, .cancelRequested, .alreadyCancelled, .alreadyCompleted, .alreadyFailed, .alreadyKilled,
            .notFound, .forbidden, .notAllowed, .notLeaseHolder, .conflictingSubmission, .duplicate,
        ]
        guard changesNothing.contains(entry.outcome) else {
            throw Refusal(
                line: line.number,
                reason: "the audit entry records '\(entry.outcome.rawValue)' but no job event comes before it: "
                    + "commands append the job event and its audit entry together")
        }
    }
}
