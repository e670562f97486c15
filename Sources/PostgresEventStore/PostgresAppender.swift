import EventStore
import Foundation
import NIOCore
import PostgresNIO

/// Applies appends inside one transaction on PostgreSQL, as the LMDB
/// applier does inside an LMDB write transaction.
///
/// ``begin(on:projections:)`` locks the head row first: from then on no
/// other process appends until this transaction ends, so what it reads is
/// what it writes over, and the positions it hands out are the next ones
/// in commit order. Each append is checked in full (expected versions,
/// stored event ids) before any of its events is written, so a refused
/// append leaves nothing behind. The rows are gathered in memory and sent
/// in a few statements by ``finish()``, which also advances the head and
/// notifies listeners when the transaction commits.
struct PostgresAppender {
    let session: PostgresSession
    let projections: [any Projection]
    /// The ledger's location, for the refusal ``finish()`` may throw.
    let location: String
    /// The position the next event gets.
    private(set) var nextPosition: UInt64
    private let firstPosition: UInt64
    private var versions: [String: UInt64] = [:]
    private var storedIDs: [UUID: UInt64] = [:]
    private var checkedIDs: Set<UUID> = []
    /// Envelopes written in this transaction, by position.
    private var written: [UInt64: [UInt8]] = [:]
    private var writtenByVersion: [StreamVersion: UInt64] = [:]
    private var rows = EventRows()
    private var streamVersions: [String: UInt64] = [:]
    private let tables: PostgresTableWrites
    private let folded = FoldedValue()

    private struct StreamVersion: Hashable {
        let stream: String
        let version: UInt64
    }

    private struct EventRows {
        var positions: [Int64] = []
        var streams: [String] = []
        var versions: [Int64] = []
        var ids: [UUID] = []
        var envelopes: [ByteBuffer] = []
    }

    /// Locks the head row in the session's open transaction and reads the
    /// last position, and in the same round trip reads what `batch` needs
    /// (``prefetch(_:)``): the read is sent right behind the lock, so the
    /// server runs it once the lock is held and it sees every commit
    /// before. `cache` keeps the projection rows it remembers only when
    /// nobody changed the ledger since its last commit; the rows read here
    /// are read whatever it remembers, since that is known only once the
    /// head row answers.
    static func begin(
        on session: PostgresSession, projections: [any Projection], location: String,
        cache: PostgresProjectionCache = PostgresProjectionCache(), prefetching batch: [[StreamAppend]] = []
    ) throws -> PostgresAppender {
        let wanted = Wanted(batch, projections: projections)
        var statements: [PostgresQuery] = ["SELECT last_position, xmin::text FROM jobledger_head WHERE id = 1 FOR UPDATE"]
        if !wanted.isEmpty { statements.append(wanted.query) }
        let answers: [PostgresQueryResult]
        do {
            answers = try session.queries(statements)
        } catch {
            throw EventStoreError.database(error.message)
        }
        guard let (last, xmin) = try answers[0].first?.decode((Int64, String).self), last >= 0 else {
            throw EventStoreError.database("the head row of jobledger_head is missing")
        }
        cache.check(headXmin: xmin)
        var appender = PostgresAppender(
            session: session, projections: projections, location: location, last: UInt64(last), cache: cache)
        if !wanted.isEmpty { try appender.absorb(wanted, answers[1]) }
        return appender
    }

    private init(
        session: PostgresSession, projections: [any Projection], location: String, last: UInt64,
        cache: PostgresProjectionCache
    ) {
        self.session = session
        self.projections = projections
        self.location = location
        nextPosition = last + 1
        firstPosition = last + 1
        tables = PostgresTableWrites(session: session, cache: cache)
    }

    /// The head row's `xmin` after ``finish()`` wrote it: this
    /// transaction's id, which a later transaction finds there when nobody
    /// else wrote in between.
    private(set) var headXmin: String?

    /// What one prefetch reads: stream versions, stored event ids and the
    /// projection rows the projections say they will read.
    private struct Wanted {
        let streams: [String]
        let ids: [UUID]
        let rows: [ProjectionRow]

        /// What `batch` needs beyond the streams of `versions`, the ids of
        /// `checked` and the rows `tables` knows.
        init(
            _ batch: [[StreamAppend]], projections: [any Projection], versions: [String: UInt64] = [:],
            checked: Set<UUID> = [], tables: PostgresTableWrites? = nil
        ) {
            streams = Array(Set(batch.flatMap { $0.map(\.streamID) }).filter { versions[$0] == nil })
            ids = Array(Set(batch.flatMap { $0.flatMap { $0.events.map(\.id) } }).subtracting(checked))
            var rows = Set<ProjectionRow>()
            for stream in streams {
                for projection in projections where projection.reads(stream: stream) {
                    for row in projection.rowsRead(forStream: stream) where tables?.knows(row) != true { rows.insert(row) }
                }
            }
            self.rows = Array(rows)
        }

