import Foundation

// The everyday forms of the contract's reads, with the defaults callers
// leave out; a backend implements only the full requirements.
extension EventStorage {
    /// Up to `limit` events of `streamID`, forwards from version `version`.
    public func readStream(_ streamID: String, from version: UInt64 = 1, limit: Int = .max) throws(EventStoreError) -> [RecordedEvent] {
        try readStream(streamID, from: version, direction: .forwards, limit: limit)
    }

    /// The last event of `streamID`, whose ``RecordedEvent/streamVersion``
    /// is the stream's version, in one read; `nil` when the stream has none.
    public func lastEvent(of streamID: String) throws(EventStoreError) -> RecordedEvent? {
        try readStream(streamID, from: .max, direction: .backwards, limit: 1).first
    }

    /// One page of the whole log from `position` on (see ``readAll(from:filter:limit:scanLimit:)``).
    public func readAll(from position: UInt64 = 1, filter: EventFilter = .all, limit: Int = 1000) throws(EventStoreError) -> ReadAllPage {
        try readAll(from: position, filter: filter, limit: limit, scanLimit: 100_000)
    }

    /// Each event from `position` on that passes `filter`, in position order, while `body` returns true.
    @discardableResult
    public func forEachEvent(
        from position: UInt64 = 1, filter: EventFilter = .all, _ body: (RecordedEvent) throws -> Bool
    ) throws -> Int {
        try forEachEvent(from: position, filter: filter, chunkSize: 4096, body)
    }

    /// Appends `events` to one stream, once durable; blocks the calling thread.
    public func append(to streamID: String, expectedVersion: ExpectedVersion, events: [EventData]) throws(EventStoreError) -> AppendResult {
        try append([StreamAppend(streamID: streamID, expectedVersion: expectedVersion, events: events)])
    }

    /// Appends `events` to one stream, suspending until they are durable.
    public func append(to streamID: String, expectedVersion: ExpectedVersion, events: [EventData]) async throws(EventStoreError) -> AppendResult {
        try await append([StreamAppend(streamID: streamID, expectedVersion: expectedVersion, events: events)])
    }

    /// Rebuilds every projection table from the log.
    @discardableResult
    public func rebuildProjections() throws(EventStoreError) -> RebuildReport {
        try rebuildProjections(progress: nil)
    }

    /// Rebuilds the projections aside and lists up to 1,000 differences from the live tables.
    public func verifyProjections() throws(EventStoreError) -> [ProjectionDifference] {
        try verifyProjections(limit: 1000)
    }

    /// Checks every event of the log; lists up to 1,000 problems.
    public func verifyLog() throws(EventStoreError) -> LogVerificationReport {
        try verifyLog(limit: 1000)
    }

    /// The digest of the whole log, `nil` for an empty one.
    public func digest() throws(EventStoreError) -> LedgerDigest? {
        try digest(at: nil)
    }

    /// Writes the selected events as chained JSON Lines (or `format`); returns how many.
    @discardableResult
    public func exportEvents(
        format: ExportFormat = .chainedJSONLines, selection: ExportSelection = .all,
        write: (UnsafeRawBufferPointer) throws -> Void
    ) throws -> Int {
        try exportEvents(format: format, selection: selection, write: write)
    }

    /// Writes the selected events to a text stream, such as a `String`.
    @discardableResult
    public func exportEvents(
        to output: inout some TextOutputStream, format: ExportFormat = .chainedJSONLines,
        selection: ExportSelection = .all
    ) throws -> Int {
        try exportEvents(format: format, selection: selection) { bytes in
            output.write(String(decoding: bytes, as: UTF8.self))
        }
    }

    /// Writes the selected events to a file handle, such as standard output
    /// or a file opened for writing.
    @discardableResult
    public func exportEvents(
        to handle: FileHandle, format: ExportFormat = .chainedJSONLines, selection: ExportSelection = .all
    ) throws -> Int {
        try exportEvents(format: format, selection: selection) { bytes in
            try handle.write(contentsOf: Data(bytes))
        }
    }

    /// Writes the selected events, then later ones, polling every 20 ms for other processes' commits.
    @discardableResult
    public func followEvents(
        format: ExportFormat = .jsonLines, selection: ExportSelection = .all,
        write: (UnsafeRawBufferPointer) throws -> Void
    ) async throws -> Int {
        try await followEvents(format: format, selection: selection, pollInterval: .milliseconds(20), write: write)
    }

    /// Appends a checked exported log.
    @discardableResult
    public func importEvents(_ batch: ImportBatch) throws(ImportError) -> ImportReport {
        try importEvents(batch, dryRun: false)
    }

    /// Reads, checks and appends an exported log held in memory (JSON
    /// Lines), all or nothing. See ``EventStore/importEvents(lines:dryRun:)``.
    @discardableResult
    public func importEvents(jsonLines data: Data, dryRun: Bool = false) throws(ImportError) -> ImportReport {
        try importEvents(EventStore.readImport(jsonLines: data, limits: options.limits), dryRun: dryRun)
    }
}
