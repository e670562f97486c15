import EventStore

extension JobLedger {
    /// Runs `command` to its answer on the caller's thread: appends block
    /// until durable and back-offs sleep the thread.
    func execute<Command: LedgerCommand>(_ command: Command) throws(JobLedgerError) -> Command.Answer {
        var run = try CommandRun(command, policy: options.conflictRetry, counters: commandCounters)
        defer { run.command.end() }
        var step = try run.command.next(.start)
        while true {
            switch step {
            case .done(let answer):
                return answer
            case .append(let appends):
                let stored: Result<AppendResult, EventStoreError>
                do { stored = .success(try store.append(appends)) } catch { stored = .failure(error) }
                step = try run.after(stored)
            case .backOff:
                ConflictWaits.block(for: try run.wait())
                step = try run.command.next(.resumed)
            }
        }
    }

    /// Runs `command` to its answer without ever blocking a thread of the
    /// cooperative pool: the wait for the group commit and the back-offs
    /// are suspensions.
    ///
    /// On a store whose reads wait on the network, each step (which reads
    /// what it decides on) runs on the ledger's own threads
    /// (``DecideThreads``) while the task is suspended.
    func execute<Command: LedgerCommand>(_ command: Command) async throws(JobLedgerError) -> Command.Answer {
        var run = try CommandRun(command, policy: options.conflictRetry, counters: commandCounters)
        defer { run.command.end() }
        let offPool = store.callsWaitOnNetwork
        func next(_ feedback: CommandFeedback) async throws(JobLedgerError) -> CommandStep<Command.Answer> {
            guard offPool else { return try run.command.next(feedback) }
            return try await DecideThreads.shared.run(&run) { (run) throws(JobLedgerError) in try run.command.next(feedback) }
        }
        func after(_ stored: Result<AppendResult, EventStoreError>) async throws(JobLedgerError) -> CommandStep<Command.Answer> {
            guard offPool else { return try run.after(stored) }
            return try await DecideThreads.shared.run(&run) { (run) throws(JobLedgerError) in try run.after(stored) }
        }
        var step = try await next(.start)
        while true {
            switch step {
            case .done(let answer):
                return answer
            case .append(let appends):
                let stored: Result<AppendResult, EventStoreError>
                do { stored = .success(try await store.append(appends)) } catch { stored = .failure(error) }
                step = try await after(stored)
            case .backOff:
                await ConflictWaits.suspend(for: try run.wait())
                step = try await next(.resumed)
            }
        }
    }
}

/// The part of running a command that both drivers share: what an append's
/// outcome means, and the retry policy's count of tries.
struct CommandRun<Command: LedgerCommand> {
    var command: Command
    private var waits: ConflictWaits
    private let counters: CommandCounters

    init(_ command: Command, policy: ConflictRetryPolicy, counters: CommandCounters) throws(JobLedgerError) {
        self.command = command
        waits = policy.waits()
        self.counters = counters
        if waits.allowsNoTry { throw .conflictRetriesExhausted(jobID: command.subject, attempts: policy.attempts) }
    }

    /// The command's next step after its append: a version conflict is the
    /// command's to handle (try another job, or back off); any other
    /// failure of the store ends the run.
    mutating func after(_ stored: Result<AppendResult, EventStoreError>) throws(JobLedgerError) -> CommandStep<Command.Answer> {
        switch stored {
        case .success(let result):
            return try command.next(.appended(result))
        case .failure(let error) where error.code == .wrongExpectedVersion:
            counters.conflicted()
            return try command.next(.conflicted)
        case .failure(let error):
            throw .store(error)
        }
    }

    /// The seconds to wait before the next try; when the policy's tries are
    /// used up, the run ends with `conflictRetriesExhausted`.
    mutating func wait() throws(JobLedgerError) -> Double {
        guard let delay = waits.next() else {
            throw .conflictRetriesExhausted(jobID: command.subject, attempts: waits.policy.attempts)
        }
        counters.backedOff()
        return delay
    }
}
