import EventStore
import Foundation

/// What `submit` answers.
public struct SubmitResult: Sendable, Hashable {
    /// False when a job with this id already existed, or when another job
    /// holds the submission's unique key; `job` is that job.
    public let created: Bool
    /// The job as it is now.
    public let job: Job
    /// True when nothing was created because `job` holds the submission's
    /// unique key (``JobSubmission/unique``); `job` has another id then.
    public let duplicate: Bool

    init(created: Bool, job: Job, duplicate: Bool = false) {
        self.created = created
        self.job = job
        self.duplicate = duplicate
    }

    /// What came of the submission: `created`, `existing` or `duplicate`.
    public var outcome: JobOutcome { created ? .created : duplicate ? .duplicate : .existing }
}

/// What `renewLease` answers.
public struct RenewResult: Sendable, Hashable {
    /// The job with its extended lease.
    public let job: Job
    /// True when someone asked to cancel the job: stop and acknowledge.
    public let cancelRequested: Bool
    /// True when the attempt ran past the job's timeout and has ended (the
    /// job was failed as a timeout, or is pending for another attempt): stop;
    /// anything the worker settles for this attempt is refused.
    public let timedOut: Bool

    /// Creates an answer.
    public init(job: Job, cancelRequested: Bool, timedOut: Bool = false) {
        self.job = job
        self.cancelRequested = cancelRequested
        self.timedOut = timedOut
    }
}

/// What `cancel`, `kill` and `retry` answer: never an error for a job in
/// the wrong state, a missing job or a refused actor, always an outcome.
public struct ActionResult: Sendable, Hashable {
    /// What came of it: e.g. `cancelled`, `cancel_requested`,
    /// `already_completed`, `not_found` or `forbidden`.
    public let outcome: JobOutcome
    /// The job as it is now; `nil` when not found.
    public let job: Job?
}

extension JobLedger {
    // MARK: Submit

    /// Submits a job owned by `actor`. Submitting an id that exists returns
    /// the existing job with `created == false`; the same id with another
    /// type or owner is ``JobLedgerError/conflictingSubmission(jobID:reason:)``.
    /// The type, owner and organisation are stored in NFC and compared as
    /// bytes (``NameRule``), as every command and query does with names.
    public func submit(_ submission: JobSubmission, by actor: Actor, requestID: UUID = UUID()) throws(JobLedgerError) -> SubmitResult {
        let result = try execute(submitCommand(submission, actor: actor, requestID: requestID))
        if result.created, !result.job.waitingFor.isEmpty { try resolveWaits(of: result.job) }
        return result.created && !result.job.waitingFor.isEmpty ? try refreshed(result) : result
    }

    /// The async form of ``submit(_:by:requestID:)``.
    public func submit(_ submission: JobSubmission, by actor: Actor, requestID: UUID = UUID()) async throws(JobLedgerError) -> SubmitResult {
        // Creating an owner's key waits for the disk (or the database): a
        // submission with personal fields is prepared on threads of the
        // ledger's own, never on the cooperative pool.
        var unused: Void = ()
        let command = submission.personal.isEmpty
            ? try submitCommand(submission, actor: actor, requestID: requestID)
            : try await DecideThreads.shared.run(&unused) { (_) throws(JobLedgerError) in
                try self.submitCommand(submission, actor: actor, requestID: requestID)
            }
        let result = try await execute(command)
        if result.created, !result.job.waitingFor.isEmpty { try await resolveWaits(of: result.job) }
        return result.created && !result.job.waitingFor.isEmpty ? try refreshed(result) : result
    }

    /// Tags in their stored form (``NameRule``), each once, at most ``JobLimits/maxTags``.
    static func checkedTags(_ tags: [String]) throws(JobLedgerError) -> [String] {
        var stored: [String] = []
        for tag in tags {
            let name = try NameRule.name(tag, field: "tag")
            if !stored.contains(where: { NameRule.same($0, name) }) { stored.append(name) }
        }
        guard stored.count <= JobLimits.maxTags else {
            throw .invalidInput(field: "tag", reason: "\(stored.count) tags; a job may carry at most \(JobLimits.maxTags)")
        }
        return stored
    }

    /// A submission's answer with the job as it is now: resolving the jobs
    /// it waits for may have moved it since.
    private func refreshed(_ result: SubmitResult) throws(JobLedgerError) -> SubmitResult {
        SubmitResult(created: result.created, job: try revealed(storedJob(result.job.id)) ?? result.job)
    }

