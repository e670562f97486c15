import EventStore
import Foundation

/// What declaring a batch's follow-up answers.
public struct FollowUpDeclaration: Sendable, Hashable {
    /// False when the batch already named this same follow-up.
    public let declared: Bool
    /// The declaration as stored.
    public let followUp: BatchFollowUp
    /// The follow-up job, once enqueued: at once when every job of the
    /// batch had already ended.
    public let job: Job?
}

extension JobLedger {
    // MARK: A batch's follow-up job

    /// Names the job to enqueue once every job of `batch` (of the actor's
    /// organisation) has ended: completed, failed for good, cancelled or
    /// killed. Users and admins only; the actor owns the follow-up, which
    /// is submitted under ``BatchFollowUp/jobID(ofBatch:)`` with the
    /// outcomes in its payload. From `submission` the type, payload,
    /// priority, attempts, timeout and tags count; a batch, a time to run,
    /// dependencies, personal fields or a unique key are refused, and an id
    /// other than the derived one too.
    ///
    /// A batch names one follow-up: the same declaration again answers
    /// `declared == false`, another one is
    /// ``JobLedgerError/conflictingSubmission(jobID:reason:)``. When every
    /// job of the batch has ended already, the follow-up is enqueued at once;
    /// a batch without jobs yet waits for its jobs.
    public func declareFollowUp(
        ofBatch batch: String, _ submission: JobSubmission, by actor: Actor, requestID: UUID = UUID()
    ) throws(JobLedgerError) -> FollowUpDeclaration {
        let (declared, followUp) = try execute(followUpDeclaration(batch, submission, actor: actor, requestID: requestID))
        if let created = try enqueueFollowUp(followUp) {
            return FollowUpDeclaration(declared: declared, followUp: followUp, job: created)
        }
        return FollowUpDeclaration(declared: declared, followUp: followUp, job: try self.followUpJob(followUp))
    }

    /// The async form of ``declareFollowUp(ofBatch:_:by:requestID:)``.
    public func declareFollowUp(
        ofBatch batch: String, _ submission: JobSubmission, by actor: Actor, requestID: UUID = UUID()
    ) async throws(JobLedgerError) -> FollowUpDeclaration {
        let (declared, followUp) = try await execute(followUpDeclaration(batch, submission, actor: actor, requestID: requestID))
        if let created = try await enqueueFollowUp(followUp) {
            return FollowUpDeclaration(declared: declared, followUp: followUp, job: created)
        }
        return FollowUpDeclaration(declared: declared, followUp: followUp, job: try self.followUpJob(followUp))
    }

    /// The follow-up's job as it is now, if it was enqueued.
    private func followUpJob(_ followUp: BatchFollowUp) throws(JobLedgerError) -> Job? {
        guard let job = try storedJob(followUp.jobID) else { return nil }
        let shown: Job = try revealed(job)
        return shown
    }

    /// The follow-up `batch` names, if any.
    public func followUp(ofBatch batch: String) throws(JobLedgerError) -> BatchFollowUp? {
        try JobInput.validateID(batch, field: "batch")
        return try storedFollowUp(batch)?.followUp
    }

    /// Enqueues every declared follow-up whose batch has ended but whose
    /// job is missing: what the command that ended the batch's last job
    /// would have done had its process not stopped first. Reads every
    /// declaration, so it belongs in a periodic sweep. Returns the ids of
    /// the follow-up jobs it created.
    @discardableResult
    public func enqueueBatchFollowUps() throws(JobLedgerError) -> [String] {
        var created: [String] = []
        for followUp in try declaredFollowUps() where try storedJob(followUp.jobID) == nil {
            if let job = try enqueueFollowUp(followUp) { created.append(job.id) }
        }
        return created
    }

    /// The async form of ``enqueueBatchFollowUps()``.
    @discardableResult
    public func enqueueBatchFollowUps() async throws(JobLedgerError) -> [String] {
        var created: [String] = []
        for followUp in try declaredFollowUps() where try storedJob(followUp.jobID) == nil {
            if let job = try await enqueueFollowUp(followUp) { created.append(job.id) }
        }
        return created
    }

