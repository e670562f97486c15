import Foundation
import LMDB

/// One entry where the live projection and a replay of the log disagree.
public struct ProjectionDifference: Sendable, Hashable {
    /// The projection table.
    public let table: String
    /// The entry's key.
    public let key: [UInt8]
    /// The live value; `nil` when the live table lacks the key.
    public let live: [UInt8]?
    /// The value a replay produces; `nil` when the replay lacks the key.
    public let replayed: [UInt8]?
}

/// What a rebuild did.
public struct RebuildReport: Sendable, Hashable {
    /// Events replayed.
    public let events: Int
    /// Entries written across the projection tables.
    public let entries: Int

    /// A report of a rebuild; a backend makes it.
    package init(events: Int, entries: Int) {
        self.events = events
        self.entries = entries
    }
}

extension EventStore {
    /// Drops every projection table and replays the whole log into them, in
    /// one write transaction: readers see the old projections until the new
    /// ones are complete. Appends wait meanwhile.
    @discardableResult
    public func rebuildProjections(progress: ((UInt64) -> Void)? = nil) throws(EventStoreError) -> RebuildReport {
        if options.readOnly { throw .readOnly(path: path, reason: "rebuilding writes the projection tables") }
        return try Self.rebuild(
            environment: environment, layout: layout, tables: projectionTables, projections: options.projections,
            progress: progress)
    }

    static func rebuild(
        environment: Environment, layout: StoreLayout, tables: ProjectionTables, projections: [any Projection],
        progress: ((UInt64) -> Void)?
    ) throws(EventStoreError) -> RebuildReport {
        do {
            return try environment.write { txn in
                for database in tables.databases.values { try txn.clear(database) }
                let events = try replay(
                    into: tables, projections: projections, layout: layout, txn: txn, environment: environment,
                    progress: progress)
                var entries = 0
                for database in tables.databases.values { entries += try txn.statistics(of: database).entries }
                try txn.put(
                    StoreLayout.projectionVersionKey, Array(projectionVersion(of: projections).utf8), in: layout.meta)
                return RebuildReport(events: events, entries: entries)
            }
        } catch {
            throw EventStoreError.wrap(error)
        }
    }

    /// Replays the whole log into scratch tables and compares them with the
    /// live projections; returns every difference (none when they agree).
    /// Nothing is changed: the scratch work is rolled back. A store opened
    /// read-only replays into a temporary environment of its own instead,
    /// and never waits for the ledger's writer.
    public func verifyProjections(limit: Int = 1000) throws(EventStoreError) -> [ProjectionDifference] {
        if options.readOnly { return try verifyProjectionsWithoutWriting(limit: limit) }
        let live = projectionTables
        let scratch = scratchTables
        let projections = options.projections
        var differences: [ProjectionDifference] = []
        do {
            try environment.write { txn in
                for database in scratch.databases.values { try txn.clear(database) }
                _ = try Self.replay(
                    into: scratch, projections: projections, layout: layout, txn: txn, environment: environment,
                    progress: nil)
                for (table, liveDatabase) in live.databases.sorted(by: { $0.key < $1.key }) {
                    let replayed = try scratch.database(table)
                    try compare(table, liveDatabase, replayed, txn: txn, limit: limit, into: &differences)
                }
                throw RollBack()
            }
        } catch is RollBack {
            return differences
        } catch {
            throw EventStoreError.wrap(error)
        }
        return differences
    }

    /// The projection version recorded when the tables were last built,
    /// and the version of the code; equal when the tables are current.
    public func projectionVersions() throws(EventStoreError) -> (stored: String?, current: String) {
        let key = StoreLayout.projectionVersionKey
        let stored = try reading { txn in try txn.get(key, in: layout.meta).map { String(decoding: $0, as: UTF8.self) } }
        return (stored, currentProjectionVersion)
    }

    var currentProjectionVersion: String { Self.projectionVersion(of: options.projections) }

    package static func projectionVersion(of projections: [any Projection]) -> String {
        projections.map { "\(type(of: $0)):\($0.version)" }.joined(separator: ",")
    }

    /// The projections as they built the tables recorded as built by
    /// `stored` (a value of ``projectionVersion(of:)``), or `nil` when
    /// these projections cannot answer from such tables: other
    /// projections, or a version none of them still reads
    /// (``Projection/asBuilt(byVersion:)``).
    package static func projections(asBuiltBy stored: String?, from projections: [any Projection]) -> [any Projection]? {
        guard let stored else { return projections.isEmpty ? [] : nil }
        let parts = stored.split(separator: ",", omittingEmptySubsequences: false)
        guard parts.count == projections.count else { return nil }
        var built: [any Projection] = []
        for (part, projection) in zip(parts, projections) {
            guard let colon = part.lastIndex(of: ":"), String(part[..<colon]) == "\(type(of: projection))",
                  let version = Int(part[part.index(after: colon)...]), let asBuilt = projection.asBuilt(byVersion: version)
            else { return nil }
            built.append(asBuilt)
        }
        return built
    }

    private static func replay(
        into tables: ProjectionTables, projections: [any Projection], layout: StoreLayout,
        txn: borrowing WriteTransaction, environment: Environment, progress: ((UInt64) -> Void)?
    ) throws -> Int {
        let writer = ProjectionWriter(tables: LMDBTableWrites(txn.lend(), tables))
        return try txn.withCursor(on: layout.events) { cursor in
            try replayLog(
                from: &cursor, projections: projections, into: writer, progress: progress, releasing: environment)
        }
    }

