import EventStore
import Foundation

/// What happened to one job of a batch kill.
public struct BatchKillResult: Sendable, Hashable, Codable {
    /// The job.
    public let jobID: String
    /// `killed`, an `already_*` outcome for jobs that had finished, or `forbidden`.
    public let outcome: JobOutcome
}

extension JobLedger {
    // MARK: Claiming

    /// Claims the next available pending job (highest priority, then
    /// submission order, retry times respected) of one of `types` (all types
    /// when `nil`), with a lease of `lease` seconds. `nil` when none is available.
    ///
    /// Among competing workers every job is claimed exactly once: a worker
    /// that loses the race for a job moves on to the next candidate.
    public func claim(worker: String, types: Set<String>? = nil, lease: TimeInterval) throws(JobLedgerError) -> Job? {
        try execute(claimCommand(worker: worker, types: types, lease: lease))
    }

    /// The async form of ``claim(worker:types:lease:)``.
    public func claim(worker: String, types: Set<String>? = nil, lease: TimeInterval) async throws(JobLedgerError) -> Job? {
        try await execute(claimCommand(worker: worker, types: types, lease: lease))
    }

    private func claimCommand(worker: String, types: Set<String>?, lease: TimeInterval) throws(JobLedgerError) -> ClaimCommand {
        let worker = try NameRule.name(worker, field: "worker")
        let types = try Self.claimTypes(types)
        try JobInput.validateLease(lease)
        return ClaimCommand(ledger: self, worker: worker, types: types, lease: lease)
    }

    /// The types a claim asks for, each in its stored form (``NameRule``).
    static func claimTypes(_ types: Set<String>?) throws(JobLedgerError) -> Set<String>? {
        guard let types else { return nil }
        var stored = Set<String>()
        for type in types { stored.insert(try NameRule.name(type, field: "type")) }
        return stored
    }

    /// True when a claim for `types` (all types when `nil`) could find a job
    /// now: one short read of the queue index, for waiting claimers to
    /// decide whether to look again.
    public func hasClaimableJob(types: Set<String>? = nil) throws(JobLedgerError) -> Bool {
        try !claimCandidates(types: types, now: options.clock(), limit: 1).isEmpty
    }

    /// How many candidates a claim reads: enough to get past the jobs that
    /// other claims of this process are appending right now.
    var claimWindow: Int { 16 + claimsInFlight.count }

    /// The order in which to try the candidates: the first claimable job
    /// first, then the others in random order, so that workers that lost the
    /// race for the first job spread out instead of all losing the race for
    /// the second. After a re-read every position is random. A lone worker
    /// therefore claims in strict priority and submission order; competing
    /// workers take the earliest few jobs in some order.
    package static func claimOrder(_ count: Int, round: Int) -> [Int] {
        guard count > 1 else { return Array(0..<count) }
        var random = SplitMix64()
        return round == 0 ? [0] + (1..<count).shuffled(using: &random) : (0..<count).shuffled(using: &random)
    }

    /// The ids of the first few claimable jobs, in claim order, from one
    /// snapshot of the queue indexes (whose values carry what the choice
    /// needs, so no job record is decoded here). A claim for some types
    /// reads each type's part of the queue by type and merges them in queue
    /// order, so jobs of other types never hide them; a claim for any type
    /// reads the whole queue. `scanLimit` bounds the entries read per part:
    /// entries not yet claimable (a retry's wait) are passed over.
    func claimCandidates(types: Set<String>?, now: Date, limit: Int = 16, scanLimit: Int = 10_000) throws(JobLedgerError) -> [String] {
        let now = JSONCoding.truncated(now)
        do {
            return try store.readProjections { tables in
                guard let types else {
                    return try Self.claimable(in: tables, JobTables.queue, prefix: [], now: now, limit: limit, scanLimit: scanLimit)
                        .map(\.id)
                }
                // Types are compared as bytes, as the indexes compare them
                // (``NameRule``), not by the canonical equivalence of `Set<String>`.
                var found: [(queueKey: ArraySlice<UInt8>, id: String)] = []
                for type in Set(types.map { Array($0.utf8) }) {
                    found += try Self.claimable(
                        in: tables, JobTables.queueByType, prefix: type + [0], now: now, limit: limit, scanLimit: scanLimit)
                }
                if found.count > 1 { found.sort { $0.queueKey.lexicographicallyPrecedes($1.queueKey) } }
                return found.prefix(limit).map(\.id)
            }
        } catch {
            throw Self.wrap(error)
        }
    }

    /// The first `limit` claimable entries of `table` whose keys start with
    /// `prefix`, each with its key after the prefix (the `queue` key).
    private static func claimable(
        in tables: borrowing ProjectionReader, _ table: ProjectionTable, prefix: [UInt8], now: Date, limit: Int, scanLimit: Int
    ) throws -> [(queueKey: ArraySlice<UInt8>, id: String)] {
        var found: [(queueKey: ArraySlice<UInt8>, id: String)] = []
        var scanned = 0
        try tables.scan(table, prefix: prefix) { queueKey, value in
            scanned += 1
            if let entry = JobIndexes.queueEntry(value), entry.availableAt <= now {
                found.append((queueKey, entry.id))
            }
            return found.count < limit && scanned < scanLimit
        }
        return found
    }

