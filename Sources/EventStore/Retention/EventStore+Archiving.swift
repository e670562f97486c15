import Foundation
import LMDB

extension EventStore {
    /// Takes the oldest events of some streams out of the live log and
    /// appends `appends` (such as the snapshots that stand in for them), in
    /// one write transaction: all of it commits or none of it.
    ///
    /// Each removed event leaves its position recorded in `archived` with
    /// its stream and version, so positions are never reused, `verifyLog`
    /// accounts for every gap, and ``archivedPosition(_:)`` says what a gap
    /// held. Removed events lose their event-id entries too. The first
    /// removal raises the ledger to format 3 (older programs refuse it rather
    /// than report the gaps as damage). The caller keeps the events
    /// elsewhere first: nothing here can bring them back.
    ///
    /// - Throws: ``EventStoreError/Code/wrongExpectedVersion`` when a
    ///   removal's stream or an append's stream moved since it was decided;
    ///   ``EventStoreError/Code/invalidAppend`` when there is nothing to
    ///   append (the log's last position must stay a stored event) or a
    ///   removal names a version beyond its stream. Nothing is written then.
    @discardableResult
    public func removeStreamPrefixes(
        _ removals: [StreamPrefixRemoval], appending appends: [StreamAppend]
    ) throws(EventStoreError) -> AppendResult {
        if let appendRefusal { throw appendRefusal }
        guard !appends.isEmpty else {
            throw .invalidAppend(reason: "removing events needs at least one event appended after them")
        }
        try AppendValidation.validate(appends, limits: options.limits)
        let layout = self.layout
        guard let archived = layout.archived else {
            throw .readOnly(path: path, reason: "the ledger is open read-only")
        }
        let projections = options.projections
        let tables = projectionTables
        let versionGuard = ProjectionVersionGuard(path: path, projections: projections, meta: layout.meta)
        let outcome: Result<AppendResult, EventStoreError>
        do {
            outcome = try environment.write { txn in
                try versionGuard?.check(in: txn)
                var applier = AppendApplier(layout: layout, projections: projections, tables: tables)
                // Read before anything is removed: the last event may be one
                // of those removed, and its position must not be given again.
                var next = try max(applier.lastPosition(in: txn), Self.lastArchivedPosition(in: txn, archived)) + 1
                var removedAny = false
                for removal in removals {
                    switch try Self.removePrefix(removal, in: txn, layout: layout, archived: archived) {
                    case .failure(let error): throw RemovalRefused(error: error)
                    case .success(let removed): removedAny = removedAny || removed > 0
                    }
                }
                let result = try applier.apply(
                    appends, in: txn, nextPosition: &next, nowMicros: Date().microsecondsSince1970)
                guard case .success = result else { throw RemovalRefused(error: result.failure!) }
                if removedAny, let format = try txn.get(StoreLayout.formatKey, in: layout.meta),
                   format.first.map({ $0 < StoreLayout.archivedFormat }) ?? false {
                    try txn.put(StoreLayout.formatKey, [StoreLayout.archivedFormat], in: layout.meta)
                }
                try CommitClock.record(micros: Date().microsecondsSince1970, in: txn, meta: layout.meta)
                return result
            }
        } catch let refused as RemovalRefused {
            throw refused.error
        } catch {
            throw EventStoreError.wrap(error)
        }
        notifier.notify()
        return try outcome.get()
    }

    /// What was stored at `position` before it was archived; `nil` when the
    /// position holds an event, lies beyond the log, or was never archived.
    public func archivedPosition(_ position: UInt64) throws(EventStoreError) -> ArchivedPosition? {
        guard let archived = layout.archived else { return nil }
        return try reading { txn in
            try withBigEndianBytes(of: position) { key in
                try txn.get(key, in: archived).flatMap { ArchivedPosition(position: position, storedValue: $0) }
            }
        }
    }

    /// The number of archived positions.
    public func archivedPositionCount() throws(EventStoreError) -> Int {
        guard let archived = layout.archived else { return 0 }
        return try reading { txn in try txn.statistics(of: archived).entries }
    }

    /// Removes versions `1...throughVersion` of one stream; returns how many
    /// events it removed.
    private static func removePrefix(
        _ removal: StreamPrefixRemoval, in txn: borrowing WriteTransaction, layout: StoreLayout, archived: Database
    ) throws -> Result<Int, EventStoreError> {
        var id = removal.streamID
        let record = try id.withUTF8 { key in StreamRecord(try txn.get(UnsafeRawBufferPointer(key), in: layout.streams)) }
        let actual = record?.version ?? 0
        guard let record, removal.expectedVersion.map({ $0 == actual }) ?? true else {
            return .failure(.wrongExpectedVersion(
                stream: removal.streamID, expected: removal.expectedVersion.map { .exact($0) } ?? .streamExists,
                actual: actual))
        }
        guard removal.throughVersion <= record.version else {
            return .failure(.invalidAppend(reason:
                "stream '\(removal.streamID)' has \(record.version) events; cannot remove through version \(removal.throughVersion)"))
        }
        var removed = 0
        var version: UInt64 = 1
        while version <= removal.throughVersion {
            let position = try withBigEndianBytes(of: record.number, version) { indexKey in
                try txn.get(indexKey, in: layout.streamIndex).map { $0.loadBigEndianUInt64(at: 0) }
            }
            if let position {
                try withBigEndianBytes(of: position) { positionKey in
                    if let envelope = try txn.get(positionKey, in: layout.events) {
                        let view = try EventStore.view(envelope, position: position)
                        try withUnsafeBytes(of: view.id.uuid) { idKey in _ = try txn.delete(idKey, in: layout.eventIDs) }
                        _ = try txn.delete(positionKey, in: layout.events)
                    }
                    let entry = ArchivedPosition(position: position, streamID: removal.streamID, streamVersion: version)
                    try entry.storedValue.withUnsafeBytes { value in try txn.put(positionKey, value, in: archived) }
                }
                try withBigEndianBytes(of: record.number, version) { indexKey in
                    _ = try txn.delete(indexKey, in: layout.streamIndex)
                }
                removed += 1
            }
            version += 1
        }
        return .success(removed)
    }

    /// The highest archived position, 0 when none.
    static func lastArchivedPosition(in txn: borrowing WriteTransaction, _ archived: Database) throws -> UInt64 {
        try txn.withCursor(on: archived) { cursor in try cursor.last().map { $0.key.loadBigEndianUInt64(at: 0) } ?? 0 }
    }
}

/// Carries a refusal out of the write transaction, which it rolls back.
private struct RemovalRefused: Error {
    let error: EventStoreError
}

extension Result {
    fileprivate var failure: Failure? {
        if case .failure(let error) = self { return error }
        return nil
    }
}