    /// After a job of `batch` ended: its follow-up when this was the last
    /// of its jobs to end. A failure here does not undo or fail the command
    /// that ended the job; the sweep (``enqueueBatchFollowUps()``) tries
    /// again and reports it.
    func followUpAfterEnd(ofBatch batch: String) {
        guard let followUp = try? storedFollowUp(batch)?.followUp else { return }
        _ = try? enqueueFollowUp(followUp)
    }

    /// The async form of ``followUpAfterEnd(ofBatch:)``.
    func followUpAfterEnd(ofBatch batch: String) async {
        guard let followUp = try? storedFollowUp(batch)?.followUp else { return }
        _ = try? await enqueueFollowUp(followUp)
    }

    /// Submits the follow-up when every job of its batch has ended and it
    /// does not exist yet; the job when this call created it. The submit is
    /// idempotent by the derived id: of processes that see the batch end
    /// at once, one creates it.
    private func enqueueFollowUp(_ followUp: BatchFollowUp) throws(JobLedgerError) -> Job? {
        guard try storedJob(followUp.jobID) == nil, let submission = try followUpSubmission(followUp) else { return nil }
        let result = try submit(submission, by: Actor(id: followUp.owner, role: followUp.role, organisation: followUp.organisation))
        return result.created ? result.job : nil
    }

    /// The async form of ``enqueueFollowUp(_:)``.
    private func enqueueFollowUp(_ followUp: BatchFollowUp) async throws(JobLedgerError) -> Job? {
        guard try storedJob(followUp.jobID) == nil, let submission = try followUpSubmission(followUp) else { return nil }
        let result = try await submit(submission, by: Actor(id: followUp.owner, role: followUp.role, organisation: followUp.organisation))
        return result.created ? result.job : nil
    }