    /// The submit command, every name in its stored form (``NameRule``).
    private func submitCommand(
        _ submission: JobSubmission, actor: Actor, requestID: UUID
    ) throws(JobLedgerError) -> DecidedCommand<SubmitResult> {
        let id = submission.id ?? UUID().uuidString.lowercased()
        try JobInput.validateID(id)
        let type = try NameRule.name(submission.type, field: "type")
        let owner = try actor.normalized(idField: "owner")
        if let batch = submission.batch { try JobInput.validateID(batch, field: "batch") }
        try JobInput.validateJSON(submission.payload, field: "payload")
        try JobInput.validateMaxAttempts(submission.maxAttempts)
        try JobInput.validatePriority(submission.priority)
        guard submission.payload.utf8.count <= options.store.limits.maxPayloadBytes - 1024 else {
            throw .invalidInput(field: "payload", reason: "is larger than the payload limit")
        }
        try PersonalFields.checkReserved(submission.payload)
        let personal = try PersonalFields.checkedNames(submission.personal)
        try PersonalFields.checkNames(personal, in: submission.payload)
        var runAt = submission.runAt
        if let delay = submission.delay {
            guard runAt == nil else { throw .invalidInput(field: "delay", reason: "cannot be given with runAt; give one of them") }
            try JobInput.validateDelay(delay)
            runAt = options.clock() + delay
        }
        if let time = runAt { try LedgerInstant.check(time, field: submission.delay == nil ? "runAt" : "delay") }
        var timeoutMillis: Int? = nil
        if let timeout = submission.timeout {
            try JobInput.validateTimeout(timeout)
            timeoutMillis = Int((timeout * 1000).rounded())
        }
        let after = try checkedDependencies(submission.after)
        let tags = try Self.checkedTags(submission.tags)
        let unique = try Self.checkedUnique(submission.unique)
        // Sealed last, once every input is checked: bad input creates no key.
        var payload = submission.payload
        if !personal.isEmpty {
            payload = try PersonalFields.seal(payload, names: personal, jobID: id, key: try sealingKey(for: owner))
            guard payload.utf8.count <= options.store.limits.maxPayloadBytes - 1024 else {
                throw .invalidInput(field: "payload", reason: "is larger than the payload limit once its personal fields are sealed")
            }
        }
        let command = JobCommand.submit(.init(
            id: id, type: type, owner: owner.id, organisation: owner.organisation,
            batch: submission.batch, payload: payload, priority: submission.priority,
            maxAttempts: submission.maxAttempts, runAt: runAt.map(JSONCoding.truncated), timeoutMillis: timeoutMillis,
            after: after, tags: tags, unique: unique?.key, uniqueWindowMillis: unique?.windowMillis))
        let answer = { (result: CommandResult) throws(JobLedgerError) -> SubmitResult in
            if let refusal = result.refusal { throw JobLedgerError(refusal, jobID: id, actor: "", action: "submit") }
            guard let job = result.job else { throw .notFound(jobID: id) }
            return SubmitResult(created: result.outcome == .created, job: job)
        }
        if let unique {
            return try uniqueSubmitCommand(
                id, command, owner: owner, requestID: requestID, key: unique.key, windowMillis: unique.windowMillis,
                answer: answer)
        }
        return try jobCommand(id, command, actor: owner, requestID: requestID, answer: answer)
    }

    // MARK: Worker commands

    /// Extends the lease of `attempt`; tells the worker whether a cancel was requested.
    public func renewLease(_ jobID: String, worker: String, attempt: Int, lease: TimeInterval) throws(JobLedgerError) -> RenewResult {
        try execute(renewCommand(jobID, worker: worker, attempt: attempt, lease: lease))
    }

    /// The async form of ``renewLease(_:worker:attempt:lease:)``.
    public func renewLease(_ jobID: String, worker: String, attempt: Int, lease: TimeInterval) async throws(JobLedgerError) -> RenewResult {
        try await execute(renewCommand(jobID, worker: worker, attempt: attempt, lease: lease))
    }

