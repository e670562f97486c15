import EventStore

/// One decision of a command: what to append, and how to answer once it
/// is stored (`nil` when there was nothing to append).
struct Decision<Answer> {
    /// The streams to append, each with the version the decision read.
    let append: [StreamAppend]
    /// The caller's answer, from the append's result.
    let answer: (AppendResult?) throws(JobLedgerError) -> Answer
}

/// The shape of every command but the claim: read, decide, append with the
/// versions read; when a concurrent change wins, back off and do it all again.
struct DecidedCommand<Answer>: LedgerCommand {
    let subject: String
    /// Reads the state and decides; called again after every lost race.
    private let decide: () throws(JobLedgerError) -> Decision<Answer>
    private var decision: Decision<Answer>?

    init(subject: String, decide: @escaping () throws(JobLedgerError) -> Decision<Answer>) {
        self.subject = subject
        self.decide = decide
    }

    /// One reading and decision, for a command that builds on this one.
    func decideOnce() throws(JobLedgerError) -> Decision<Answer> { try decide() }

    mutating func next(_ feedback: CommandFeedback) throws(JobLedgerError) -> CommandStep<Answer> {
        switch feedback {
        case .appended(let result):
            if let decision { return .done(try decision.answer(result)) }
            return try decideAgain()
        case .conflicted:
            return .backOff
        case .start, .resumed:
            return try decideAgain()
        }
    }

    private mutating func decideAgain() throws(JobLedgerError) -> CommandStep<Answer> {
        let decision = try decide()
        if decision.append.isEmpty { return .done(try decision.answer(nil)) }
        self.decision = decision
        return .append(decision.append)
    }
}
