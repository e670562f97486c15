import LMDB

/// Baseline C: plain LMDB commits shaped like the event store's group
/// commits, to show what the disk and LMDB allow for the store's data layout
/// before any event-store code runs.
///
/// Each commit writes one event for each of `streams` streams, and for every
/// event the four records the store's layout keeps (see `StoreLayout` in the
/// EventStore module): the envelope appended to `events` under its position,
/// `(stream number, version) -> position` in `streamIndex`, a random 16-byte
/// id `-> position` in `eventIDs`, and `stream id -> (number, version)` in
/// `streams`. Values have the size of a stored envelope. Commits are durable.
final class StoreShapedBaseline {
    private let environment: Environment
    private let events: Database
    private let streamIndex: Database
    private let eventIDs: Database
    private let streamRecords: Database
    private let envelope: [UInt8]
    private let streamKeys: [[UInt8]]
    private var versions: [UInt64]
    private var position: UInt64 = 0
    private var random = SystemRandomNumberGenerator()

    /// Opens a fresh durable environment at `path` for `streams` streams.
    init(at path: String, streams: Int, envelopeBytes: Int) throws {
        var options = EnvironmentOptions()
        options.durable = true
        options.mapSize = 256 << 20
        environment = try Environment(path: path, options: options)
        events = try environment.openDatabase("events")
        streamIndex = try environment.openDatabase("streamIndex")
        eventIDs = try environment.openDatabase("eventIDs")
        streamRecords = try environment.openDatabase("streams")
        envelope = [UInt8](repeating: 0x5A, count: envelopeBytes)
        streamKeys = (0..<streams).map { Array("job-client-\($0)".utf8) }
        versions = Array(repeating: 0, count: streams)
    }

    /// The file's pages and those of the four databases.
    func pageSnapshot() throws -> PageSnapshot {
        try environment.pageSnapshot([events, streamIndex, eventIDs, streamRecords])
    }

    /// Runs `commits` durable commits of one event per stream and returns the
    /// seconds they took.
    func commit(_ commits: Int) throws -> Double {
        let stopwatch = Stopwatch()
        for _ in 0..<commits {
            let ids = (0..<streamKeys.count).map { _ in (random.next() as UInt64, random.next() as UInt64) }
            let firstPosition = position + 1
            try environment.write { txn in
                var next = firstPosition
                for stream in streamKeys.indices {
                    let number = UInt64(stream + 1)
                    let version = versions[stream] + 1
                    try withBigEndianBytes(of: next) { positionKey in
                        try envelope.withUnsafeBytes { value in
                            try txn.put(positionKey, value, in: events, flags: .append)
                        }
                        try withBigEndianBytes(of: number, version) { indexKey in
                            try txn.put(indexKey, positionKey, in: streamIndex)
                        }
                        try withBigEndianBytes(of: ids[stream].0, ids[stream].1) { idKey in
                            try txn.put(idKey, positionKey, in: eventIDs, flags: .noOverwrite)
                        }
                        try withBigEndianBytes(of: number, version) { record in
                            try streamKeys[stream].withUnsafeBytes { key in
                                try txn.put(key, record, in: streamRecords)
                            }
                        }
                    }
                    next += 1
                }
            }
            position += UInt64(streamKeys.count)
            for stream in versions.indices { versions[stream] += 1 }
        }
        return stopwatch.elapsedSeconds
    }
}