        var isEmpty: Bool { streams.isEmpty && ids.isEmpty && rows.isEmpty }

        /// One row per stream found (kind 0), per event id stored (kind 1)
        /// and per projection row held (kind 2).
        var query: PostgresQuery {
            let rowTables = rows.map(\.table.name)
            let rowKeys = rows.map { ByteBuffer(bytes: $0.key) }
            return """
                SELECT 0, stream, version, NULL::bytea, NULL::bytea FROM jobledger_streams WHERE stream = ANY(\(streams))
                UNION ALL
                SELECT 1, event_id::text, position, NULL, NULL FROM jobledger_events WHERE event_id = ANY(\(ids))
                UNION ALL
                SELECT 2, p.table_name, 0, p.key, p.value FROM jobledger_projections p
                JOIN unnest(\(rowTables)::text[], \(rowKeys)::bytea[]) AS wanted(t, k) ON p.table_name = wanted.t AND p.key = wanted.k
                """
        }
    }

    /// Reads, in one statement, the versions of every stream of `batch`,
    /// the positions of every event id it carries and the projection rows
    /// its projections say they will read (``Projection/rowsRead(forStream:)``),
    /// so that applying the batch needs no more round trips for those.
    /// What was read before is not read again.
    mutating func prefetch(_ batch: [[StreamAppend]]) throws {
        let wanted = Wanted(batch, projections: projections, versions: versions, checked: checkedIDs, tables: tables)
        guard !wanted.isEmpty else { return }
        try absorb(wanted, session.query(wanted.query))
    }

    /// Remembers what a prefetch of `wanted` answered: every stream,
    /// event id and row asked for is known from then on, found or not.
    private mutating func absorb(_ wanted: Wanted, _ found: PostgresQueryResult) throws {
        for stream in wanted.streams { versions[stream] = 0 }
        checkedIDs.formUnion(wanted.ids)
        for row in wanted.rows { tables.remember(row.table.name, row.key, nil) }
        for row in found {
            let (kind, name, number, key, value) = try row.decode((Int32, String, Int64, ByteBuffer?, ByteBuffer?).self)
            switch kind {
            case 0:
                versions[name] = UInt64(max(0, number))
            case 1:
                guard let id = UUID(uuidString: name) else {
                    throw EventStoreError.database("the server answered an event id that is not a UUID: '\(name)'")
                }
                storedIDs[id] = UInt64(max(0, number))
            default:
                if let key, let value {
                    tables.remember(name, Array(key.readableBytesView), Array(value.readableBytesView))
                }
            }
        }
    }

    /// Checks and applies one caller's append; `nowMicros` stamps events
    /// that carry no time. Only storage failures throw.
    mutating func apply(_ appends: [StreamAppend], nowMicros: Int64) throws -> Result<AppendResult, EventStoreError> {
        try prefetch([appends])
        var stored: [[UInt64]?] = []
        for append in appends {
            switch try checkStoredIDs(append) {
            case .failure(let error):
                return .failure(error)
            case .success(let positions?):
                stored.append(positions)
            case .success(nil):
                let actual = versions[append.streamID] ?? 0
                let holds = try append.expectedVersion.check(actual: actual) { newer in
                    try typeOf(stream: append.streamID, version: newer)
                }
                guard holds else {
                    return .failure(.wrongExpectedVersion(
                        stream: append.streamID, expected: append.expectedVersion, actual: actual))
                }
                stored.append(nil)
            }
        }
        let knownVersions = versions
        if let answer = StoredAppendCheck.answer(
            appends, stored: stored, versions: { knownVersions[appends[$0].streamID] ?? 0 })
        {
            return answer
        }

        var results: [AppendResult.StreamResult] = []
        for append in appends {
            var version = versions[append.streamID] ?? 0
            var positions: [UInt64] = []
            let readers = projections.filter { $0.reads(stream: append.streamID) }
            folded.value = nil
            for event in append.events {
                version += 1
                let position = nextPosition
                nextPosition += 1
                let micros = event.recordedAt?.microsecondsSince1970 ?? nowMicros
                let envelope = EnvelopeCodec.encode(
                    event, streamID: append.streamID, position: position, streamVersion: version,
                    recordedAtMicros: micros)
                rows.positions.append(Int64(position))
                rows.streams.append(append.streamID)
                rows.versions.append(Int64(version))
                rows.ids.append(event.id)
                rows.envelopes.append(ByteBuffer(bytes: envelope))
                written[position] = envelope
                writtenByVersion[StreamVersion(stream: append.streamID, version: version)] = position
                storedIDs[event.id] = position
                positions.append(position)
                if !readers.isEmpty {
                    let recorded = RecordedEvent(
                        position: position, streamID: append.streamID, streamVersion: version, id: event.id,
                        type: event.type, recordedAt: Date(microsecondsSince1970: micros), actor: event.actor,
                        correlationID: event.correlationID, causationID: event.causationID, payload: event.payload,
                        decoded: event.decoded)
                    let writer = ProjectionWriter(tables: tables, folded: folded)
                    for projection in readers {
                        try recorded.namingFailures { try projection.apply(recorded, to: writer) }
                    }
                }
            }
            versions[append.streamID] = version
            streamVersions[append.streamID] = version
            results.append(.init(
                streamID: append.streamID, version: version, positions: positions, projected: folded.value))
        }
        return .success(AppendResult(streams: results, wasAlreadyStored: false))
    }

