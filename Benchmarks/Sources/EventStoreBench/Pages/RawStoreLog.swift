import EventStore
import Foundation
import LMDB

/// A raw LMDB environment holding the store's five databases with the
/// store's keys and value sizes, prefilled like ``StoreCommitPages``'s
/// ledger, on which one-event commits write one database more per variant
/// (``CommitPagesSide``).
///
/// Keys and values, as the store's append path writes them
/// (`StoreLayout`, `AppendApplier`): `events` position (8 BE) -> envelope
/// (the stored size of the benchmark's events in the stream), appended;
/// `streamIndex` stream number + version (8 + 8 BE) -> position;
/// `eventIDs` the 16 bytes of a time-ordered id -> position, no overwrite;
/// `streams` stream id (UTF-8) -> number + version (8 + 8 BE); `meta` as
/// ``MetaRecordShapes``. All commits are durable.
final class RawStoreLog {
    private let environment: Environment
    private let events: Database
    private let streamIndex: Database
    private let eventIDs: Database
    private let streamRecords: Database
    private let meta: Database
    private let envelope: [UInt8]
    /// The prefilled streams: their ids; their numbers are index + 1.
    private var streamIDs: [[UInt8]] = []
    private var versions: [UInt64] = []
    private var position: UInt64 = 0
    private var nextStream: UInt64 = 1
    private var random = SystemRandomNumberGenerator()

    /// Opens a fresh durable environment at `path` with room for `events`
    /// events of `envelopeBytes` bytes in streams named like
    /// ``StreamNames``.
    init(at path: String, events expected: Int, envelopeBytes: Int) throws {
        var options = EnvironmentOptions()
        options.durable = true
        options.maxDatabases = 8
        // Room for the whole run from the start: a growing map would change
        // the size of LMDB's meta write mid-run.
        options.mapSize = max(256 << 20, expected * 1_200 * 2)
        environment = try Environment(path: path, options: options)
        events = try environment.openDatabase("events")
        streamIndex = try environment.openDatabase("streamIndex")
        eventIDs = try environment.openDatabase("eventIDs")
        streamRecords = try environment.openDatabase("streams")
        meta = try environment.openDatabase("meta")
        envelope = [UInt8](repeating: 0x5A, count: envelopeBytes)
        try environment.write { txn in try txn.put(MetaRecordShapes.formatKey, [2], in: meta) }
    }

    /// Bytes per page.
    var pageSize: Int { environment.info().pageSize }

    /// The file's pages and each database's.
    func pageSnapshot() throws -> PageSnapshot {
        try environment.pageSnapshot([events, streamIndex, eventIDs, streamRecords, meta])
    }

    /// Fills the log with `count` events in `StreamNames.prefillVersions`
    /// events per stream, whole streams per commit, about
    /// `eventsPerCommit` events a commit.
    func prefill(_ count: Int, eventsPerCommit: Int) throws {
        let perStream = StreamNames.prefillVersions
        var remaining = count
        while remaining > 0 {
            let streamsNow = max(1, min(eventsPerCommit, remaining) / perStream)
            try commit { txn in
                for _ in 0..<streamsNow where remaining > 0 {
                    let id = Array(StreamNames.make().utf8)
                    let number = try allocate(in: txn)
                    let length = UInt64(min(perStream, remaining))
                    for version in 1...length {
                        try putEvent(number: number, version: version, in: txn)
                    }
                    try putStreamRecord(id, number: number, version: length, in: txn)
                    streamIDs.append(id)
                    versions.append(length)
                    remaining -= Int(length)
                }
            }
        }
    }

    /// Commits one event, durably, writing the databases `side` writes, to
    /// a new stream or to a prefilled one chosen at random.
    func commitOne(_ side: CommitPagesSide, to stream: CommitPagesStream) throws {
        let id: [UInt8]
        let index: Int?
        switch stream {
        case .new:
            id = Array(StreamNames.make().utf8)
            index = nil
        case .existing:
            let chosen = Int.random(in: 0..<streamIDs.count, using: &random)
            id = streamIDs[chosen]
            index = chosen
        }
        try commit(meta: side.includes(.meta)) { txn in
            if side.includes(.streams) { _ = try txn.get(id, in: streamRecords) }
            let number: UInt64
            let version: UInt64
            if let index {
                number = UInt64(index + 1)
                version = versions[index] + 1
            } else {
                number = try side.includes(.meta) ? allocate(in: txn) : takeStreamNumber()
                version = 1
            }
            try putEvent(number: number, version: version, in: txn, writing: side)
            if side.includes(.streams) { try putStreamRecord(id, number: number, version: version, in: txn) }
            if let index { versions[index] = version }
        }
    }

    private func commit(meta writesMeta: Bool = true, _ body: (borrowing WriteTransaction) throws -> Void) throws {
        let filePages = environment.info().lastPageNumber + 1
        let micros = Date().benchMicros
        let meta = self.meta
        let before = position
        do {
            try environment.write { txn in
                try body(txn)
                if writesMeta {
                    try MetaRecordShapes.recordCommit(id: txn.id, micros: micros, filePages: filePages, in: txn, meta: meta)
                }
            }
        } catch {
            position = before
            throw error
        }
    }

    private func takeStreamNumber() -> UInt64 {
        defer { nextStream += 1 }
        return nextStream
    }

    private func allocate(in txn: borrowing WriteTransaction) throws -> UInt64 {
        let number = takeStreamNumber()
        try MetaRecordShapes.allocateStream(number, in: txn, meta: meta)
        return number
    }

    private func putEvent(
        number: UInt64, version: UInt64, in txn: borrowing WriteTransaction, writing side: CommitPagesSide = .meta
    ) throws {
        position += 1
        try withBigEndianBytes(of: position) { positionKey in
            try envelope.withUnsafeBytes { value in
                try txn.put(positionKey, value, in: events, flags: .append)
            }
            if side.includes(.streamIndex) {
                try withBigEndianBytes(of: number, version) { indexKey in
                    try txn.put(indexKey, positionKey, in: streamIndex)
                }
            }
            if side.includes(.eventIDs) {
                try withUnsafeBytes(of: UUID.timeOrdered().uuid) { idKey in
                    _ = try txn.get(idKey, in: eventIDs)
                    try txn.put(idKey, positionKey, in: eventIDs, flags: .noOverwrite)
                }
            }
        }
    }

    private func putStreamRecord(_ id: [UInt8], number: UInt64, version: UInt64, in txn: borrowing WriteTransaction) throws {
        try txn.put(id, MetaRecordShapes.bigEndian(number, version), in: streamRecords)
    }
}

/// Stream ids of the `pages` workload, on both sides: `job-` and a random
/// UUID, 40 bytes, so new streams land anywhere in `streams` as callers'
/// job ids do.
enum StreamNames {
    /// Events each prefilled stream holds.
    static let prefillVersions = 10

    /// A new stream id.
    static func make() -> String { "job-" + UUID().uuidString.lowercased() }
}
