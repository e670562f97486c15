import Foundation
import JobLedger
import JobLedgerTestSupport

/// Random job commands against one ledger, one at a time, each answered by
/// a ``CrashLoopAck`` once it returned.
///
/// The commands work on a window of `window` jobs, `j<base>` onwards, which
/// moves on as its first job finishes; so every process, including one
/// started on the ledger a killed process left behind, works on about the
/// same jobs, and the loop keeps finding work however long it runs.
struct RandomJobs {
    let ledger: JobLedger
    let window: Int
    var random: SplitMix64
    /// The first job of the window.
    var base = 0
    /// Attempts this process claimed and has not settled.
    var held: [Lease] = []
    /// Jobs of the window this process saw exist.
    var existing: Set<Int> = []

    struct Lease: Equatable {
        let job: String
        let worker: String
        let attempt: Int
    }

    enum WorkerAction: CaseIterable {
        case renew, complete, fail, acknowledge

        var name: String {
            switch self {
            case .renew: return "renewLease"
            case .complete: return "complete"
            case .fail: return "fail"
            case .acknowledge: return "acknowledgeCancel"
            }
        }
    }

    /// Opens the ledger with durable commits: an acknowledged command is on disk.
    init(path: String, seed: UInt64, window: Int) throws {
        var options = JobLedgerOptions()
        options.store.durability = .durable
        options.retryPolicy = CrashLoopJobs.retryPolicy
        ledger = try JobLedger(path: path, options: options)
        self.window = max(1, window)
        random = SplitMix64(seed: seed)
    }

    /// Runs one random command and tells what came of it.
    mutating func step() throws(JobLedgerError) -> CrashLoopAck {
        while let first = try ledger.job(CrashLoopJobs.id(base)), first.state.isTerminal {
            existing.remove(base)
            base += 1
        }
        switch Int.random(in: 0..<100, using: &random) {
        case 0..<18: return try submit()
        case 18..<30: return try claim()
        case 30..<40: return try withHeld(.renew)
        case 40..<52: return try withHeld(.complete)
        case 52..<60: return try withHeld(.fail)
        case 60..<65: return try withHeld(.acknowledge)
        case 65..<69: return try staleWorkerCommand()
        case 69..<78: return try stop(.cancel)
        case 78..<83: return try stop(.kill)
        case 83..<90: return try stop(.retry)
        case 90..<93: return try killBatch()
        default: return try expireLeases()
        }
    }

    // MARK: Commands

    private mutating func submit() throws(JobLedgerError) -> CrashLoopAck {
        let request = UUID()
        // Now and then a stranger resubmits a job that surely exists.
        if base > 0 && Int.random(in: 0..<6, using: &random) == 0 {
            let number = Int.random(in: 0..<base, using: &random)
            let stranger = CrashLoopJobs.owners.filter { $0 != CrashLoopJobs.owner(number) }.randomElement(using: &random)!
            return try Self.answer("submit", stranger.id, request, job: CrashLoopJobs.id(number)) { () throws(JobLedgerError) in
                let result = try ledger.submit(CrashLoopJobs.submission(number), by: stranger, requestID: request)
                return (result.created ? .created : .existing, result.job)
            }
        }
        // Mostly a job not known to exist yet.
        let fresh = (base..<base + window).filter { !existing.contains($0) }
        let number = fresh.isEmpty || Int.random(in: 0..<4, using: &random) == 0
            ? base + Int.random(in: 0..<window, using: &random) : fresh.randomElement(using: &random)!
        let owner = CrashLoopJobs.owner(number)
        let result = try ledger.submit(CrashLoopJobs.submission(number), by: owner, requestID: request)
        existing.insert(number)
        return CrashLoopAck(
            action: "submit", actor: owner.id, request: request,
            results: [.init(job: CrashLoopJobs.id(number), outcome: result.created ? .created : .existing, after: result.job)])
    }

    private mutating func claim() throws(JobLedgerError) -> CrashLoopAck {
        let worker = CrashLoopJobs.workers.randomElement(using: &random)!
        let types: Set<String>? = switch Int.random(in: 0..<4, using: &random) {
        case 0: ["t0"]
        case 1: ["t1"]
        default: nil
        }
        guard let job = try ledger.claim(worker: worker, types: types, lease: leaseSeconds()) else {
            return CrashLoopAck(action: "claim", actor: worker, request: nil, results: [])
        }
        held.append(Lease(job: job.id, worker: worker, attempt: job.attempt))
        return CrashLoopAck(action: "claim", actor: worker, request: nil, results: [.init(job: job.id, outcome: .claimed, after: job)])
    }

    private mutating func withHeld(_ action: WorkerAction) throws(JobLedgerError) -> CrashLoopAck {
        guard !held.isEmpty else { return try claim() }
        let index = Int.random(in: 0..<held.count, using: &random)
        let lease = held[index]
        let ack = try workerCommand(action, lease)
        // Renewed leases stay held; settled or lost ones do not.
        if ack.results.first?.outcome != .renewed { held.remove(at: index) }
        return ack
    }