    private func renewCommand(
        _ jobID: String, worker: String, attempt: Int, lease: TimeInterval
    ) throws(JobLedgerError) -> DecidedCommand<RenewResult> {
        let worker = try workerInput(jobID, worker)
        try JobInput.validateLease(lease)
        let renewal = try workerCommand(
            jobID, "renew the lease of", worker, attempt, .renewLease(worker: worker, attempt: attempt, lease: lease)
        ) { job in RenewResult(job: job, cancelRequested: job.state == .cancelRequested) }
        let timeout = try jobCommand(jobID, .timeOut, actor: .system, reason: "timeout", auditRefusal: false) { result in result }
        return DecidedCommand(subject: jobID) { () throws(JobLedgerError) in
            // The renewal of an attempt past its deadline ends the attempt
            // instead, by the system, as the sweep would; the renewal of an
            // attempt that ended so answers that it did, changing nothing.
            if let job = try self.storedJob(jobID), NameRule.same(job.worker, worker) || job.worker == nil,
               job.attempt == attempt {
                if job.timedOutAttempt == attempt, job.state != .running, job.state != .cancelRequested {
                    return Decision(append: []) { _ in RenewResult(job: job, cancelRequested: false, timedOut: true) }
                }
                if let deadline = job.deadline, deadline <= JSONCoding.truncated(self.options.clock()),
                   NameRule.same(job.worker, worker) {
                    let decision = try timeout.decideOnce()
                    // Refused (the job moved on since it was read): the
                    // renewal decides, on the job as it is now.
                    if !decision.append.isEmpty {
                        return Decision(append: decision.append) { result throws(JobLedgerError) in
                            let ended = try decision.answer(result)
                            return RenewResult(job: ended.job ?? job, cancelRequested: false, timedOut: true)
                        }
                    }
                }
            }
            return try renewal.decideOnce()
        }
    }

    /// Completes `attempt` with an optional JSON result. Completing a job
    /// whose cancel was requested completes it: the work was done.
    public func complete(_ jobID: String, worker: String, attempt: Int, result: String? = nil) throws(JobLedgerError) -> Job {
        let job = try execute(completeCommand(jobID, worker: worker, attempt: attempt, result: result))
        try releaseDependents(of: job)
        return job
    }

    /// The async form of ``complete(_:worker:attempt:result:)``.
    public func complete(_ jobID: String, worker: String, attempt: Int, result: String? = nil) async throws(JobLedgerError) -> Job {
        let job = try await execute(completeCommand(jobID, worker: worker, attempt: attempt, result: result))
        try await releaseDependents(of: job)
        return job
    }

    private func completeCommand(
        _ jobID: String, worker: String, attempt: Int, result: String?
    ) throws(JobLedgerError) -> DecidedCommand<Job> {
        let worker = try workerInput(jobID, worker)
        if let result { try JobInput.validateJSON(result, field: "result") }
        return try workerCommand(
            jobID, "complete", worker, attempt, .complete(worker: worker, attempt: attempt, result: result)) { $0 }
    }

    /// Fails `attempt`. A retryable failure with attempts left goes back to
    /// pending after an exponential backoff; otherwise the job fails.
    public func fail(_ jobID: String, worker: String, attempt: Int, error: String, retryable: Bool) throws(JobLedgerError) -> Job {
        let job = try execute(failCommand(jobID, worker: worker, attempt: attempt, error: error, retryable: retryable))
        try releaseDependents(of: job)
        return job
    }

    /// The async form of ``fail(_:worker:attempt:error:retryable:)``.
    public func fail(_ jobID: String, worker: String, attempt: Int, error: String, retryable: Bool) async throws(JobLedgerError) -> Job {
        let job = try await execute(failCommand(jobID, worker: worker, attempt: attempt, error: error, retryable: retryable))
        try await releaseDependents(of: job)
        return job
    }

    private func failCommand(
        _ jobID: String, worker: String, attempt: Int, error: String, retryable: Bool
    ) throws(JobLedgerError) -> DecidedCommand<Job> {
        let worker = try workerInput(jobID, worker)
        return try workerCommand(
            jobID, "fail", worker, attempt, .fail(worker: worker, attempt: attempt, error: error, retryable: retryable)) { $0 }
    }

    /// The worker confirms it stopped after a cancel request: the job is cancelled.
    public func acknowledgeCancel(_ jobID: String, worker: String, attempt: Int) throws(JobLedgerError) -> Job {
        let job = try execute(acknowledgeCommand(jobID, worker: worker, attempt: attempt))
        try releaseDependents(of: job)
        return job
    }

    /// The async form of ``acknowledgeCancel(_:worker:attempt:)``.
    public func acknowledgeCancel(_ jobID: String, worker: String, attempt: Int) async throws(JobLedgerError) -> Job {
        let job = try await execute(acknowledgeCommand(jobID, worker: worker, attempt: attempt))
        try await releaseDependents(of: job)
        return job
    }

    private func acknowledgeCommand(_ jobID: String, worker: String, attempt: Int) throws(JobLedgerError) -> DecidedCommand<Job> {
        let worker = try workerInput(jobID, worker)
        return try workerCommand(
            jobID, "acknowledge the cancellation of", worker, attempt, .acknowledgeCancel(worker: worker, attempt: attempt)
        ) { $0 }
    }

