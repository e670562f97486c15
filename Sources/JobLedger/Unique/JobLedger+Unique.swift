import EventStore
import Foundation

extension JobLedger {
    // MARK: Unique keys

    /// The key and window of a submission, checked: the key is a name
    /// (``NameRule``) in its stored form, the window within
    /// ``JobLimits/maxUniqueWindowSeconds``; the window in milliseconds.
    static func checkedUnique(_ unique: UniqueKey?) throws(JobLedgerError) -> (key: String, windowMillis: Int)? {
        guard let unique else { return nil }
        let key = try NameRule.name(unique.key, field: "unique key")
        try JobInput.validateUniqueWindow(unique.window)
        return (key, Int((unique.window * 1000).rounded()))
    }

    /// The job holding the key of `stream`, as its last event says;
    /// `nil` when no job ever took it.
    func uniqueKeyHolder(_ stream: String) throws(JobLedgerError) -> UniqueKeyHolder? {
        do {
            guard let last = try store.lastEvent(of: stream) else { return nil }
            return UniqueKeyHolder(
                taken: try UniqueKeyEvents.decode(last.payload), takenAt: last.recordedAt, version: last.streamVersion)
        } catch {
            throw Self.wrap(error)
        }
    }

    /// The submission of a job with a unique key: decided as any submit on
    /// the job's own stream first (an id that exists answers as always);
    /// a new job then also reads the key's stream. When the key was taken
    /// less than the window ago, nothing is appended but an audit entry on
    /// the holder's audit stream, and the answer is the holder, marked as
    /// a duplicate. Otherwise the key's next event joins the job's first
    /// event and its audit entry in one append, expecting the version read:
    /// a submission that took the key in between makes it decide again.
    func uniqueSubmitCommand(
        _ id: String, _ command: JobCommand, owner: Actor, requestID: UUID, key: String, windowMillis: Int,
        answer: @escaping (CommandResult) throws(JobLedgerError) -> SubmitResult
    ) throws(JobLedgerError) -> DecidedCommand<SubmitResult> {
        guard case .submit(let submitted) = command else { preconditionFailure("a unique submission is a submit") }
        let taken = UniqueKeyEvents.Taken(
            job: id, organisation: submitted.organisation, type: submitted.type, key: key, windowMillis: windowMillis)
        let stream = taken.stream
        return DecidedCommand(subject: id) { () throws(JobLedgerError) in
            var plan = try self.makePlan(id, command, actor: owner, reason: nil, requestID: requestID, auditRefusal: true)
            guard plan.outcome == .created else {
                let decided = plan
                return Decision(append: decided.append) { result throws(JobLedgerError) in try answer(try self.finish(decided, result)) }
            }
            let holder = try self.uniqueKeyHolder(stream)
            if let holder, Self.isHeld(since: holder.takenAt, now: plan.now, windowMillis: windowMillis),
               let job = try self.storedJob(holder.taken.job) {
                return try self.duplicate(of: job, key: key, submitted: id, owner: owner, requestID: requestID, now: plan.now)
            }
            let event: [UInt8]
            do { event = try UniqueKeyEvents.payload(taken) } catch { throw Self.wrap(error) }
            plan.append.append(StreamAppend(
                streamID: stream, expectedVersion: holder.map { .exact($0.version) } ?? .noStream,
                events: [EventData(
                    type: UniqueKeyEvents.taken, payload: event, actor: owner.id, correlationID: requestID,
                    recordedAt: plan.now)]))
            let decided = plan
            return Decision(append: decided.append) { result throws(JobLedgerError) in try answer(try self.finish(decided, result)) }
        }
    }

    /// Whether a key taken at `takenAt` is still held at `now` for a window
    /// of `windowMillis`: less than the window has passed, counted in the
    /// whole milliseconds every ledger time has.
    static func isHeld(since takenAt: Date, now: Date, windowMillis: Int) -> Bool {
        guard let taken = LedgerInstant.millis(takenAt), let current = LedgerInstant.millis(now) else { return false }
        return current - taken < Int64(windowMillis)
    }

    /// The answer to a submission whose key `job` holds: an audit entry on
    /// `job`'s audit stream (who asked, under which id, with which key),
    /// and `job` itself.
    private func duplicate(
        of job: Job, key: String, submitted id: String, owner: Actor, requestID: UUID, now: Date
    ) throws(JobLedgerError) -> Decision<SubmitResult> {
        let entry = AuditEntry(
            jobID: job.id, actor: owner.id, role: owner.role, organisation: owner.organisation, action: "submit",
            reason: nil, outcome: .duplicate, requestID: requestID,
            detail: "unique key '\(key)' is held by this job; job '\(id)' was not created")
        let append = StreamAppend(
            streamID: JobStreams.audit(job.id), expectedVersion: .any,
            events: [EventData(
                type: AuditEntry.eventType, payload: entry.encodedPayload(), actor: owner.id, correlationID: requestID,
                recordedAt: now)])
        let revealed: Job = try self.revealed(job)
        return Decision(append: [append]) { _ in SubmitResult(created: false, job: revealed, duplicate: true) }
    }
}
