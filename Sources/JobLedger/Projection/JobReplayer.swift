import EventStore
import Foundation

/// Rebuilds the job projection from the log by folding jobs in memory and
/// writing each table once, in key order.
///
/// Applying events one by one rewrites a job's record and moves its index
/// entries at every event, each a B-tree update at a random place. A rebuild
/// instead folds every job with the same ``JobEvolver/evolve(_:_:context:)``
/// and, at the end, appends each table's entries sorted, which LMDB does
/// without searching. Memory is bounded: past a threshold of jobs the
/// folded jobs are written and forgotten, and later events of a written job
/// start from its stored record, as an append would.
struct JobReplayer: ProjectionReplayer {
    /// Folded jobs in the order they were first seen, and where each id's
    /// job sits in that list (small values keep the table cheap to grow).
    private var folded: [Job] = []
    private var ids: [String] = []
    private var slots: [String: Int] = [:]
    /// Whether the tables already hold jobs (written by an earlier flush).
    private var tablesHoldJobs = false
    private let threshold: Int
    /// Job events read but not yet decoded and folded.
    private var undecoded: [RecordedEvent] = []
    /// Finishing events per minute, folded until the next flush.
    private var finishing = FinishingSlots()
    /// How many job events are decoded together.
    private static let decodeBatch = 4_096

    /// What the replay writes: the current tables or an older version's.
    private let build: JobProjectionBuild

    init(flushThreshold: Int, build: JobProjectionBuild = .current) {
        threshold = max(1, flushThreshold)
        self.build = build
        slots.reserveCapacity(min(threshold, 65_536))
    }

    mutating func replay(_ event: RecordedEvent, into tables: borrowing ProjectionWriter) throws {
        guard event.streamID.hasPrefix(JobStreams.jobPrefix) else { return }
        undecoded.append(event)
        if undecoded.count >= Self.decodeBatch { try foldUndecoded(into: tables) }
    }

    mutating func finish(into tables: borrowing ProjectionWriter) throws {
        try foldUndecoded(into: tables)
        try flush(into: tables)
    }

    /// Decodes the waiting events' payloads on two threads, then folds them
    /// in log order on this one (the thread of the write transaction).
    private mutating func foldUndecoded(into tables: borrowing ProjectionWriter) throws {
        let batch = undecoded
        undecoded.removeAll(keepingCapacity: true)
        let decoded = try Self.decodeOnTwoThreads(batch)
        for (event, jobEvent) in zip(batch, decoded) {
            try event.namingFailures { () throws in try fold(event, jobEvent, into: tables) }
        }
    }

    private mutating func fold(_ event: RecordedEvent, _ jobEvent: JobEvent, into tables: borrowing ProjectionWriter) throws {
        guard let jobID = JobStreams.jobID(fromStream: event.streamID) else { return }
        if let slot = slots[jobID] {
            finishing.add(event, jobEvent, firstOfStream: false)
            folded[slot] = try JobProjection.evolve(folded[slot], jobID: jobID, by: event, decoded: jobEvent)
            return
        }
        let stored = tablesHoldJobs ? try tables.get(JobTables.jobs, Array(jobID.utf8)).map(JobRecord.decode) : nil
        finishing.add(event, jobEvent, firstOfStream: stored == nil)
        slots[jobID] = folded.count
        ids.append(jobID)
        folded.append(try JobProjection.evolve(stored, jobID: jobID, by: event, decoded: jobEvent))
        if folded.count >= threshold { try flush(into: tables) }
    }

    private static func decodeOnTwoThreads(_ batch: [RecordedEvent]) throws -> [JobEvent] {
        let (lower, upper) = try TwoHalves.map(batch.count) { range in
            try batch[range].map { event in try event.namingFailures { try JobProjection.decode(event) } }
        }
        return lower + upper
    }

    private mutating func flush(into tables: borrowing ProjectionWriter) throws {
        if tablesHoldJobs {
            try update(tables)
        } else {
            try fill(tables)
            if build.keepsTallies { try fillTallies(tables) }
        }
        if build.keepsTallies { try finishing.write(into: tables) }
        folded.removeAll(keepingCapacity: true)
        ids.removeAll(keepingCapacity: true)
        slots.removeAll(keepingCapacity: true)
        tablesHoldJobs = true
    }

    /// Empty tables: every entry appended in key order. The two halves of
    /// the jobs are encoded and sorted on two threads, then merged while
    /// they are appended.
    private func fill(_ tables: borrowing ProjectionWriter) throws {
        let (ids, folded, placement) = (ids, folded, build.placement)
        let (lower, upper) = try TwoHalves.map(folded.count) { range in
            try SortedTableEntries(ids: ids[range], jobs: folded[range], placement: placement)
        }
        try SortedTableEntries.appendMerged(lower, upper, into: tables)
    }

    /// The job counters of the folded jobs, into an empty tallies table.
    private func fillTallies(_ tables: borrowing ProjectionWriter) throws {
        var counts: [[UInt8]: Int] = [:]
        for job in folded {
            for key in JobTallies.keys(of: job) { counts[key, default: 0] += 1 }
        }
        for (key, count) in counts.sorted(by: { ByteOrder.precedes($0.key, $1.key) }) {
            try tables.put(JobTallies.table, key, JobIndexes.bigEndian(UInt64(count)))
        }
    }

    /// Tables that already hold some jobs: each job written over its stored
    /// record, in key order so that neighbouring writes share pages.
    private func update(_ tables: borrowing ProjectionWriter) throws {
        let keyed = ids.indices.map { (slot: $0, key: Array(ids[$0].utf8)) }
            .sorted { ByteOrder.precedes($0.key, $1.key) }
        for (slot, key) in keyed {
            let job = folded[slot]
            let stored = try tables.get(JobTables.jobs, key).map(JobRecord.decode)
            try JobProjection.store(job, replacing: stored, key: key, in: tables, build: build)
        }
    }
}

/// LMDB's default key order: bytes compared as unsigned, shorter first on a tie.
enum ByteOrder {
    static func precedes(_ a: [UInt8], _ b: [UInt8]) -> Bool {
        a.withUnsafeBytes { x in
            b.withUnsafeBytes { y in
                let common = min(x.count, y.count)
                let order = common == 0 ? 0 : memcmp(x.baseAddress!, y.baseAddress!, common)
                return order != 0 ? order < 0 : x.count < y.count
            }
        }
    }
}
