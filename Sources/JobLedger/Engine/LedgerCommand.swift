import EventStore

/// What a command asks its driver to do next.
///
/// A command never appends, sleeps or waits itself: it reads the state it
/// needs (no lock held), decides, and answers with one of these. The
/// synchronous and the asynchronous driver carry the step out the same way,
/// one blocking the caller's thread, the other suspending the task, and
/// report back with a ``CommandFeedback``.
enum CommandStep<Answer> {
    /// Append these streams, each with its expected version, in one atomic
    /// append; the driver reports `.appended` or `.conflicted`.
    case append([StreamAppend])
    /// A concurrent change won: wait as the retry policy says, then
    /// report `.resumed` for the command to read and decide again.
    case backOff
    /// Finished, with this answer for the caller.
    case done(Answer)
}

/// What happened since a command's last step.
enum CommandFeedback {
    /// The command has not run yet.
    case start
    /// The append was stored, with these positions and versions.
    case appended(AppendResult)
    /// The append was refused because a stream it expected moved on.
    case conflicted
    /// The back-off is over.
    case resumed
}

/// One command of the ledger, written once as a state machine over
/// ``CommandStep``s and run by `JobLedger.execute(_:)` or its async form.
protocol LedgerCommand {
    /// What the caller gets back.
    associatedtype Answer

    /// What the command is about, named by
    /// ``JobLedgerError/conflictRetriesExhausted(jobID:attempts:)``.
    var subject: String { get }

    /// The next step, given what happened since the last one.
    mutating func next(_ feedback: CommandFeedback) throws(JobLedgerError) -> CommandStep<Answer>

    /// Called once when the run ends, whether it answered or threw: frees
    /// whatever the command holds across steps.
    mutating func end()
}

extension LedgerCommand {
    mutating func end() {}
}