    /// Whether this transaction wrote anything.
    var wroteEvents: Bool { nextPosition > firstPosition }

    /// Sends the gathered rows, the projection writes and the new head in
    /// one statement, which also asks the server to notify listeners when
    /// the transaction commits.
    ///
    /// The statement's parts run on one snapshot and touch disjoint rows: a
    /// projection key is stored, deleted or merged (a counter change on a
    /// row the transaction did not read, ``PostgresPendingMerges``), only
    /// one of the three.
    ///
    /// The same statement returns the stored projection version. Its
    /// snapshot is taken after ``begin(on:projections:location:cache:)``
    /// locked the head row, which a rebuild also holds until it commits, so
    /// it sees any rebuild that committed before this transaction's lock.
    /// When that version is not the one this appender's projections index
    /// by (a newer build rebuilt the tables since the store opened), it
    /// throws ``EventStoreError/projectionsRebuilt(path:stored:running:)``
    /// and the caller's transaction rolls back: nothing is stored, at no
    /// extra round trip.
    ///
    /// `committing`: the transaction's COMMIT is sent right behind the
    /// statement, in the same round trip, and the version check is made by
    /// the statement itself (it divides by zero when the versions differ,
    /// which aborts the transaction, so the COMMIT that follows rolls it
    /// back); the refusal is then read and thrown.
    mutating func finish(committing: Bool = false) throws {
        guard wroteEvents else {
            if committing { try session.query("COMMIT") }
            return
        }
        let streams = Array(streamVersions.keys)
        let versions = streams.map { Int64(streamVersions[$0]!) }
        let writes = tables.takeWrites()
        let last = Int64(nextPosition - 1)
        let merges = writes.merges
        // Counters are read in the statement itself: every writer holds
        // the head row's lock, so nobody changes them in between.
        let storedCount = PostgresMergeSQL.count("p.value")
        let heldWindow = PostgresMergeSQL.window("p.value")
        let heldCount = PostgresMergeSQL.windowCount("p.value")
        let running = EventStore.projectionVersion(of: projections)
        let enforced = committing && !projections.isEmpty
        let write: PostgresQuery = """
            WITH new_events AS (
                INSERT INTO jobledger_events (position, stream, stream_version, event_id, envelope)
                SELECT * FROM unnest(\(rows.positions)::bigint[], \(rows.streams)::text[], \(rows.versions)::bigint[],
                                     \(rows.ids)::uuid[], \(rows.envelopes)::bytea[])),
            new_versions AS (
                INSERT INTO jobledger_streams (stream, version)
                SELECT * FROM unnest(\(streams)::text[], \(versions)::bigint[])
                ON CONFLICT (stream) DO UPDATE SET version = EXCLUDED.version),
            removed AS (
                DELETE FROM jobledger_projections p
                USING unnest(\(writes.deletedTables)::text[], \(writes.deletedKeys)::bytea[]) AS gone(t, k)
                WHERE p.table_name = gone.t AND p.key = gone.k),
            stored AS (
                INSERT INTO jobledger_projections (table_name, key, value)
                SELECT * FROM unnest(\(writes.putTables)::text[], \(writes.putKeys)::bytea[], \(writes.putValues)::bytea[])
                ON CONFLICT (table_name, key) DO UPDATE SET value = EXCLUDED.value),
            counts AS (
                SELECT t, k, held, CASE
                    WHEN d > 0 AND held > 9223372036854775807 - d THEN held
                    ELSE GREATEST(f, COALESCE(held, 0) + d) END AS result
                FROM (SELECT a.t, a.k, a.f, a.d, \(unescaped: storedCount) AS held
                      FROM unnest(\(merges.addTables)::text[], \(merges.addKeys)::bytea[], \(merges.addFloors)::bigint[],
                                  \(merges.addDeltas)::bigint[]) AS a(t, k, f, d)
                      LEFT JOIN jobledger_projections p ON p.table_name = a.t AND p.key = a.k) AS adding),
            counted AS (
                INSERT INTO jobledger_projections (table_name, key, value)
                SELECT t, k, int8send(result) FROM counts WHERE result > 0
                ON CONFLICT (table_name, key) DO UPDATE SET value = EXCLUDED.value),
            uncounted AS (
                DELETE FROM jobledger_projections p USING counts c
                WHERE p.table_name = c.t AND p.key = c.k AND c.result = 0 AND c.held IS NOT NULL),
            windowed AS (
                INSERT INTO jobledger_projections (table_name, key, value)
                SELECT t, k, CASE
                    WHEN held IS NULL OR length(held) <> 16 OR held_window < w THEN int8send(w) || int8send(c)
                    WHEN held_window > w THEN held
                    WHEN held_count > 9223372036854775807 - c THEN int8send(w) || int8send(held_count)
                    ELSE int8send(w) || int8send(held_count + c) END
                FROM (SELECT m.t, m.k, m.w, m.c, p.value AS held, \(unescaped: heldWindow) AS held_window,
                             \(unescaped: heldCount) AS held_count
                      FROM unnest(\(merges.windowTables)::text[], \(merges.windowKeys)::bytea[], \(merges.windows)::bigint[],
                                  \(merges.windowCounts)::bigint[]) AS m(t, k, w, c)
                      LEFT JOIN jobledger_projections p ON p.table_name = m.t AND p.key = m.k) AS merging
                ON CONFLICT (table_name, key) DO UPDATE SET value = EXCLUDED.value),
            notified AS (
                SELECT pg_notify(\(session.notificationChannel), \(String(last))))
            UPDATE jobledger_head SET last_position = \(last)
            FROM notified, (SELECT (SELECT value FROM jobledger_meta WHERE name = 'projection_version') AS value) AS stored_version
            WHERE id = 1
            RETURNING jobledger_head.xmin::text, stored_version.value,
                1 / (CASE WHEN NOT \(enforced) OR stored_version.value IS NOT DISTINCT FROM \(running) THEN 1 ELSE 0 END)
            """
        let answers: [PostgresQueryResult]
        do {
            answers = try session.queries(committing ? [write, "COMMIT"] : [write])
        } catch let failure where enforced && failure.sqlState == "22012" {
            let stored = try PostgresSchema.projectionVersion(session)
            throw EventStoreError.projectionsRebuilt(path: location, stored: stored ?? "none", running: running)
        } catch {
            throw EventStoreError.database(error.message)
        }
        guard let (xmin, stored, _) = try answers[0].first?.decode((String, String?, Int32).self) else {
            throw EventStoreError.database("the head row of jobledger_head is missing")
        }
        if !projections.isEmpty && stored != running {
            throw EventStoreError.projectionsRebuilt(path: location, stored: stored ?? "none", running: running)
        }
        headXmin = xmin
        rows = EventRows()
        streamVersions.removeAll()
    }

