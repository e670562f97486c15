import EventStore

/// The store's side of the `pages` workload: a durable ledger prefilled
/// like ``RawStoreLog`` through the store's own multi-stream appends, then
/// one-event durable appends with the exact expected version, to a new
/// stream or to a prefilled one chosen at random.
final class StoreCommitPages {
    private let store: EventStore
    private let events: BenchEvents
    private var streamIDs: [String] = []
    private var versions: [UInt64] = []
    private var newStreams: [String] = []
    private var random = SystemRandomNumberGenerator()

    /// Opens a fresh durable ledger at `path` with a map large enough for
    /// `expected` events, so it does not grow while measured.
    init(at path: String, events: BenchEvents, expected: Int) throws {
        var options = EventStoreOptions()
        options.initialMapSize = max(256 << 20, expected * 1_200 * 2)
        store = try EventStore.open(at: path, options: options)
        self.events = events
    }

    /// Bytes per page.
    var pageSize: Int { store.environmentInfo.pageSize }

    /// The ledger's pages, database by database.
    func pageSnapshot() throws -> PageSnapshot { try store.pageSnapshot() }

    /// Fills the ledger with `count` events in `StreamNames.prefillVersions`
    /// events per stream, whole streams per append, about
    /// `eventsPerCommit` events an append.
    func prefill(_ count: Int, eventsPerCommit: Int) throws {
        let perStream = StreamNames.prefillVersions
        var remaining = count
        while remaining > 0 {
            var appends: [StreamAppend] = []
            var planned = 0
            while planned < max(perStream, eventsPerCommit) && remaining > 0 {
                let length = min(perStream, remaining)
                let id = StreamNames.make()
                appends.append(StreamAppend(streamID: id, expectedVersion: .noStream, events: events.make(count: length)))
                streamIDs.append(id)
                versions.append(UInt64(length))
                planned += length
                remaining -= length
            }
            let result = try store.append(appends)
            guard !result.wasAlreadyStored, result.streams.count == appends.count else {
                throw BenchError.verification("pages: a prefill append of \(appends.count) streams was not written")
            }
        }
    }

    /// Appends one event, durably, to a new stream or to a prefilled one.
    func appendOne(to stream: CommitPagesStream) throws {
        switch stream {
        case .new:
            let id = StreamNames.make()
            _ = try store.append(to: id, expectedVersion: .noStream, events: [events.make()])
            newStreams.append(id)
        case .existing:
            let index = Int.random(in: 0..<streamIDs.count, using: &random)
            let result = try store.append(
                to: streamIDs[index], expectedVersion: .exact(versions[index]), events: [events.make()])
            versions[index] = result.streams[0].version
        }
    }

    /// Checks every stream written while measured holds what was appended.
    func verify() throws {
        for id in newStreams {
            let stored = try store.streamVersion(id)
            guard stored == 1 else {
                throw BenchError.verification("pages: new stream \(id) is at version \(stored), expected 1")
            }
        }
        for (id, version) in zip(streamIDs, versions) where version > UInt64(StreamNames.prefillVersions) {
            let stored = try store.streamVersion(id)
            guard stored == version else {
                throw BenchError.verification("pages: stream \(id) is at version \(stored), expected \(version)")
            }
        }
    }
}
