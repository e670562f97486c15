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
        try revealed(execute(claimCommand(worker: worker, types: types, lease: lease)))
    }

    /// The async form of ``claim(worker:types:lease:)``.
    public func claim(worker: String, types: Set<String>? = nil, lease: TimeInterval) async throws(JobLedgerError) -> Job? {
        guard var job = try await execute(claimCommand(worker: worker, types: types, lease: lease)) else { return nil }
        // Reading the owner's key waits on the database when the store is
        // remote: then on the ledger's own threads, never on the pool.
        guard store.callsWaitOnNetwork, PersonalFields.mayHoldSealedFields(job.payload) else {
            return try revealed(job) as Job
        }
        return try await DecideThreads.shared.run(&job) { (job) throws(JobLedgerError) -> Job in try self.revealed(job) }
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
        // Types held back (paused, or at their concurrency limit) are left
        // out of the scan once seen, so that their jobs never fill the
        // window ahead of jobs that may run.
        var held = Set<[UInt8]>()
        while true {
            let found = try scanCandidates(types: types, now: now, limit: limit, scanLimit: scanLimit, excluding: held)
            let seen = Set(found.map(\.type)).subtracting(held)
            let fresh = try heldBackTypes(Set(seen.map { String(decoding: $0, as: UTF8.self) })).map { Array($0.utf8) }
            if fresh.isEmpty { return found.map(\.id) }
            held.formUnion(fresh)
            let kept = found.filter { !held.contains($0.type) }
            if !kept.isEmpty { return kept.map(\.id) }
        }
    }

    /// One read of the queue indexes for ``claimCandidates(types:now:limit:scanLimit:)``,
    /// passing over jobs of the `excluding` types.
    private func scanCandidates(
        types: Set<String>?, now: Date, limit: Int, scanLimit: Int, excluding: Set<[UInt8]>
    ) throws(JobLedgerError) -> [Candidate] {
        do {
            return try store.readProjections { tables in
                // Types are compared as bytes, as the indexes compare them
                // (``NameRule``), not by the canonical equivalence of `Set<String>`.
                let typeBytes = types.map { Set($0.map { Array($0.utf8) }).subtracting(excluding) }
                var found: [Candidate] = []
                if let typeBytes {
                    for type in typeBytes {
                        found += try Self.claimable(
                            in: tables, JobTables.queueByType, prefix: type + [0], now: now, limit: limit, scanLimit: scanLimit,
                            excluding: [])
                    }
                } else {
                    found = try Self.claimable(
                        in: tables, JobTables.queue, prefix: [], now: now, limit: limit, scanLimit: scanLimit, excluding: excluding)
                }
                found += try Self.dueScheduled(
                    in: tables, types: typeBytes, now: now, limit: limit, scanLimit: scanLimit, excluding: excluding)
                if found.count > 1 { found.sort { $0.queueKey.lexicographicallyPrecedes($1.queueKey) } }
                return Array(found.prefix(limit))
            }
        } catch {
            throw Self.wrap(error)
        }
    }

    /// A claimable job found in the queue indexes.
    struct Candidate {
        /// Its key in `queue`: priority, then submission.
        let queueKey: ArraySlice<UInt8>
        let id: String
        /// Its type's bytes.
        let type: [UInt8]
    }

    /// The first `limit` claimable entries of `table` whose keys start with
    /// `prefix`, each with its key after the prefix (the `queue` key).
    private static func claimable(
        in tables: borrowing ProjectionReader, _ table: ProjectionTable, prefix: [UInt8], now: Date, limit: Int, scanLimit: Int,
        excluding: Set<[UInt8]>
    ) throws -> [Candidate] {
        var found: [Candidate] = []
        var scanned = 0
        try tables.scan(table, prefix: prefix) { queueKey, value in
            scanned += 1
            if let entry = JobIndexes.queueEntry(value), entry.availableAt <= now {
                let type = Array(entry.type.utf8)
                if !excluding.contains(type) { found.append(Candidate(queueKey: queueKey, id: entry.id, type: type)) }
            }
            return found.count < limit && scanned < scanLimit
        }
        return found
    }

    /// Scheduled jobs that are due, of `types` (any when `nil`), each with
    /// its `queue` key so that they merge into the queue's order. Only the
    /// due part of the index is read (it is ordered by due time), so jobs
    /// scheduled for later cost a claim nothing; among many due jobs the
    /// earliest due are the candidates.
    private static func dueScheduled(
        in tables: borrowing ProjectionReader, types: Set<[UInt8]>?, now: Date, limit: Int, scanLimit: Int,
        excluding: Set<[UInt8]>
    ) throws -> [Candidate] {
        var found: [Candidate] = []
        var scanned = 0
        let nowKey = JobIndexes.timeKey(now)
        try tables.scan(JobTables.scheduled) { key, value in
            guard key.count > 8, !nowKey.lexicographicallyPrecedes(key.prefix(8)), value.count >= 16 else { return false }
            scanned += 1
            let type = Array(value[16...])
            if types?.contains(type) ?? true, !excluding.contains(type) {
                found.append(Candidate(queueKey: value[0..<16], id: String(decoding: key[8...], as: UTF8.self), type: type))
            }
            return found.count < limit && scanned < scanLimit
        }
        return found
    }

    /// The claim of `job` by `worker`, or `nil` when the job cannot be claimed.
    func claimPlan(_ job: Job, worker: String, lease: TimeInterval, now clock: Date) throws(JobLedgerError) -> CommandPlan? {
        let command = JobCommand.claim(worker: worker, lease: lease)
        guard case .accepted = JobDecider.decide(job, command, now: clock, policy: options.retryPolicy) else { return nil }
        let requestID = UUID()
        // A type with settings: paused or full means not now; else the
        // claim also expects the version of the type's queue stream, and
        // is stamped no earlier than that stream's last event.
        guard let (slot, now) = try queueSlot(
            for: job, worker: worker, attempt: job.attempt + 1, requestID: requestID, now: clock)
        else {
            return nil
        }
        let decision = JobDecider.decide(job, command, now: now, policy: options.retryPolicy)
        guard case .accepted = decision else { return nil }
        do {
            var plan = try CommandPlan(
                jobID: job.id, before: job, decision: decision, command: command, actor: .worker(worker),
                reason: nil, requestID: requestID, now: now)
            plan.append += slot
            return plan
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
        let results = try execute(batchKillCommand(batch, by: actor, reason: reason, requestID: requestID))
        for result in results where result.outcome == .killed { try releaseDependents(of: try storedJob(result.jobID)) }
        return results
    }

    /// The async form of ``killBatch(_:by:reason:requestID:)``.
    public func killBatch(
        _ batch: String, by actor: Actor, reason: String, requestID: UUID = UUID()
    ) async throws(JobLedgerError) -> [BatchKillResult] {
        let results = try await execute(batchKillCommand(batch, by: actor, reason: reason, requestID: requestID))
        for result in results where result.outcome == .killed { try await releaseDependents(of: try storedJob(result.jobID)) }
        return results
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
    ///
    /// It also ends every attempt that ran past its job's timeout
    /// (``JobCommand/timeOut``, by the system), whatever its lease, and
    /// returns those ids too. A job either move ends is then resolved for
    /// the jobs waiting for it.
    public func expireLeases() throws(JobLedgerError) -> [String] {
        var expired: [String] = []
        for id in try leasesDue() {
            if let job = try execute(leaseExpiry(id)) {
                expired.append(id)
                try releaseDependents(of: job)
            }
        }
        for id in try deadlinesDue() {
            if let job = try execute(timeoutExpiry(id)) {
                expired.append(id)
                try releaseDependents(of: job)
            }
        }
        return expired
    }

    /// The async form of ``expireLeases()``: each expiry's wait for the
    /// group commit, and each back-off, is a suspension.
    public func expireLeases() async throws(JobLedgerError) -> [String] {
        var expired: [String] = []
        for id in try leasesDue() {
            if let job = try await execute(leaseExpiry(id)) {
                expired.append(id)
                try await releaseDependents(of: job)
            }
        }
        for id in try deadlinesDue() {
            if let job = try await execute(timeoutExpiry(id)) {
                expired.append(id)
                try await releaseDependents(of: job)
            }
        }
        return expired
    }

    /// The ids of the jobs whose lease ended before the ledger's clock, from
    /// the lease index.
    private func leasesDue() throws(JobLedgerError) -> [String] {
        try due(in: JobTables.leases)
    }

    /// The ids of the running jobs whose deadline has come by the ledger's
    /// clock, from the deadline index.
    private func deadlinesDue() throws(JobLedgerError) -> [String] {
        let now = JSONCoding.truncated(options.clock())
        return try due(in: JobTables.deadlines, now: now + 0.0005)
    }

    /// The ids of the entries of a time-ordered index (time + id) before `now`.
    private func due(in table: ProjectionTable, now: Date? = nil) throws(JobLedgerError) -> [String] {
        let now = now ?? options.clock()
        do {
            return try store.readProjections { tables in
                var ids: [String] = []
                try tables.scan(table) { key, _ in
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
    private func leaseExpiry(_ id: String) throws(JobLedgerError) -> DecidedCommand<Job?> {
        try jobCommand(id, .expireLease, actor: .system, reason: "lease expired", auditRefusal: false) { result in
            result.outcome == .expired ? result.job : nil
        }
    }

    /// The end of one attempt that ran past its deadline, by the system;
    /// the job when it moved it. Not audited when refused, as an expiry.
    private func timeoutExpiry(_ id: String) throws(JobLedgerError) -> DecidedCommand<Job?> {
        try jobCommand(id, .timeOut, actor: .system, reason: "timeout", auditRefusal: false) { result in
            result.outcome == .timedOut ? result.job : nil
        }
    }
}
