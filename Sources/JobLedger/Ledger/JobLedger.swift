import EventStore
import Foundation

/// The job ledger: the whole life of every job as events, with current
/// state kept by ``JobProjection``.
///
/// Every command reads the job's state, decides with ``JobDecider`` (a pure
/// function, no lock held), and appends the resulting events with the
/// stream version it read, together with an audit entry, in one atomic
/// append. When another command changed the job in between, the append is
/// refused with a version conflict and the command reads, decides and
/// appends again, after a short jittered wait, a bounded number of times
/// (``ConflictRetryPolicy``). Each command is written once, as a
/// `LedgerCommand`, and has a synchronous and an asynchronous form, thin
/// drivers of the same steps (`JobLedger+Engine.swift`).
public final class JobLedger: Sendable {
    /// The event store underneath, through the storage contract.
    public let store: any EventStorage
    /// The embedded LMDB store, when the ledger runs on one: for what only
    /// it has (pages, map size, reader slots).
    public var embeddedStore: EventStore? { store as? EventStore }
    /// The options the ledger was opened with.
    public let options: JobLedgerOptions
    /// Jobs this process is appending a claim for right now.
    let claimsInFlight = ClaimsInFlight()
    /// The bearer tokens, caught up from the `tokens` stream when it moves.
    let tokenCache = TokenCache()
    /// The recurring schedules, caught up from the `schedules` stream when it moves.
    let scheduleCache = ScheduleCache()
    /// Conflicts and back-offs of this ledger's commands.
    package let commandCounters = CommandCounters()

    /// Opens (creating when needed) the ledger at `path`.
    public convenience init(path: String, options: JobLedgerOptions = JobLedgerOptions()) throws(JobLedgerError) {
        try self.init(options: options) { (storeOptions) throws(EventStoreError) in
            try EventStore.open(at: path, options: storeOptions)
        }
    }

    /// Opens the ledger's store with `openStore`, which is given the store
    /// options the ledger needs (``JobLedgerOptions/storeOptionsWithJobProjection``),
    /// and runs the ledger on it: a store that cannot open is a ledger that
    /// cannot open (``JobLedgerError/store(_:)``). For a backend other than
    /// LMDB, such as `PostgresEventStore.open(url:options:)`.
    public convenience init(
        options: JobLedgerOptions = JobLedgerOptions(),
        openStore: (EventStoreOptions) throws(EventStoreError) -> any EventStorage
    ) throws(JobLedgerError) {
        let store: any EventStorage
        do {
            store = try openStore(options.storeOptionsWithJobProjection)
        } catch {
            throw .store(error)
        }
        try self.init(store: store, options: options)
    }

    /// Runs the ledger on a store opened by the caller, which must keep a
    /// ``JobProjection`` (see ``JobLedgerOptions/store``).
    public init(store: any EventStorage, options: JobLedgerOptions = JobLedgerOptions()) throws(JobLedgerError) {
        guard store.options.projections.contains(where: { $0 is JobProjection }) else {
            throw .invalidInput(field: "store", reason: "the store does not keep the job projection")
        }
        self.store = store
        self.options = options
    }

    // MARK: Reading state

    /// The current state of a job, or `nil` when it was never submitted.
    /// An id that breaks the rule for ids (``NameRule/id(_:field:)``) is an
    /// invalid-input error, unless the ledger holds a job under it.
    public func job(_ id: String) throws(JobLedgerError) -> Job? {
        try checkJobID(id)
        return try revealed(storedJob(id))
    }

    /// Checks an id that a command or query names: it must follow the rule
    /// for ids (``NameRule/id(_:field:)``), or be the id of a job the ledger
    /// already holds. A job stored before ids were checked at every edge
    /// (by an import, say) stays reachable, while no new stream can be named
    /// with an id the rule refuses, not even the audit stream of a refusal.
    func checkJobID(_ id: String) throws(JobLedgerError) {
        do {
            try JobInput.validateID(id)
        } catch {
            guard try storedJob(id) != nil else { throw error }
        }
    }