    /// The envelope stored under `position`: written in this transaction or
    /// read from the table.
    func envelope(at position: UInt64) throws -> [UInt8]? {
        if let bytes = written[position] { return bytes }
        let rows = try session.query("SELECT envelope FROM jobledger_events WHERE position = \(Int64(position))")
        return try rows.first.map { Array(try $0.decode(ByteBuffer.self).readableBytesView) }
    }

    /// The type of version `version` of `stream`, for the commuting rule of
    /// expected versions.
    private func typeOf(stream: String, version: UInt64) throws -> String? {
        if let position = writtenByVersion[StreamVersion(stream: stream, version: version)], let bytes = written[position] {
            return try bytes.withUnsafeBytes { try StoredEnvelope.event($0, position: position).type }
        }
        let rows = try session.query("""
            SELECT position, envelope FROM jobledger_events
            WHERE stream = \(stream) AND stream_version = \(Int64(clamping: version))
            """)
        guard let row = rows.first else { return nil }
        let (position, buffer) = try row.decode((Int64, ByteBuffer).self)
        return try buffer.withUnsafeReadableBytes { try StoredEnvelope.event($0, position: UInt64(position)).type }
    }

    /// `nil` when none of the append's event ids is stored; the original
    /// positions when all are stored as this same append; a conflict
    /// otherwise.
    private func checkStoredIDs(_ append: StreamAppend) throws -> Result<[UInt64]?, EventStoreError> {
        let positions = append.events.compactMap { storedIDs[$0.id] }
        return try StoredAppendCheck.check(append, positions: positions) { position, body in
            if let bytes = try envelope(at: position) {
                return try bytes.withUnsafeBytes { try body($0) }
            }
            return try body(nil)
        }
    }
}