    /// Checks the job id and brings the worker's name to its stored form.
    private func workerInput(_ jobID: String, _ worker: String) throws(JobLedgerError) -> String {
        try checkJobID(jobID)
        return try NameRule.name(worker, field: "worker")
    }

    /// A worker's command on `jobID` (the worker's name already in its
    /// stored form): a refusal is thrown as the error naming the worker and
    /// its attempt; otherwise `answer` gets the job as the command left it.
    private func workerCommand<Answer>(
        _ jobID: String, _ action: String, _ worker: String, _ attempt: Int, _ command: JobCommand,
        answer: @escaping (Job) -> Answer
    ) throws(JobLedgerError) -> DecidedCommand<Answer> {
        try jobCommand(jobID, command, actor: .worker(worker)) { result throws(JobLedgerError) in
            if let refusal = result.refusal {
                throw JobLedgerError(refusal, jobID: jobID, actor: worker, action: action, worker: worker, attempt: attempt)
            }
            guard let job = result.job else { throw .notFound(jobID: jobID) }
            return answer(job)
        }
    }

    // MARK: Stopping and retrying

    /// Cancels a job for its owner or an admin of its organisation: a pending
    /// job is cancelled at once, a running one moves to cancel requested.
    /// Every answer is an outcome, audited, never a bare error; only input
    /// that breaks the rule for ids and names (``NameRule``) is an
    /// invalid-input error, with nothing written.
    public func cancel(_ jobID: String, by actor: Actor, reason: String, requestID: UUID = UUID()) throws(JobLedgerError) -> ActionResult {
        let result = try execute(stopCommand(jobID, actor, reason: reason, requestID: requestID) { .cancel(actor: $0, reason: reason) })
        try releaseDependents(of: result.job)
        return result
    }

    /// The async form of ``cancel(_:by:reason:requestID:)``.
    public func cancel(_ jobID: String, by actor: Actor, reason: String, requestID: UUID = UUID()) async throws(JobLedgerError) -> ActionResult {
        let result = try await execute(stopCommand(jobID, actor, reason: reason, requestID: requestID) { .cancel(actor: $0, reason: reason) })
        try await releaseDependents(of: result.job)
        return result
    }

    /// Kills a non-terminal job (admins of its organisation only).
    public func kill(_ jobID: String, by actor: Actor, reason: String, requestID: UUID = UUID()) throws(JobLedgerError) -> ActionResult {
        let result = try execute(stopCommand(jobID, actor, reason: reason, requestID: requestID) { .kill(actor: $0, reason: reason) })
        try releaseDependents(of: result.job)
        return result
    }

    /// The async form of ``kill(_:by:reason:requestID:)``.
    public func kill(_ jobID: String, by actor: Actor, reason: String, requestID: UUID = UUID()) async throws(JobLedgerError) -> ActionResult {
        let result = try await execute(stopCommand(jobID, actor, reason: reason, requestID: requestID) { .kill(actor: $0, reason: reason) })
        try await releaseDependents(of: result.job)
        return result
    }

    /// Puts a failed, cancelled or killed job back to pending with a fresh
    /// set of attempts (owner or admin).
    public func retry(_ jobID: String, by actor: Actor, requestID: UUID = UUID()) throws(JobLedgerError) -> ActionResult {
        try execute(stopCommand(jobID, actor, reason: nil, requestID: requestID) { .retry(actor: $0) })
    }

    /// The async form of ``retry(_:by:requestID:)``.
    public func retry(_ jobID: String, by actor: Actor, requestID: UUID = UUID()) async throws(JobLedgerError) -> ActionResult {
        try await execute(stopCommand(jobID, actor, reason: nil, requestID: requestID) { .retry(actor: $0) })
    }

    /// Cancel, kill or retry by `actor` (its names brought to their stored
    /// form first): every answer is an outcome, never a refusal error.
    private func stopCommand(
        _ jobID: String, _ actor: Actor, reason: String?, requestID: UUID, _ command: (Actor) -> JobCommand
    ) throws(JobLedgerError) -> DecidedCommand<ActionResult> {
        let actor = try stopInput(jobID, actor)
        return try jobCommand(jobID, command(actor), actor: actor, reason: reason, requestID: requestID) { result in
            ActionResult(outcome: result.outcome, job: result.job)
        }
    }

    /// Checks the job id and brings the actor's names to their stored form.
    func stopInput(_ jobID: String, _ actor: Actor) throws(JobLedgerError) -> Actor {
        try checkJobID(jobID)
        return try actor.normalized()
    }
}
