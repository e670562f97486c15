import EventStore
import Foundation

/// What `submit` answers.
public struct SubmitResult: Sendable, Hashable {
    /// False when a job with this id already existed; `job` is that job.
    public let created: Bool
    /// The job as it is now.
    public let job: Job
}

/// What `renewLease` answers.
public struct RenewResult: Sendable, Hashable {
    /// The job with its extended lease.
    public let job: Job
    /// True when someone asked to cancel the job: stop and acknowledge.
    public let cancelRequested: Bool
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
        let (id, owner, command) = try submitCommand(submission, actor: actor)
        return try submitResult(id, run(id, command, actor: owner, requestID: requestID))
    }

    /// The async form of ``submit(_:by:requestID:)``.
    public func submit(_ submission: JobSubmission, by actor: Actor, requestID: UUID = UUID()) async throws(JobLedgerError) -> SubmitResult {
        let (id, owner, command) = try submitCommand(submission, actor: actor)
        return try submitResult(id, await run(id, command, actor: owner, requestID: requestID))
    }

    /// The checked id, the owner and the submit command, every name in its
    /// stored form (``NameRule``).
    private func submitCommand(_ submission: JobSubmission, actor: Actor) throws(JobLedgerError) -> (String, Actor, JobCommand) {
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
        return (id, owner, .submit(.init(
            id: id, type: type, owner: owner.id, organisation: owner.organisation,
            batch: submission.batch, payload: submission.payload, priority: submission.priority,
            maxAttempts: submission.maxAttempts)))
    }

    private func submitResult(_ id: String, _ result: CommandResult) throws(JobLedgerError) -> SubmitResult {
        if let refusal = result.refusal { throw JobLedgerError(refusal, jobID: id, actor: "", action: "submit") }
        guard let job = result.job else { throw .notFound(jobID: id) }
        return SubmitResult(created: result.outcome == .created, job: job)
    }

    // MARK: Worker commands

    /// Extends the lease of `attempt`; tells the worker whether a cancel was requested.
    public func renewLease(_ jobID: String, worker: String, attempt: Int, lease: TimeInterval) throws(JobLedgerError) -> RenewResult {
        let worker = try workerInput(jobID, worker)
        try JobInput.validateLease(lease)
        let result = try run(jobID, .renewLease(worker: worker, attempt: attempt, lease: lease), actor: .worker(worker))
        let job = try workerResult(jobID, "renew the lease of", worker, attempt, result)
        return RenewResult(job: job, cancelRequested: job.state == .cancelRequested)
    }

    /// The async form of ``renewLease(_:worker:attempt:lease:)``.
    public func renewLease(_ jobID: String, worker: String, attempt: Int, lease: TimeInterval) async throws(JobLedgerError) -> RenewResult {
        let worker = try workerInput(jobID, worker)
        try JobInput.validateLease(lease)
        let result = try await run(jobID, .renewLease(worker: worker, attempt: attempt, lease: lease), actor: .worker(worker))
        let job = try workerResult(jobID, "renew the lease of", worker, attempt, result)
        return RenewResult(job: job, cancelRequested: job.state == .cancelRequested)
    }

    /// Completes `attempt` with an optional JSON result. Completing a job
    /// whose cancel was requested completes it: the work was done.
    public func complete(_ jobID: String, worker: String, attempt: Int, result: String? = nil) throws(JobLedgerError) -> Job {
        let worker = try workerInput(jobID, worker)
        if let result { try JobInput.validateJSON(result, field: "result") }
        return try workerResult(jobID, "complete", worker, attempt,
            run(jobID, .complete(worker: worker, attempt: attempt, result: result), actor: .worker(worker)))
    }

    /// The async form of ``complete(_:worker:attempt:result:)``.
    public func complete(_ jobID: String, worker: String, attempt: Int, result: String? = nil) async throws(JobLedgerError) -> Job {
        let worker = try workerInput(jobID, worker)
        if let result { try JobInput.validateJSON(result, field: "result") }
        return try workerResult(jobID, "complete", worker, attempt,
            await run(jobID, .complete(worker: worker, attempt: attempt, result: result), actor: .worker(worker)))
    }

    /// Fails `attempt`. A retryable failure with attempts left goes back to
    /// pending after an exponential backoff; otherwise the job fails.
    public func fail(_ jobID: String, worker: String, attempt: Int, error: String, retryable: Bool) throws(JobLedgerError) -> Job {
        let worker = try workerInput(jobID, worker)
        return try workerResult(jobID, "fail", worker, attempt,
            run(jobID, .fail(worker: worker, attempt: attempt, error: error, retryable: retryable), actor: .worker(worker)))
    }

    /// The async form of ``fail(_:worker:attempt:error:retryable:)``.
    public func fail(_ jobID: String, worker: String, attempt: Int, error: String, retryable: Bool) async throws(JobLedgerError) -> Job {
        let worker = try workerInput(jobID, worker)
        return try workerResult(jobID, "fail", worker, attempt,
            await run(jobID, .fail(worker: worker, attempt: attempt, error: error, retryable: retryable), actor: .worker(worker)))
    }

    /// The worker confirms it stopped after a cancel request: the job is cancelled.
    public func acknowledgeCancel(_ jobID: String, worker: String, attempt: Int) throws(JobLedgerError) -> Job {
        let worker = try workerInput(jobID, worker)
        return try workerResult(jobID, "acknowledge the cancellation of", worker, attempt,
            run(jobID, .acknowledgeCancel(worker: worker, attempt: attempt), actor: .worker(worker)))
    }

    /// The async form of ``acknowledgeCancel(_:worker:attempt:)``.
    public func acknowledgeCancel(_ jobID: String, worker: String, attempt: Int) async throws(JobLedgerError) -> Job {
        let worker = try workerInput(jobID, worker)
        return try workerResult(jobID, "acknowledge the cancellation of", worker, attempt,
            await run(jobID, .acknowledgeCancel(worker: worker, attempt: attempt), actor: .worker(worker)))
    }

    /// Checks the job id and brings the worker's name to its stored form.
    private func workerInput(_ jobID: String, _ worker: String) throws(JobLedgerError) -> String {
        try checkJobID(jobID)
        return try NameRule.name(worker, field: "worker")
    }

    private func workerResult(
        _ jobID: String, _ action: String, _ worker: String, _ attempt: Int, _ result: CommandResult
    ) throws(JobLedgerError) -> Job {
        if let refusal = result.refusal {
            throw JobLedgerError(refusal, jobID: jobID, actor: worker, action: action, worker: worker, attempt: attempt)
        }
        guard let job = result.job else { throw .notFound(jobID: jobID) }
        return job
    }

    // MARK: Stopping and retrying

    /// Cancels a job for its owner or an admin of its organisation: a pending
    /// job is cancelled at once, a running one moves to cancel requested.
    /// Every answer is an outcome, audited, never a bare error; only input
    /// that breaks the rule for ids and names (``NameRule``) is an
    /// invalid-input error, with nothing written.
    public func cancel(_ jobID: String, by actor: Actor, reason: String, requestID: UUID = UUID()) throws(JobLedgerError) -> ActionResult {
        let actor = try stopInput(jobID, actor)
        return try actionResult(run(jobID, .cancel(actor: actor, reason: reason), actor: actor, reason: reason, requestID: requestID))
    }

    /// The async form of ``cancel(_:by:reason:requestID:)``.
    public func cancel(_ jobID: String, by actor: Actor, reason: String, requestID: UUID = UUID()) async throws(JobLedgerError) -> ActionResult {
        let actor = try stopInput(jobID, actor)
        return try actionResult(await run(jobID, .cancel(actor: actor, reason: reason), actor: actor, reason: reason, requestID: requestID))
    }

    /// Kills a non-terminal job (admins of its organisation only).
    public func kill(_ jobID: String, by actor: Actor, reason: String, requestID: UUID = UUID()) throws(JobLedgerError) -> ActionResult {
        let actor = try stopInput(jobID, actor)
        return try actionResult(run(jobID, .kill(actor: actor, reason: reason), actor: actor, reason: reason, requestID: requestID))
    }

    /// The async form of ``kill(_:by:reason:requestID:)``.
    public func kill(_ jobID: String, by actor: Actor, reason: String, requestID: UUID = UUID()) async throws(JobLedgerError) -> ActionResult {
        let actor = try stopInput(jobID, actor)
        return try actionResult(await run(jobID, .kill(actor: actor, reason: reason), actor: actor, reason: reason, requestID: requestID))
    }

    /// Puts a failed, cancelled or killed job back to pending with a fresh
    /// set of attempts (owner or admin).
    public func retry(_ jobID: String, by actor: Actor, requestID: UUID = UUID()) throws(JobLedgerError) -> ActionResult {
        let actor = try stopInput(jobID, actor)
        return try actionResult(run(jobID, .retry(actor: actor), actor: actor, requestID: requestID))
    }

    /// The async form of ``retry(_:by:requestID:)``.
    public func retry(_ jobID: String, by actor: Actor, requestID: UUID = UUID()) async throws(JobLedgerError) -> ActionResult {
        let actor = try stopInput(jobID, actor)
        return try actionResult(await run(jobID, .retry(actor: actor), actor: actor, requestID: requestID))
    }

    /// Checks the job id and brings the actor's names to their stored form.
    func stopInput(_ jobID: String, _ actor: Actor) throws(JobLedgerError) -> Actor {
        try checkJobID(jobID)
        return try actor.normalized()
    }

    private func actionResult(_ result: CommandResult) -> ActionResult {
        ActionResult(outcome: result.outcome, job: result.job)
    }
}
