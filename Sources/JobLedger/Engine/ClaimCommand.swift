import EventStore
import Foundation

/// The claim, as a ``LedgerCommand``: read the first few claimable jobs,
/// try to claim one after the other, and back off only when every one of
/// them was lost to another claimer.
///
/// Among competing workers every job is claimed exactly once: each try
/// appends with the version of the job it decided on, so of two claims of
/// one job only the first is stored.
struct ClaimCommand: LedgerCommand {
    let ledger: JobLedger
    let worker: String
    let types: Set<String>?
    let lease: TimeInterval
    var subject: String { "(claim by \(worker))" }

    /// Reads of the queue so far, the first being round 0.
    private var round = 0
    private var now = Date()
    private var candidates: [String] = []
    /// The candidates' indexes in the order they are tried, and how many were tried.
    private var order: [Int] = []
    private var tried = 0
    /// The job this command marked as being claimed, until its append returns.
    private var reserved: String?
    private var plan: CommandPlan?

    init(ledger: JobLedger, worker: String, types: Set<String>?, lease: TimeInterval) {
        self.ledger = ledger
        self.worker = worker
        self.types = types
        self.lease = lease
    }

    mutating func next(_ feedback: CommandFeedback) throws(JobLedgerError) -> CommandStep<Job?> {
        switch feedback {
        case .start:
            return try readQueue()
        case .resumed:
            round += 1
            return try readQueue()
        case .appended(let result):
            release()
            return .done(plan?.job(after: result))
        case .conflicted:
            release()
            // The next candidate is decided, and stamped, at this moment,
            // not at the queue's read: conflicts may have taken a while.
            now = ledger.options.clock()
            return try tryNextCandidate()
        }
    }

    mutating func end() { release() }

    private mutating func readQueue() throws(JobLedgerError) -> CommandStep<Job?> {
        now = ledger.options.clock()
        candidates = try ledger.claimCandidates(types: types, now: now, limit: ledger.claimWindow)
        if candidates.isEmpty { return .done(nil) }
        order = JobLedger.claimOrder(candidates.count, round: round)
        tried = 0
        return try tryNextCandidate()
    }

    private mutating func tryNextCandidate() throws(JobLedgerError) -> CommandStep<Job?> {
        while tried < order.count {
            let candidate = candidates[order[tried]]
            tried += 1
            guard ledger.claimsInFlight.reserve(candidate) else { continue }
            reserved = candidate
            // Decide on the job as it is now: the candidate list may predate
            // a claim another thread of this process just committed.
            guard let current = try ledger.storedJob(candidate),
                  let plan = try ledger.claimPlan(current, worker: worker, lease: lease, now: now) else {
                release()
                continue
            }
            self.plan = plan
            return .append(plan.append)
        }
        return .backOff
    }

    private mutating func release() {
        if let reserved { ledger.claimsInFlight.release(reserved) }
        reserved = nil
    }
}
