import EventStore
import Foundation

/// Keeps the current state of every job and its indexes, inside the same
/// transaction as each job event.
///
/// Tables:
/// - `jobs`: job id -> the job in the binary form of `JobRecord`;
/// - `queue`: priority (descending) + submission position -> when claimable, id and type, for pending jobs
///   claimable since they were queued;
/// - `queueByType`: type + 0x00 + the `queue` key -> the same value, so that
///   a claim for some types reads only their jobs, however many of other
///   types wait ahead of them;
/// - `leases`: lease end + id, for running and cancel-requested jobs;
/// - `batches`: batch + 0x00 + id, for jobs in a batch;
/// - `byState`, `byOrgState`, `byOwnerState`, `byTypeState`: the field
///   values, each followed by 0x00, then submission time and id, for listing;
/// - `bySubmitted`: submission time + id;
/// - `scheduled`: when claimable + id -> the `queue` key and the type, for
///   pending jobs submitted to run later that have not run yet, and for
///   jobs waiting to retry (they are kept out of `queue`, so that a claim
///   never reads past them: it reads only the part of this index that is
///   due);
/// - `waiting`: dependency + 0x00 + id, for each job a pending job still
///   waits for (such a job is in neither `queue` nor `scheduled`);
/// - `deadlines`: deadline + id, for running and cancel-requested jobs
///   with a timeout;
/// - `byTag`: tag + 0x00 + submission time + id, for each tag of a job;
/// - `tallies`: counts of jobs by organisation, type and state, of pending
///   jobs by where they wait, and of finishing events per minute of the
///   last day (``JobTallies``).
///
/// The state comes from ``JobEvolver/evolve(_:_:context:)``, the same
/// function commands use, so there is one definition of what an event does.
public struct JobProjection: Projection {
    /// Jobs a rebuild folds in memory before writing them out, unless told otherwise.
    public static let defaultRebuildJobsInMemory = 262_144

    /// Jobs a rebuild folds in memory before writing them out.
    public let rebuildJobsInMemory: Int

    /// What this projection writes: the current version's tables, or an
    /// older version's when reading and verifying tables it built.
    let build: JobProjectionBuild

    /// Creates the projection.
    public init(rebuildJobsInMemory: Int = JobProjection.defaultRebuildJobsInMemory) {
        self.init(rebuildJobsInMemory: rebuildJobsInMemory, build: .current)
    }

    init(rebuildJobsInMemory: Int, build: JobProjectionBuild) {
        self.rebuildJobsInMemory = max(1, rebuildJobsInMemory)
        self.build = build
    }

    /// The tables the projection writes.
    public var tables: [ProjectionTable] { build.keepsTallies ? JobTables.all + [JobTallies.table] : JobTables.all }

    /// Version 7: binary job records; jobs, queue, the queue by type,
    /// leases, batches, the listing indexes, the scheduled, waiting,
    /// deadline and tag indexes, and the tallies. Version 6 had no tallies;
    /// version 5 also kept jobs waiting to retry in the queue, where every
    /// claim passed over them. A ledger built by an earlier version is
    /// rebuilt when opened writable.
    public var version: Int { build.version }

    /// Versions 5 and 6 answer correctly from their tables as they are
    /// (only the tallies are missing), so a read-only open of a ledger they
    /// built reads, and verifies, without a rebuild.
    public func asBuilt(byVersion version: Int) -> (any Projection)? {
        JobProjectionBuild.of(version: version).map { JobProjection(rebuildJobsInMemory: rebuildJobsInMemory, build: $0) }
    }

    /// Only job streams: audit streams never reach the projection.
    public var streamPrefix: String? { JobStreams.jobPrefix }

    /// Applies one event of a job stream; other streams are ignored.
    public func apply(_ event: RecordedEvent, to tables: borrowing ProjectionWriter) throws {
        guard let jobID = JobStreams.jobID(fromStream: event.streamID) else { return }
        let key = Array(jobID.utf8)
        let old = try tables.get(JobTables.jobs, key).map(JobRecord.decode)
        // Inside an append of a command the decided event comes along and
        // is not decoded again; every other event is read from its bytes.
        let jobEvent = try (event.decoded as? JobEvent) ?? Self.decode(event)
        let new = try Self.evolve(old, jobID: jobID, by: event, decoded: jobEvent)
        try Self.store(new, replacing: old, key: key, in: tables, build: build)
        if build.keepsTallies { try JobTallies.countFinishing(event, jobEvent, firstOfStream: old == nil, in: tables) }
        // The command answers with this job rather than folding again.
        tables.report(new)
    }

    /// An event of a job's stream reads that job's record and nothing
    /// else: the index entries it moves are named by the record.
    public func rowsRead(forStream streamID: String) -> [ProjectionRow] {
        guard let jobID = JobStreams.jobID(fromStream: streamID) else { return [] }
        return [ProjectionRow(JobTables.jobs, Array(jobID.utf8))]
    }

