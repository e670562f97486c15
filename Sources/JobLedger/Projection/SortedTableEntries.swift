import EventStore
import Foundation

/// The entries of the job tables for some jobs, each table sorted by key,
/// ready to be appended in key order.
struct SortedTableEntries: Sendable {
    private var tables = [FlatEntries](repeating: FlatEntries(), count: JobTables.all.count)

    /// Encodes the record and index entries of `jobs` (with their `ids`)
    /// and sorts every table.
    init(ids: ArraySlice<String>, jobs: ArraySlice<Job>, placement: RetryPlacement) throws {
        for (id, job) in zip(ids, jobs) {
            add(JobTables.jobs, Array(id.utf8), try JobRecord.encode(job))
            for (table, key) in JobIndexes.entries(of: job, placement: placement) {
                add(table, key, JobIndexes.value(of: job, in: table))
            }
        }
        for index in tables.indices { tables[index].sortByKey() }
    }

    private mutating func add(_ table: ProjectionTable, _ key: [UInt8], _ value: [UInt8]) {
        guard let index = JobTables.all.firstIndex(of: table) else {
            preconditionFailure("'\(table)' is not a job table")
        }
        tables[index].add(key: key, value: value)
    }

    /// Appends the entries of `a` and `b` (of different jobs, so no key is
    /// in both) to the empty tables, table by table, merged in key order.
    static func appendMerged(
        _ a: consuming SortedTableEntries, _ b: consuming SortedTableEntries, into writer: borrowing ProjectionWriter
    ) throws {
        for (index, table) in JobTables.all.enumerated() {
            try FlatEntries.appendMerged(a.tables[index], b.tables[index], to: table, in: writer)
            // Free each table's bytes once written.
            a.tables[index] = FlatEntries()
            b.tables[index] = FlatEntries()
        }
    }
}

/// The entries of one table, keys and values back to back in one buffer,
/// sorted by moving small spans instead of a million small arrays (which
/// cost an allocation each and a retain at every comparison).
struct FlatEntries: Sendable {
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

    /// LMDB's default key order: bytes compared as unsigned, shorter first
    /// on a tie. Zero padding keeps that order in the heads: a shorter key
    /// that ties on its padding is settled by the full comparison.
    private static func precedes(_ a: Span, in baseA: UnsafeRawPointer, _ b: Span, in baseB: UnsafeRawPointer) -> Bool {
        if a.head != b.head { return a.head < b.head }
        let common = Int(min(a.keyCount, b.keyCount))
        let order = memcmp(baseA + a.start, baseB + b.start, common)
        return order != 0 ? order < 0 : a.keyCount < b.keyCount
    }

    mutating func sortByKey() {
        bytes.withUnsafeBytes { raw in
            guard let base = raw.baseAddress else { return }
            spans.sort { Self.precedes($0, in: base, $1, in: base) }
        }
    }

    /// Appends the entries of `a` and `b`, each sorted, to `table` in one
    /// key order, taking each next entry from whichever list has the lower key.
    static func appendMerged(_ a: FlatEntries, _ b: FlatEntries, to table: ProjectionTable, in writer: borrowing ProjectionWriter) throws {
        try a.bytes.withUnsafeBytes { rawA in
            try b.bytes.withUnsafeBytes { rawB in
                var (i, j) = (0, 0)
                try writer.append(table, sortedEntries: a.spans.count + b.spans.count) { _ in
                    let fromA = j == b.spans.count
                        || (i < a.spans.count && precedes(a.spans[i], in: rawA.baseAddress!, b.spans[j], in: rawB.baseAddress!))
                    let (span, raw) = fromA ? (a.spans[i], rawA) : (b.spans[j], rawB)
                    if fromA { i += 1 } else { j += 1 }
                    let keyEnd = span.start + Int(span.keyCount)
                    return (
                        UnsafeRawBufferPointer(rebasing: raw[span.start..<keyEnd]),
                        UnsafeRawBufferPointer(rebasing: raw[keyEnd..<keyEnd + Int(span.valueCount)]))
                }
            }
        }
    }
}