    /// The claim of `job` by `worker`, or `nil` when the job cannot be claimed.
    func claimPlan(_ job: Job, worker: String, lease: TimeInterval, now: Date) throws(JobLedgerError) -> CommandPlan? {
        let command = JobCommand.claim(worker: worker, lease: lease)
        let decision = JobDecider.decide(job, command, now: now, policy: options.retryPolicy)
        guard case .accepted = decision else { return nil }
        do {
            return try CommandPlan(
                jobID: job.id, before: job, decision: decision, command: command, actor: .worker(worker),
                reason: nil, requestID: UUID(), now: now)
        } catch {
            throw Self.wrap(error)
        }
    }

    // MARK: Batches

    /// Kills every non-terminal job of `batch` in ONE atomic append, with an
    /// audit entry per job. Finished jobs are left alone and answered with
    /// their `already_*` outcome; jobs the actor may not kill answer
    /// `forbidden` (audited, unchanged).
    public func killBatch(_ batch: String, by actor: Actor, reason: String, requestID: UUID = UUID()) throws(JobLedgerError) -> [BatchKillResult] {
        try execute(batchKillCommand(batch, by: actor, reason: reason, requestID: requestID))
    }

    /// The async form of ``killBatch(_:by:reason:requestID:)``.
    public func killBatch(
        _ batch: String, by actor: Actor, reason: String, requestID: UUID = UUID()
    ) async throws(JobLedgerError) -> [BatchKillResult] {
        try await execute(batchKillCommand(batch, by: actor, reason: reason, requestID: requestID))
    }

    private func batchKillCommand(
        _ batch: String, by actor: Actor, reason: String, requestID: UUID
    ) throws(JobLedgerError) -> DecidedCommand<[BatchKillResult]> {
        try JobInput.validateID(batch, field: "batch")
        let actor = try actor.normalized()
        return DecidedCommand(subject: "(batch \(batch))") { () throws(JobLedgerError) in
            let plans = try self.batchKillPlans(batch, actor: actor, reason: reason, requestID: requestID)
            return Decision(append: plans.flatMap(\.append)) { _ in
                plans.map { BatchKillResult(jobID: $0.jobID, outcome: $0.outcome) }
            }
        }
    }

    /// The ids of the jobs in `batch`, in id order.
    public func jobIDs(inBatch batch: String) throws(JobLedgerError) -> [String] {
        try JobInput.validateID(batch, field: "batch")
        let prefix = JobIndexes.batchPrefix(batch)
        do {
            return try store.readProjections { tables in
                var ids: [String] = []
                try tables.scan(JobTables.batches, prefix: prefix) { id, _ in
                    ids.append(String(decoding: id, as: UTF8.self))
                    return true
                }
                return ids
            }
        } catch {
            throw Self.wrap(error)
        }
    }

    private func batchKillPlans(_ batch: String, actor: Actor, reason: String, requestID: UUID) throws(JobLedgerError) -> [CommandPlan] {
        let prefix = JobIndexes.batchPrefix(batch)
        let jobs: [Job]
        do {
            jobs = try store.readProjections { tables in
                var jobs: [Job] = []
                try tables.scan(JobTables.batches, prefix: prefix) { id, _ in
                    if let bytes = try tables.get(JobTables.jobs, Array(id)) {
                        jobs.append(try JobRecord.decode(bytes))
                    }
                    return true
                }
                return jobs
            }
        } catch {
            throw Self.wrap(error)
        }
        let now = options.clock()
        let command = JobCommand.kill(actor: actor, reason: reason)
        do {
            return try jobs.map { job in
                try CommandPlan(
                    jobID: job.id, before: job,
                    decision: JobDecider.decide(job, command, now: now, policy: options.retryPolicy),
                    command: command, actor: actor, reason: reason, requestID: requestID, now: now)
            }
        } catch {
            throw Self.wrap(error)
        }
    }

    // MARK: Leases

    /// Moves every job whose lease ended before the ledger's clock: running
    /// jobs back to pending (attempts left) or to failed, cancel-requested
    /// jobs to cancelled. Returns the ids it moved. A job another sweeper or
    /// its worker moved first is skipped, thanks to the expected version.
    public func expireLeases() throws(JobLedgerError) -> [String] {
        var expired: [String] = []
        for id in try leasesDue() {
            if try execute(leaseExpiry(id)) { expired.append(id) }
        }
        return expired
    }

    /// The async form of ``expireLeases()``: each expiry's wait for the
    /// group commit, and each back-off, is a suspension.
    public func expireLeases() async throws(JobLedgerError) -> [String] {
        var expired: [String] = []
        for id in try leasesDue() {
            if try await execute(leaseExpiry(id)) { expired.append(id) }
        }
        return expired
    }

    /// The ids of the jobs whose lease ended before the ledger's clock, from
    /// the lease index.
    private func leasesDue() throws(JobLedgerError) -> [String] {
        let now = options.clock()
        do {
            return try store.readProjections { tables in
                var ids: [String] = []
                try tables.scan(JobTables.leases) { key, _ in
                    guard key.count > 8, JobIndexes.time(fromKey: key[0..<8]) < now else { return false }
                    ids.append(String(decoding: key[8...], as: UTF8.self))
                    return true
                }
                return ids
            }
        } catch {
            throw Self.wrap(error)
        }
    }

    /// The expiry of one job's lease, by the system; true when it moved the
    /// job. A refusal (the job moved on first) is not audited: the sweeper
    /// merely found nothing to do.
    private func leaseExpiry(_ id: String) throws(JobLedgerError) -> DecidedCommand<Bool> {
        try jobCommand(id, .expireLease, actor: .system, reason: "lease expired", auditRefusal: false) { result in
            result.outcome == .expired
        }
    }
}