    /// A replayer that folds jobs in memory and writes them in key order.
    public func makeReplayer() -> any ProjectionReplayer { JobReplayer(flushThreshold: rebuildJobsInMemory, build: build) }

    /// The job event that `event` records.
    static func decode(_ event: RecordedEvent) throws -> JobEvent {
        guard let jobEvent = try JobEvent.decode(event) else {
            throw JobLedgerError.invalidInput(field: "type", reason: "'\(event.type)' is not a job event type")
        }
        return jobEvent
    }

    /// The job after `event`, whose payload was already decoded to `jobEvent`.
    static func evolve(_ old: Job?, jobID: String, by event: RecordedEvent, decoded jobEvent: JobEvent) throws -> Job {
        let context = EventContext(position: event.position, version: event.streamVersion, recordedAt: event.recordedAt)
        guard let new = JobEvolver.evolve(old, jobEvent, context: context) else {
            throw JobLedgerError.invalidInput(field: "stream", reason: "\(event.type) for job '\(jobID)' before its submission")
        }
        return new
    }

    /// Writes `new` over `old` (the stored record, if any), touching only the
    /// index entries that changed: a lease renewal moves one lease entry and
    /// leaves the state indexes alone.
    static func store(
        _ new: Job, replacing old: Job?, key: [UInt8], in tables: borrowing ProjectionWriter, build: JobProjectionBuild = .current
    ) throws {
        let before = old.map { JobIndexes.entries(of: $0, placement: build.placement) } ?? []
        let after = JobIndexes.entries(of: new, placement: build.placement)
        for (table, indexKey) in before where !after.contains(where: { $0.0 == table && $0.1 == indexKey }) {
            try tables.remove(table, indexKey)
        }
        for (table, indexKey) in after {
            let value = JobIndexes.value(of: new, in: table)
            let unchanged = before.contains(where: { $0.0 == table && $0.1 == indexKey })
                && (value.isEmpty || old.map { JobIndexes.value(of: $0, in: table) } == value)
            if !unchanged { try tables.put(table, indexKey, value) }
        }
        if build.keepsTallies {
            try JobTallies.move(from: old.map(JobTallies.keys(of:)) ?? [], to: JobTallies.keys(of: new), in: tables)
        }
        try tables.put(JobTables.jobs, key, try JobRecord.encode(new))
    }
}

/// The projection's tables.
enum JobTables {
    static let jobs = ProjectionTable("jobs")
    static let queue = ProjectionTable("queue")
    static let leases = ProjectionTable("leases")
    static let batches = ProjectionTable("batches")
    static let byState = ProjectionTable("byState")
    static let byOrgState = ProjectionTable("byOrgState")
    static let byOwnerState = ProjectionTable("byOwnerState")
    static let byTypeState = ProjectionTable("byTypeState")
    static let bySubmitted = ProjectionTable("bySubmitted")
    static let queueByType = ProjectionTable("queueByType")
    static let scheduled = ProjectionTable("scheduled")
    static let waiting = ProjectionTable("waiting")
    static let deadlines = ProjectionTable("deadlines")
    static let byTag = ProjectionTable("byTag")
    static let all = [
        jobs, queue, queueByType, leases, batches, byState, byOrgState, byOwnerState, byTypeState, bySubmitted,
        scheduled, waiting, deadlines, byTag,
    ]
}

/// Stream names of the jobs domain.
public enum JobStreams {
    /// The prefix of every job stream's name.
    public static let jobPrefix = "job-"
    /// The stream of a job's events.
    public static func job(_ id: String) -> String { jobPrefix + id }
    /// The stream of audit entries about a job (refusals included).
    public static func audit(_ id: String) -> String { "audit-" + id }

    /// The job id of a job stream, or `nil` for other streams.
    public static func jobID(fromStream stream: String) -> String? {
        stream.hasPrefix(jobPrefix) ? String(stream.dropFirst(jobPrefix.utf8.count)) : nil
    }
}


