import EventStore
import JobLedger
import Testing

/// The sentences of ledger errors, which the command line prints and its
/// tests compare: each kind of error keeps its wording as the error type
/// changes shape.
@Suite struct JobLedgerErrorTextTests {
    static let examples: [(JobLedgerError, String)] = [
        (.notFound(jobID: "j1"), "job 'j1' not found"),
        (.forbidden(jobID: "j1", actor: "bob", action: "cancel", reason: "not the owner"),
         "bob may not cancel job 'j1': not the owner"),
        (.invalidTransition(jobID: "j1", state: .completed, action: "cancel"), "cannot cancel job 'j1' in state completed"),
        (.notLeaseHolder(jobID: "j1", worker: "w2", attempt: 1, holder: "w1", currentAttempt: 2),
         "worker 'w2' does not hold attempt 1 of job 'j1' (attempt 2 is held by w1)"),
        (.notLeaseHolder(jobID: "j1", worker: "w2", attempt: 1, holder: nil, currentAttempt: 1),
         "worker 'w2' does not hold attempt 1 of job 'j1' (attempt 1 is held by nobody)"),
        (.conflictingSubmission(jobID: "j1", reason: "another type"), "job 'j1' was submitted differently: another type"),
        (.invalidInput(field: "owner", reason: "is empty"), "invalid owner: is empty"),
        (.conflictRetriesExhausted(jobID: "j1", attempts: 4), "job 'j1': gave up after 4 conflicting attempts"),
        (.unreadableData(jobID: "j1", reason: "unknown job record format"), "could not read job 'j1': unknown job record format"),
        (.unreadableData(jobID: nil, reason: "unknown job record format"),
         "could not read the ledger's job data: unknown job record format"),
        (.store(.closed), "the event store is closed"),
        (.store(.wrongExpectedVersion(stream: "job-j1", expected: .exact(1), actual: 2)),
         "stream 'job-j1': expected version exact(1), actual version 2"),
    ]

    @Test func everyKindOfLedgerErrorKeepsItsSentence() {
        for (error, text) in Self.examples {
            #expect(error.description == text)
        }
    }
}
