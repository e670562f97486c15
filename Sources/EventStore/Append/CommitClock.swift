import LMDB

/// When recent write transactions committed, kept in the `meta` database so
/// that any process can tell how long a reader has held its snapshot.
///
/// LMDB's reader table names each reader's snapshot by transaction id but
/// records no time. Every transaction that appends events also writes its
/// id and the time under a key of `meta`; a reader's age is then derived
/// from the first recorded commit after its snapshot.
///
/// The record is a small set of rings, one per level. Level `k` keeps the
/// first recorded commit of each run of 16^k transaction ids, in 16 slots:
/// level 0 the last 16 commits, level 1 about the last 256, and level 5
/// about the last 16.7 million. A commit writes its level-0 slot and, when
/// it is the first of a new run, the slots of the levels above: about 1.07
/// puts and one lookup per commit, on the one page of `meta`.
///
/// Keys are `clock` followed by the level and slot bytes; values the
/// transaction id and the time in microseconds since 1970, 8 bytes
/// big-endian each.
enum CommitClock {
    static let levels = 6
    static let slotBits = 4
    static let keyPrefix = Array("clock".utf8)

    /// One recorded commit.
    struct Mark: Sendable, Hashable {
        let transactionID: Int
        let micros: Int64
    }

    /// Records the commit of `txn` at `micros` when any of `outcomes`
    /// wrote events: a batch whose appends were all refused or already
    /// stored writes nothing, and must not start writing now.
    static func record(
        after outcomes: [Result<AppendResult, EventStoreError>], micros: Int64,
        in txn: borrowing WriteTransaction, meta: Database
    ) throws {
        let wroteEvents = outcomes.contains { outcome in
            if case .success(let result) = outcome { return !result.wasAlreadyStored }
            return false
        }
        if wroteEvents { try record(micros: micros, in: txn, meta: meta) }
    }

    /// Records the commit of `txn` at `micros`, and the file's size when
    /// it is the first commit of its minute (``SizeSamples``).
    static func record(micros: Int64, in txn: borrowing WriteTransaction, meta: Database) throws {
        try SizeSamples.record(micros: micros, in: txn, meta: meta)
        let id = txn.id
        var key = keyPrefix + [0, 0]
        var value = [UInt8](repeating: 0, count: 16)
        storeBigEndian(UInt64(id), into: &value, at: 0)
        storeBigEndian(UInt64(bitPattern: micros), into: &value, at: 8)
        for level in 0..<levels {
            let shift = level * slotBits
            let run = id >> shift
            key[keyPrefix.count] = UInt8(level)
            key[keyPrefix.count + 1] = UInt8(run & ((1 << slotBits) - 1))
            if level > 0, let stored = try txn.get(key, in: meta), let mark = decode(stored), mark.transactionID >> shift == run {
                // This run, and so every run above it, already has its first commit.
                return
            }
            try txn.put(key, value, in: meta)
        }
    }

    /// Every recorded commit, oldest first.
    static func marks(in txn: borrowing ReadTransaction, meta: Database) throws -> [Mark] {
        let marks = Set(try MetaRings.values(withPrefix: keyPrefix, in: txn, meta: meta).compactMap(decode))
        return marks.sorted { $0.transactionID < $1.transactionID }
    }

    /// How long a reader whose snapshot is transaction `snapshot` has held
    /// it, as far as `marks` tell, at `nowMicros`.
    static func age(ofSnapshot snapshot: Int, marks: [Mark], lastTransactionID: Int, nowMicros: Int64) -> ReaderAge {
        func seconds(since mark: Mark) -> Double { max(0, Double(nowMicros - mark.micros) / 1e6) }
        let before = marks.last { $0.transactionID <= snapshot }
        let after = marks.first { $0.transactionID > snapshot }
        if snapshot >= lastTransactionID {
            // Nothing committed since the snapshot: it holds nothing back.
            return ReaderAge(atLeastSeconds: 0, atMostSeconds: before.map(seconds(since:)), exact: false)
        }
        return ReaderAge(
            atLeastSeconds: after.map(seconds(since:)) ?? 0,
            atMostSeconds: before.map(seconds(since:)),
            exact: after?.transactionID == snapshot + 1)
    }

    private static func decode(_ bytes: [UInt8]) -> Mark? {
        guard bytes.count == 16 else { return nil }
        return bytes.withUnsafeBytes { buffer in
            Mark(
                transactionID: Int(truncatingIfNeeded: buffer.loadBigEndianUInt64(at: 0)),
                micros: Int64(bitPattern: buffer.loadBigEndianUInt64(at: 8)))
        }
    }

    private static func storeBigEndian(_ value: UInt64, into bytes: inout [UInt8], at offset: Int) {
        for index in 0..<8 { bytes[offset + index] = UInt8(truncatingIfNeeded: value >> (56 - 8 * index)) }
    }
}