    /// The job stored under `id`, without checking the id: for ids the
    /// ledger read from itself (the queue, the lease index, a batch) or that
    /// were checked already.
    func storedJob(_ id: String) throws(JobLedgerError) -> Job? {
        // No job has an empty or over-long id, and LMDB refuses such a key.
        guard !id.isEmpty, id.utf8.count <= NameRule.maxIDBytes else { return nil }
        do {
            return try store.readProjections { tables in
                try tables.get(JobTables.jobs, Array(id.utf8)).map(JobRecord.decode)
            }
        } catch {
            throw Self.wrap(error, jobID: id)
        }
    }

    /// A failure of a read as a ledger error: a store failure as itself, and
    /// any other (a stored job record or job event that does not decode) as
    /// unreadable data, of job `jobID` when the read was for one job.
    static func wrap(_ error: any Error, jobID: String? = nil) -> JobLedgerError {
        if let error = error as? JobLedgerError { return error }
        if let error = error as? EventStoreError { return .store(error) }
        return .unreadableData(jobID: jobID, reason: String(describing: error))
    }

    // MARK: Running commands

    /// The command `command` on job `jobID`, for `execute(_:)`: reads the job,
    /// decides, appends the decided events and the audit entry with the
    /// version read; `answer` turns the result into the caller's answer.
    func jobCommand<Answer>(
        _ jobID: String, _ command: JobCommand, actor: Actor, reason: String? = nil, requestID: UUID = UUID(),
        auditRefusal: Bool = true, answer: @escaping (CommandResult) throws(JobLedgerError) -> Answer
    ) throws(JobLedgerError) -> DecidedCommand<Answer> {
        // A malformed id is bad input, refused before anything is audited,
        // unless a job is stored under it (an empty one is not even a key
        // LMDB can look up).
        try checkJobID(jobID)
        return DecidedCommand(subject: jobID) { () throws(JobLedgerError) in
            let plan = try self.makePlan(
                jobID, command, actor: actor, reason: reason, requestID: requestID, auditRefusal: auditRefusal)
            return Decision(append: plan.append) { result throws(JobLedgerError) in try answer(try self.finish(plan, result)) }
        }
    }

    func makePlan(
        _ jobID: String, _ command: JobCommand, actor: Actor, reason: String?, requestID: UUID, auditRefusal: Bool
    ) throws(JobLedgerError) -> CommandPlan {
        let before = try storedJob(jobID)
        let now = options.clock()
        let decision = JobDecider.decide(before, command, now: now, policy: options.retryPolicy)
        do {
            return try CommandPlan(
                jobID: jobID, before: before, decision: decision, command: command, actor: actor, reason: reason,
                requestID: requestID, now: now, auditRefusal: auditRefusal)
        } catch {
            throw Self.wrap(error)
        }
    }

    /// The command's answer, the job's personal fields revealed.
    func finish(_ plan: CommandPlan, _ result: AppendResult?) throws(JobLedgerError) -> CommandResult {
        let refusal: JobRefusal? = if case .refused(let refusal) = plan.decision { refusal } else { nil }
        return CommandResult(job: try revealed(plan.job(after: result)), outcome: plan.outcome, refusal: refusal)
    }
}

/// The jobs this process is claiming at this moment.
///
/// A hint, not a lock: claimers of one process skip a job another of its
/// threads is already appending a claim for, instead of queueing an append
/// that is bound to lose. Correctness still rests on the expected version,
/// which also settles races with other processes.
final class ClaimsInFlight: Sendable {
    private let ids = PlainLock<Set<String>>([])

    /// Marks `id` as being claimed; false when another thread already is.
    func reserve(_ id: String) -> Bool { ids.withLock { $0.insert(id).inserted } }

    /// Clears the mark once the claim's append has returned.
    func release(_ id: String) { _ = ids.withLock { $0.remove(id) } }

    /// How many claims are being appended right now.
    var count: Int { ids.withLock { $0.count } }
}