    /// The follow-up's submission with the outcomes of its batch, or `nil`
    /// while the batch has no job or a job that has not ended.
    private func followUpSubmission(_ followUp: BatchFollowUp) throws(JobLedgerError) -> JobSubmission? {
        var outcomes: [(id: String, state: JobState)] = []
        for id in try jobIDs(inBatch: followUp.batch) {
            guard let job = try storedJob(id), NameRule.same(job.organisation, followUp.organisation) else { continue }
            guard job.state.isTerminal else { return nil }
            outcomes.append((id, job.state))
        }
        guard !outcomes.isEmpty else { return nil }
        var payload = Array(#"{"batch":"#.utf8)
        JSONText.appendString(followUp.batch, to: &payload)
        payload += #","outcomes":{"#.utf8
        for (index, outcome) in outcomes.enumerated() {
            if index > 0 { payload.append(UInt8(ascii: ",")) }
            JSONText.appendString(outcome.id, to: &payload)
            payload.append(UInt8(ascii: ":"))
            JSONText.appendString(outcome.state.rawValue, to: &payload)
        }
        payload += #"},"payload":"#.utf8
        payload += followUp.payload.utf8
        payload.append(UInt8(ascii: "}"))
        return JobSubmission(
            id: followUp.jobID, type: followUp.type, payload: String(decoding: payload, as: UTF8.self),
            priority: followUp.priority, maxAttempts: followUp.maxAttempts,
            timeout: followUp.timeoutMillis.map { TimeInterval($0) / 1000 }, tags: followUp.tags ?? [])
    }

    /// The declaration command: checks the input, then appends the
    /// declaration to the batch's stream (expecting none) and to the
    /// catalogue, or finds the same one there.
    private func followUpDeclaration(
        _ batch: String, _ submission: JobSubmission, actor: Actor, requestID: UUID
    ) throws(JobLedgerError) -> DecidedCommand<(Bool, BatchFollowUp)> {
        let followUp = try checkedFollowUp(batch, submission, actor: actor)
        let payload: [UInt8]
        do { payload = try BatchEvents.payload(followUp) } catch { throw Self.wrap(error) }
        return DecidedCommand(subject: "(batch \(batch))") { () throws(JobLedgerError) in
            if let stored = try self.storedFollowUp(batch) {
                guard stored.followUp.sameRequest(as: followUp) else {
                    throw .conflictingSubmission(
                        jobID: followUp.jobID,
                        reason: "batch '\(batch)' already names another follow-up job (type '\(stored.followUp.type)', "
                            + "declared by '\(stored.followUp.owner)')")
                }
                return Decision(append: []) { _ in (false, stored.followUp) }
            }
            let now = JSONCoding.truncated(self.options.clock())
            func event() -> EventData {
                EventData(type: BatchEvents.declared, payload: payload, actor: followUp.owner, correlationID: requestID, recordedAt: now)
            }
            return Decision(append: [
                StreamAppend(streamID: BatchEvents.stream(batch), expectedVersion: .noStream, events: [event()]),
                StreamAppend(streamID: BatchEvents.catalogue, expectedVersion: .any, events: [event()]),
            ]) { _ in (true, followUp) }
        }
    }

    /// A declaration from its input, every name in its stored form.
    private func checkedFollowUp(_ batch: String, _ submission: JobSubmission, actor: Actor) throws(JobLedgerError) -> BatchFollowUp {
        try JobInput.validateID(batch, field: "batch")
        let jobID = BatchFollowUp.jobID(ofBatch: batch)
        guard jobID.utf8.count <= NameRule.maxIDBytes else {
            throw .invalidInput(
                field: "batch",
                reason: "is too long to name a follow-up job: '\(jobID.prefix(20))...' must fit \(NameRule.maxIDBytes) bytes")
        }
        let actor = try actor.normalized()
        guard actor.role == .user || actor.role == .admin else {
            throw .forbidden(
                jobID: jobID, actor: actor.id, action: "declare a follow-up",
                reason: "only a user or an admin may own a batch's follow-up job")
        }
        if let id = submission.id, id != jobID {
            throw .invalidInput(field: "id", reason: "a follow-up job's id is derived from its batch: '\(jobID)'")
        }
        let unsupported: [(String, Bool)] = [
            ("batch", submission.batch != nil), ("runAt", submission.runAt != nil), ("delay", submission.delay != nil),
            ("after", !submission.after.isEmpty), ("personal", !submission.personal.isEmpty), ("unique", submission.unique != nil),
        ]
        if let given = unsupported.first(where: { $0.1 }) {
            throw .invalidInput(field: given.0, reason: "is not available for a batch's follow-up job")
        }
        let type = try NameRule.name(submission.type, field: "type")
        try JobInput.validateJSON(submission.payload, field: "payload")
        guard submission.payload.utf8.count <= options.store.limits.maxPayloadBytes / 2 else {
            throw .invalidInput(field: "payload", reason: "is larger than half the payload limit, which a follow-up's outcomes share")
        }
        try JobInput.validateMaxAttempts(submission.maxAttempts)
        try JobInput.validatePriority(submission.priority)
        var timeoutMillis: Int? = nil
        if let timeout = submission.timeout {
            try JobInput.validateTimeout(timeout)
            timeoutMillis = Int((timeout * 1000).rounded())
        }
        let tags = try Self.checkedTags(submission.tags)
        return BatchFollowUp(
            batch: batch, jobID: jobID, owner: actor.id, role: actor.role, organisation: actor.organisation, type: type,
            payload: submission.payload, priority: submission.priority, maxAttempts: submission.maxAttempts,
            timeoutMillis: timeoutMillis, tags: tags.isEmpty ? nil : tags)
    }

    /// The declaration of `batch` and its stream's version, if any.
    private func storedFollowUp(_ batch: String) throws(JobLedgerError) -> (followUp: BatchFollowUp, version: UInt64)? {
        let stream = BatchEvents.stream(batch)
        guard stream.utf8.count <= store.options.limits.maxStreamIDBytes else { return nil }
        do {
            guard let first = try store.readStream(stream, from: 1, direction: .forwards, limit: 1).first else { return nil }
            return (try BatchEvents.decode(first.payload), first.streamVersion)
        } catch {
            throw Self.wrap(error)
        }
    }

    /// Every declaration, from the catalogue.
    private func declaredFollowUps() throws(JobLedgerError) -> [BatchFollowUp] {
        do {
            return try store.readStream(BatchEvents.catalogue).map { try BatchEvents.decode($0.payload) }
        } catch {
            throw Self.wrap(error)
        }
    }
}
