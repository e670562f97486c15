import EventStore
import NIOCore
import PostgresNIO

extension PostgresEventStore {
    /// Runs `body` with read access to the projection tables, in one
    /// repeatable-read transaction: a snapshot that includes every event
    /// committed before it began.
    public func readProjections<R>(_ body: (borrowing ProjectionReader) throws -> R) throws -> R {
        try withSession("reading the projections") { session in
            try session.transaction(isolation: "REPEATABLE READ READ ONLY", waitingForCommit: false) {
                try body(ProjectionReader(tables: PostgresTableReads(session: session)))
            }
        }
    }

    /// Rebuilds every projection table from the log, in one transaction
    /// that holds the head row: appends of every process wait meanwhile,
    /// readers see the old tables until it commits.
    public func rebuildProjections(progress: ((UInt64) -> Void)?) throws(EventStoreError) -> RebuildReport {
        if options.readOnly {
            throw .readOnly(path: location.description, reason: "rebuilding writes the projection tables")
        }
        let projections = options.projections
        return try withSession("rebuilding the projections") { session in
            try Self.rebuild(session: session, projections: projections, progress: progress)
        }
    }

    static func rebuild(
        session: PostgresSession, projections: [any Projection], progress: ((UInt64) -> Void)?
    ) throws(EventStoreError) -> RebuildReport {
        do {
            return try session.transaction {
                _ = try PostgresAppender.begin(on: session, projections: [], location: "")  // holds the head row
                let replayed = MemoryProjectionTables()
                let events = try replay(session, into: replayed, projections: projections, progress: progress)
                try session.query("DELETE FROM jobledger_projections")
                var entries = 0
                for table in projections.flatMap(\.tables) {
                    let rows = replayed.entries(table)
                    entries += rows.count
                    for start in stride(from: 0, to: rows.count, by: 10_000) {
                        let slice = rows[start..<min(rows.count, start + 10_000)]
                        let keys = slice.map { ByteBuffer(bytes: $0.0) }
                        let values = slice.map { ByteBuffer(bytes: $0.1) }
                        try session.query("""
                            INSERT INTO jobledger_projections (table_name, key, value)
                            SELECT \(table.name), k, v FROM unnest(\(keys)::bytea[], \(values)::bytea[]) AS t(k, v)
                            """)
                    }
                }
                try PostgresSchema.setProjectionVersion(EventStore.projectionVersion(of: projections), session)
                // A new xmin on the head row: writers forget the rows they remember.
                try session.query("UPDATE jobledger_head SET last_position = last_position WHERE id = 1")
                return RebuildReport(events: events, entries: entries)
            }
        } catch let error as EventStoreError {
            throw error
        } catch {
            throw .database("rebuilding the projections: \(PostgresSession.message(error))")
        }
    }

    /// Replays the log into scratch tables in memory and lists where the
    /// live tables differ (at most `limit` differences); both are read in
    /// one snapshot, and nothing is written.
    public func verifyProjections(limit: Int) throws(EventStoreError) -> [ProjectionDifference] {
        let projections = options.projections
        return try withSession("verifying the projections") { session in
            try session.transaction(isolation: "REPEATABLE READ READ ONLY", waitingForCommit: false) {
                let replayed = MemoryProjectionTables()
                _ = try Self.replay(session, into: replayed, projections: projections, progress: nil)
                let live = PostgresTableReads(session: session)
                var differences: [ProjectionDifference] = []
                for table in projections.flatMap(\.tables).sorted(by: { $0.name < $1.name }) {
                    var liveEntries: [[UInt8]: [UInt8]] = [:]
                    try live.scan(table, from: []) { key, value in
                        liveEntries[key] = value
                        return true
                    }
                    EventStore.appendDifferences(
                        table.name, live: liveEntries, replayed: replayed.tables[table.name] ?? [:], limit: limit,
                        to: &differences)
                }
                return differences
            }
        }
    }

    /// The projection version the tables were built by, and the current one.
    public func projectionVersions() throws(EventStoreError) -> (stored: String?, current: String) {
        let stored = try withSession("reading the projection version") { session in
            try PostgresSchema.projectionVersion(session)
        }
        return (stored, EventStore.projectionVersion(of: options.projections))
    }

    /// Folds the whole log, as the session's transaction sees it, into `tables`.
    private static func replay(
        _ session: PostgresSession, into tables: MemoryProjectionTables, projections: [any Projection],
        progress: ((UInt64) -> Void)?
    ) throws -> Int {
        try EventStore.replayEnvelopes(
            projections: projections, into: ProjectionWriter(tables: tables), progress: progress
        ) { envelope in
            try forEachEnvelope(session, from: 1, through: UInt64(Int64.max)) { position, bytes in
                try envelope(position, bytes)
                return true
            }
        }
    }

    /// Calls `body` with each stored envelope from `first` through `end`,
    /// in position order, while it returns true; reads 2,048 rows per
    /// statement.
    static func forEachEnvelope(
        _ session: PostgresSession, from first: UInt64, through end: UInt64, stream: String? = nil,
        _ body: (UInt64, UnsafeRawBufferPointer) throws -> Bool
    ) throws {
        var next = Int64(clamping: max(first, 1))
        let last = Int64(clamping: end)
        while next <= last {
            let rows: PostgresQueryResult
            if let stream {
                rows = try session.query("""
                    SELECT position, envelope FROM jobledger_events
                    WHERE stream = \(stream) AND position >= \(next) AND position <= \(last)
                    ORDER BY stream_version LIMIT 2048
                    """)
            } else {
                rows = try session.query("""
                    SELECT position, envelope FROM jobledger_events
                    WHERE position >= \(next) AND position <= \(last) ORDER BY position LIMIT 2048
                    """)
            }
            var count = 0
            for row in rows {
                let (position, buffer) = try row.decode((Int64, ByteBuffer).self)
                count += 1
                next = position + 1
                let goOn = try buffer.withUnsafeReadableBytes { try body(UInt64(max(0, position)), $0) }
                if !goOn { return }
            }
            if count < 2048 { return }
        }
    }
}