    /// Folds every event from the first under `cursor` (on the events
    /// database) through the replayers of the projections; see
    /// ``replayEnvelopes(projections:into:progress:walk:)``. The cursor may
    /// belong to another environment than the writer's, as in a read-only
    /// verification.
    ///
    /// The log's pages, once read, are dropped from the resident set every
    /// ``releaseEvery`` events when `environment` (the cursor's) is given:
    /// the log is only read here, and its pages stay in the OS cache, so a
    /// replay of a log larger than memory no longer keeps the whole file
    /// resident (520 MB of a 1,000,000-event log did before). The values
    /// must lie in the map: a replay never writes the events database, so
    /// none of its pages is a dirty copy of the transaction.
    static func replayLog(
        from cursor: inout Cursor, projections: [any Projection], into writer: borrowing ProjectionWriter,
        progress: ((UInt64) -> Void)?, releasing environment: Environment? = nil
    ) throws -> Int {
        var entry = try cursor.first()
        return try replayEnvelopes(projections: projections, into: writer, progress: progress) { envelope in
            var touched: (low: UnsafeRawPointer, high: UnsafeRawPointer)?
            var sinceRelease = 0
            while let current = entry {
                try envelope(current.key.loadBigEndianUInt64(at: 0), current.value)
                if let environment, let base = current.value.baseAddress {
                    let end = base + current.value.count
                    touched = touched.map { (min($0.low, base), max($0.high, end)) } ?? (base, end)
                    sinceRelease += 1
                    if sinceRelease == releaseEvery, let span = touched {
                        environment.releaseMappedPages(from: span.low, through: span.high)
                        touched = nil
                        sinceRelease = 0
                    }
                }
                entry = try cursor.next()
            }
            if let environment, let span = touched { environment.releaseMappedPages(from: span.low, through: span.high) }
        }
    }

    /// How many events a replay reads between two releases of the log's
    /// pages: about 16 MB of a job log.
    static let releaseEvery = 32_768

    /// Folds every envelope that `walk` hands over, in position order,
    /// through the replayers of the projections whose streams it belongs
    /// to, then lets each write what it still holds; returns how many
    /// events were handed over. Every backend's rebuild and verification
    /// runs through here.
    package static func replayEnvelopes(
        projections: [any Projection], into writer: borrowing ProjectionWriter, progress: ((UInt64) -> Void)?,
        walk: ((UInt64, UnsafeRawBufferPointer) throws -> Void) throws -> Void
    ) throws -> Int {
        var replayers = projections.map { $0.makeReplayer() }
        let prefixes = projections.map { $0.streamPrefix.map { Array($0.utf8) } }
        var count = 0
        try walk { position, bytes in
            let view = try view(bytes, position: position)
            var event: RecordedEvent?
            for index in replayers.indices {
                if let prefix = prefixes[index], !view.stream.starts(with: prefix) { continue }
                let recorded = event ?? view.recordedEvent
                event = recorded
                try failing(projection: recorded) { try replayers[index].replay(recorded, into: writer) }
            }
            count += 1
            if count % 65_536 == 0 { progress?(position) }
        }
        for index in replayers.indices {
            try failing(projection: nil) { try replayers[index].finish(into: writer) }  // bulk writes
        }
        return count
    }

    /// Runs a projection's step, giving its failure the event's context
    /// (none for the bulk writes after the last event).
    private static func failing(projection event: RecordedEvent?, _ body: () throws -> Void) throws {
        try EventStoreError.naming(stream: event?.streamID ?? "", position: event?.position ?? 0, body)
    }

    private func compare(
        _ table: String, _ live: Database, _ replayed: Database, txn: borrowing WriteTransaction, limit: Int,
        into differences: inout [ProjectionDifference]
    ) throws {
        let liveEntries = try txn.withCursor(on: live) { try Self.entries(under: &$0) }
        let replayedEntries = try txn.withCursor(on: replayed) { try Self.entries(under: &$0) }
        Self.appendDifferences(table, live: liveEntries, replayed: replayedEntries, limit: limit, to: &differences)
    }

    /// Every entry of the database `cursor` is on, key to value.
    static func entries(under cursor: inout Cursor) throws -> [[UInt8]: [UInt8]] {
        var result: [[UInt8]: [UInt8]] = [:]
        var entry = try cursor.first()
        while let current = entry {
            result[Array(current.key)] = Array(current.value)
            entry = try cursor.next()
        }
        return result
    }

    /// Appends the keys of `table` whose live and replayed values differ,
    /// in key order, until `differences` holds `limit`.
    package static func appendDifferences(
        _ table: String, live: [[UInt8]: [UInt8]], replayed: [[UInt8]: [UInt8]], limit: Int,
        to differences: inout [ProjectionDifference]
    ) {
        for key in Set(live.keys).union(replayed.keys).sorted(by: { $0.lexicographicallyPrecedes($1) }) {
            guard differences.count < limit else { return }
            if live[key] != replayed[key] {
                differences.append(ProjectionDifference(table: table, key: key, live: live[key], replayed: replayed[key]))
            }
        }
    }
}

/// Thrown to abort a write transaction whose work was only a check.
private struct RollBack: Error {}