/// Index keys and values for a job's state.
enum JobIndexes {
    static func entries(of job: Job, placement: RetryPlacement = .scheduled) -> [(ProjectionTable, [UInt8])] {
        var entries: [(ProjectionTable, [UInt8])] = []
        switch pendingPlace(of: job, placement: placement) {
        case .waiting?:
            for dependency in job.waitingFor {
                entries.append((JobTables.waiting, text(dependency) + Array(job.id.utf8)))
            }
        case .scheduled?:
            entries.append((JobTables.scheduled, timeKey(job.availableAt) + Array(job.id.utf8)))
        case .queued?:
            let key = queueKey(priority: job.priority, position: job.submissionPosition)
            entries.append((JobTables.queue, key))
            entries.append((JobTables.queueByType, text(job.type) + key))
        case nil:
            break
        }
        if job.state == .running || job.state == .cancelRequested {
            if let lease = job.leaseUntil { entries.append((JobTables.leases, timeKey(lease) + Array(job.id.utf8))) }
            if let deadline = job.deadline { entries.append((JobTables.deadlines, timeKey(deadline) + Array(job.id.utf8))) }
        }
        if let batch = job.batch {
            entries.append((JobTables.batches, batchPrefix(batch) + Array(job.id.utf8)))
        }
        let tail = timeKey(job.submittedAt) + Array(job.id.utf8)
        let state = text(job.state.rawValue)
        entries.append((JobTables.byState, state + tail))
        entries.append((JobTables.byOrgState, text(job.organisation) + state + tail))
        entries.append((JobTables.byOwnerState, text(job.owner) + state + tail))
        entries.append((JobTables.byTypeState, text(job.type) + state + tail))
        entries.append((JobTables.bySubmitted, tail))
        for tag in job.tags { entries.append((JobTables.byTag, text(tag) + tail)) }
        return entries
    }

    /// Which index a pending job is in (`nil` for a job in another state).
    static func pendingPlace(of job: Job, placement: RetryPlacement = .scheduled) -> PendingPlace? {
        guard job.state == .pending else { return nil }
        if !job.waitingFor.isEmpty { return .waiting }
        return isScheduled(job, placement: placement) ? .scheduled : .queued
    }

    /// Whether a pending job with nothing to wait for belongs in
    /// `scheduled` rather than the queue: it was submitted to run later and
    /// has not run yet, or the event that made it pending set it to run
    /// later than that event (a retry's wait after a failure or an
    /// interrupted attempt). Known from the job alone, not from the clock,
    /// so the index follows from the events; a job stays there once due,
    /// until claimed or stopped. The queue therefore holds jobs claimable
    /// from the moment they were queued, and a claim never reads past jobs
    /// still waiting to retry.
    static func isScheduled(_ job: Job, placement: RetryPlacement = .scheduled) -> Bool {
        if job.runAt != nil && job.attempt == 0 { return true }
        return placement == .scheduled && job.availableAt > job.updatedAt
    }

    static func value(of job: Job, in table: ProjectionTable) -> [UInt8] {
        if table == JobTables.scheduled {
            return queueKey(priority: job.priority, position: job.submissionPosition) + Array(job.type.utf8)
        }
        guard table == JobTables.queue || table == JobTables.queueByType else { return [] }
        let id = Array(job.id.utf8)
        return timeKey(job.availableAt) + bigEndian(UInt64(id.count)) + id + Array(job.type.utf8)
    }

    /// Higher priorities first, then submission order.
    static func queueKey(priority: Int, position: UInt64) -> [UInt8] {
        let ascending = UInt64(bitPattern: Int64(priority)) ^ (1 << 63)
        return bigEndian(~ascending) + bigEndian(position)
    }

    /// Microseconds since 1970, offset so that byte order is time order.
    /// Saturates rather than traps: a recorded time (an import) may lie at
    /// the very ends of Int64 microseconds.
    static func timeKey(_ date: Date) -> [UInt8] {
        let scaled = (date.timeIntervalSince1970 * 1_000_000).rounded()
        let micros = Int64(exactly: scaled) ?? (scaled < 0 ? .min : .max)
        return bigEndian(UInt64(bitPattern: micros) ^ (1 << 63))
    }

    static func time(fromKey bytes: ArraySlice<UInt8>) -> Date {
        let micros = Int64(bitPattern: readBigEndian(bytes) ^ (1 << 63))
        return Date(timeIntervalSince1970: Double(micros) / 1_000_000)
    }

    static func batchPrefix(_ batch: String) -> [UInt8] { Array(batch.utf8) + [0] }

    /// A text component of an index key: its bytes and a 0x00 terminator
    /// (validated names never contain 0x00).
    static func text(_ value: String) -> [UInt8] { Array(value.utf8) + [0] }

    static func bigEndian(_ value: UInt64) -> [UInt8] {
        withUnsafeBytes(of: value.bigEndian) { Array($0) }
    }

    static func readBigEndian(_ bytes: ArraySlice<UInt8>) -> UInt64 {
        bytes.prefix(8).reduce(0) { ($0 << 8) | UInt64($1) }
    }

    /// Decodes a queue value: when claimable, id, type.
    static func queueEntry(_ value: [UInt8]) -> (availableAt: Date, id: String, type: String)? {
        guard value.count >= 16 else { return nil }
        let idLength = Int(readBigEndian(value[8..<16]))
        guard value.count >= 16 + idLength else { return nil }
        return (
            time(fromKey: value[0..<8]),
            String(decoding: value[16..<16 + idLength], as: UTF8.self),
            String(decoding: value[(16 + idLength)...], as: UTF8.self))
    }
}
