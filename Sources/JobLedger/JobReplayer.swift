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

    init(flushThreshold: Int) {
        threshold = max(1, flushThreshold)
        slots.reserveCapacity(min(threshold, 65_536))
    }

    mutating func replay(_ event: RecordedEvent, into tables: borrowing ProjectionWriter) throws {
        guard let jobID = JobStreams.jobID(fromStream: event.streamID) else { return }
        if let slot = slots[jobID] {
            folded[slot] = try JobProjection.evolve(folded[slot], jobID: jobID, by: event)
            return
        }
        let stored = tablesHoldJobs ? try tables.get(JobTables.jobs, Array(jobID.utf8)).map(JobRecord.decode) : nil
        slots[jobID] = folded.count
        ids.append(jobID)
        folded.append(try JobProjection.evolve(stored, jobID: jobID, by: event))
        if folded.count >= threshold { try flush(into: tables) }
    }

    mutating func finish(into tables: borrowing ProjectionWriter) throws {
        try flush(into: tables)
    }

    private mutating func flush(into tables: borrowing ProjectionWriter) throws {
        if tablesHoldJobs {
            try update(tables)
        } else {
            try fill(tables)
        }
        folded.removeAll(keepingCapacity: true)
        ids.removeAll(keepingCapacity: true)
        slots.removeAll(keepingCapacity: true)
        tablesHoldJobs = true
    }

    /// Empty tables: every entry appended in key order.
    private func fill(_ tables: borrowing ProjectionWriter) throws {
        var entries = SortedTableEntries()
        for (id, job) in zip(ids, folded) {
            entries.add(JobTables.jobs, Array(id.utf8), try JobRecord.encode(job))
            for (table, key) in JobIndexes.entries(of: job) {
                entries.add(table, key, JobIndexes.value(of: job, in: table))
            }
        }
        try entries.append(into: tables)
    }

    /// Tables that already hold some jobs: each job written over its stored
    /// record, in key order so that neighbouring writes share pages.
    private func update(_ tables: borrowing ProjectionWriter) throws {
        let keyed = ids.indices.map { (slot: $0, key: Array(ids[$0].utf8)) }
            .sorted { ByteOrder.precedes($0.key, $1.key) }
        for (slot, key) in keyed {
            let job = folded[slot]
            let stored = try tables.get(JobTables.jobs, key).map(JobRecord.decode)
            try JobProjection.store(job, replacing: stored, key: key, in: tables)
        }
    }
}

/// Entries for the job tables, collected unordered and appended sorted.
private struct SortedTableEntries {
    private var tables = [FlatEntries](repeating: FlatEntries(), count: JobTables.all.count)

    mutating func add(_ table: String, _ key: [UInt8], _ value: [UInt8]) {
        guard let index = JobTables.all.firstIndex(of: table) else {
            preconditionFailure("'\(table)' is not a job table")
        }
        tables[index].add(key: key, value: value)
    }

    mutating func append(into writer: borrowing ProjectionWriter) throws {
        for (index, table) in JobTables.all.enumerated() {
            tables[index].sortByKey()
            try tables[index].append(to: table, in: writer)
            tables[index] = FlatEntries()  // free each table's bytes once written
        }
    }
}

/// The entries of one table, keys and values back to back in one buffer,
/// sorted by moving small spans instead of a million small arrays (which
/// cost an allocation each and a retain at every comparison).
private struct FlatEntries {
    private struct Span {
        /// The key's first eight bytes, big-endian, zero-padded: most
        /// comparisons end here without touching the buffer.
        let head: UInt64
        let start: Int
        let keyCount: Int32
        let valueCount: Int32
    }

    private var bytes: [UInt8] = []
    private var spans: [Span] = []

    mutating func add(key: [UInt8], value: [UInt8]) {
        var head: UInt64 = 0
        for index in 0..<8 { head = head << 8 | UInt64(index < key.count ? key[index] : 0) }
        spans.append(Span(head: head, start: bytes.count, keyCount: Int32(key.count), valueCount: Int32(value.count)))
        bytes.append(contentsOf: key)
        bytes.append(contentsOf: value)
    }

    /// LMDB's default key order: bytes compared as unsigned, shorter first on a tie.
    mutating func sortByKey() {
        bytes.withUnsafeBytes { raw in
            guard let base = raw.baseAddress else { return }
            spans.sort { a, b in
                // Zero padding keeps the order: a shorter key that ties on
                // its padding is settled by the full comparison below.
                if a.head != b.head { return a.head < b.head }
                let common = Int(min(a.keyCount, b.keyCount))
                let order = memcmp(base + a.start, base + b.start, common)
                return order != 0 ? order < 0 : a.keyCount < b.keyCount
            }
        }
    }

    func append(to table: String, in writer: borrowing ProjectionWriter) throws {
        try bytes.withUnsafeBytes { raw in
            try writer.append(table, sortedEntries: spans.count) { index in
                let span = spans[index]
                let keyEnd = span.start + Int(span.keyCount)
                return (
                    UnsafeRawBufferPointer(rebasing: raw[span.start..<keyEnd]),
                    UnsafeRawBufferPointer(rebasing: raw[keyEnd..<keyEnd + Int(span.valueCount)]))
            }
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
