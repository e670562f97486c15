import Foundation
import LMDB

/// The `meta` records an appending commit of the store writes, in raw LMDB
/// with the store's keys, values and update rules (EventStore's
/// `CommitClock`, `SizeSamples` and stream-number allocation), so a raw
/// commit dirties the pages the store's does.
///
/// - The commit clock: `clock` + level + slot -> transaction id and time
///   (8 + 8 bytes); level 0 every commit, level k when the transaction id
///   starts a run of 16^k, 6 levels, 16 slots each.
/// - The size samples: `size` + `m`/`h` + slot -> time and file pages, on
///   the first commit of each minute (64 slots) and hour (32 slots).
/// - `nextStream` -> the next stream number (8 bytes), for a new stream.
enum MetaRecordShapes {
    static let nextStreamKey = Array("nextStream".utf8)
    static let formatKey = Array("format".utf8)
    private static let clockPrefix = Array("clock".utf8)
    private static let sizePrefix = Array("size".utf8)
    private static let rings: [(tag: UInt8, slots: Int64, period: Int64)] = [
        (UInt8(ascii: "m"), 64, 60_000_000), (UInt8(ascii: "h"), 32, 3_600_000_000),
    ]

    /// Writes the records of a commit that appended events, as of `micros`;
    /// `filePages` is the file's size before the commit.
    static func recordCommit(
        id: Int, micros: Int64, filePages: Int, in txn: borrowing WriteTransaction, meta: Database
    ) throws {
        try recordSize(micros: micros, filePages: filePages, in: txn, meta: meta)
        let value = bigEndian(UInt64(id), UInt64(bitPattern: micros))
        var key = clockPrefix + [0, 0]
        for level in 0..<6 {
            let shift = level * 4
            let run = id >> shift
            key[clockPrefix.count] = UInt8(level)
            key[clockPrefix.count + 1] = UInt8(run & 15)
            if level > 0, let stored = try txn.get(key, in: meta), stored.count == 16,
                Int(truncatingIfNeeded: stored.withUnsafeBytes { $0.loadBigEndianUInt64(at: 0) }) >> shift == run
            {
                return
            }
            try txn.put(key, value, in: meta)
        }
    }

    /// Stores `next + 1` as the next stream number.
    static func allocateStream(_ next: UInt64, in txn: borrowing WriteTransaction, meta: Database) throws {
        _ = try txn.get(nextStreamKey, in: meta)
        try txn.put(nextStreamKey, bigEndian(next + 1), in: meta)
    }

    private static func recordSize(
        micros: Int64, filePages: Int, in txn: borrowing WriteTransaction, meta: Database
    ) throws {
        for ring in rings {
            let period = micros / ring.period
            let key = sizePrefix + [ring.tag, UInt8(truncatingIfNeeded: period % ring.slots)]
            if let stored = try txn.get(key, in: meta), stored.count == 16,
                Int64(bitPattern: stored.withUnsafeBytes { $0.loadBigEndianUInt64(at: 0) }) / ring.period == period
            {
                return
            }
            try txn.put(key, bigEndian(UInt64(bitPattern: micros), UInt64(filePages)), in: meta)
        }
    }

    /// The values as 8-byte big-endian fields, one after the other.
    static func bigEndian(_ values: UInt64...) -> [UInt8] {
        values.flatMap { value in (0..<8).map { UInt8(truncatingIfNeeded: value >> (56 - 8 * UInt64($0))) } }
    }
}

extension Date {
    /// Microseconds since 1970, as the store stamps commits.
    var benchMicros: Int64 { Int64((timeIntervalSince1970 * 1_000_000).rounded()) }
}
