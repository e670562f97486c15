import JobLedger

extension JobSubmission {
    /// What the `JobSubmitted` event of this submission by `owner` must say
    /// (the submission must name its job id).
    package func submitted(by owner: Actor) -> JobEvent.Submitted {
        JobEvent.Submitted(
            id: id ?? "", type: type, owner: owner.id, organisation: owner.organisation, batch: batch,
            payload: payload, priority: priority, maxAttempts: maxAttempts)
    }
}