    /// A worker command for an attempt nobody may hold any more, or under
    /// another worker's name: mostly refused.
    private mutating func staleWorkerCommand() throws(JobLedgerError) -> CrashLoopAck {
        let lease = Lease(
            job: CrashLoopJobs.id(someJob()),
            worker: CrashLoopJobs.workers.randomElement(using: &random)!, attempt: Int.random(in: 1...3, using: &random))
        let ack = try workerCommand(WorkerAction.allCases.randomElement(using: &random)!, lease)
        if ack.results.first?.outcome == .renewed, !held.contains(lease) { held.append(lease) }
        return ack
    }

    private mutating func workerCommand(_ action: WorkerAction, _ lease: Lease) throws(JobLedgerError) -> CrashLoopAck {
        let (id, worker, attempt) = (lease.job, lease.worker, lease.attempt)
        let retryable = Int.random(in: 0..<4, using: &random) > 0
        let seconds = leaseSeconds()
        return try Self.answer(action.name, worker, nil, job: id) { () throws(JobLedgerError) in
            switch action {
            case .renew:
                return (.renewed, try ledger.renewLease(id, worker: worker, attempt: attempt, lease: seconds).job)
            case .complete:
                return (.completed, try ledger.complete(id, worker: worker, attempt: attempt, result: #"{"ok":true}"#))
            case .fail:
                let job = try ledger.fail(id, worker: worker, attempt: attempt, error: "boom", retryable: retryable)
                let outcome: JobOutcome = switch job.state {
                case .pending: .retryScheduled
                case .cancelled: .cancelled
                default: .failed
                }
                return (outcome, job)
            case .acknowledge:
                return (.cancelled, try ledger.acknowledgeCancel(id, worker: worker, attempt: attempt))
            }
        }
    }

    private mutating func stop(_ kind: StopKind) throws(JobLedgerError) -> CrashLoopAck {
        // Often a job this process runs, so that cancels meet live workers.
        let id = kind != .retry && !held.isEmpty && Bool.random(using: &random)
            ? held.randomElement(using: &random)!.job
            : CrashLoopJobs.id(someJob())
        // Half the time someone who may do it; otherwise anyone at all.
        let stewards = CrashLoopJobs.number(id).map(CrashLoopJobs.stewards) ?? []
        let actor = (Bool.random(using: &random) ? stewards : CrashLoopJobs.requesters).randomElement(using: &random)!
        let request = UUID()
        let result = switch kind {
        case .cancel: try ledger.cancel(id, by: actor, reason: "cancel by \(actor.id)", requestID: request)
        case .kill: try ledger.kill(id, by: actor, reason: "kill by \(actor.id)", requestID: request)
        case .retry: try ledger.retry(id, by: actor, requestID: request)
        }
        return CrashLoopAck(
            action: kind.rawValue, actor: actor.id, request: request,
            results: [.init(job: id, outcome: result.outcome, after: result.job)])
    }

    private mutating func killBatch() throws(JobLedgerError) -> CrashLoopAck {
        let number = someJob()
        let batch = CrashLoopJobs.batch(number) ?? "none"
        let actor = CrashLoopJobs.requesters.randomElement(using: &random)!
        let request = UUID()
        let results = try ledger.killBatch(batch, by: actor, reason: "batch kill by \(actor.id)", requestID: request)
        return CrashLoopAck(
            action: "kill", actor: actor.id, request: request,
            results: results.map { .init(job: $0.jobID, outcome: $0.outcome) })
    }

    private mutating func expireLeases() throws(JobLedgerError) -> CrashLoopAck {
        let expired = try ledger.expireLeases()
        return CrashLoopAck(
            action: "expireLease", actor: Actor.system.id, request: nil,
            results: expired.map { .init(job: $0, outcome: .expired) })
    }

    // MARK: Helpers

    /// Runs a command on one job and turns its answer, or the refusal it
    /// threw, into an acknowledgement; any other error is thrown on.
    private static func answer(
        _ action: String, _ actor: String, _ request: UUID?, job id: String,
        _ command: () throws(JobLedgerError) -> (JobOutcome, Job)
    ) throws(JobLedgerError) -> CrashLoopAck {
        let result: CrashLoopAck.Result
        do {
            let (outcome, job) = try command()
            result = .init(job: id, outcome: outcome, after: job)
        } catch {
            result = .init(job: id, outcome: try Self.refusal(error))
        }
        return CrashLoopAck(action: action, actor: actor, request: request, results: [result])
    }

    /// The audited outcome of a refused command.
    private static func refusal(_ error: JobLedgerError) throws(JobLedgerError) -> JobOutcome {
        switch error.code {
        case .notFound: return .notFound
        case .forbidden: return .forbidden
        case .invalidTransition: return .notAllowed
        case .notLeaseHolder: return .notLeaseHolder
        case .conflictingSubmission: return .conflictingSubmission
        default: throw error
        }
    }

    /// A job of the window, mostly one known to exist.
    private mutating func someJob() -> Int {
        if let number = existing.randomElement(using: &random), Int.random(in: 0..<5, using: &random) > 0 { return number }
        return base + Int.random(in: 0..<window, using: &random)
    }

    /// Leases of 50 to 500 ms, so that some run out while the loop runs.
    private mutating func leaseSeconds() -> TimeInterval {
        Double(Int.random(in: 50...500, using: &random)) / 1000
    }
}
