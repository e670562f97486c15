import ArgumentParser
import Foundation
import GRDB

/// How the SQLite clients reach the database file.
enum SQLiteConnections: String, Codable, Sendable, CaseIterable, ExpressibleByArgument {
    /// A `DatabaseQueue` (one SQLite connection) per client, all on the same
    /// file, as separate processes would have. Writers wait for SQLite's
    /// file lock through its busy handler.
    case queues
    /// One `DatabasePool` shared by every client: one writer connection
    /// that GRDB hands to one client at a time (in-process, no busy
    /// waiting), and a pool of reader connections.
    case pool
}

/// The SQLite baseline's database: an event log and a job state table in
/// one file, WAL mode, `synchronous = FULL` (every commit waits for the
/// disk, as the ledger's durable appends do).
///
/// - `events`: `position INTEGER PRIMARY KEY` is the global position (the
///   rowid), `UNIQUE (stream, version)` makes a stale expected version fail
///   on insert, and a unique index on the 16-byte event id mirrors the
///   ledger's event-id index.
/// - `streams`: stream -> current version, the head record that
///   workloads 1 to 3 update in the same transaction as the event (the
///   ledger keeps the same record in its `streams` database).
/// - `jobs`: the job state, updated in the same transaction as each job
///   event, with the listing indexes the ledger's projection keeps (queue,
///   leases, state, organisation + state, owner + state, type + state,
///   submission time).
final class SQLiteDatabase: Sendable {
    /// The database file.
    let path: String
    /// How clients connect.
    let mode: SQLiteConnections
    private let pool: DatabasePool?

    static let schema = """
        CREATE TABLE IF NOT EXISTS events (
            position INTEGER PRIMARY KEY,
            stream TEXT NOT NULL,
            version INTEGER NOT NULL,
            event_id BLOB NOT NULL,
            type TEXT NOT NULL,
            recorded_at INTEGER NOT NULL,
            actor TEXT NOT NULL,
            payload BLOB NOT NULL,
            UNIQUE (stream, version)
        );
        CREATE UNIQUE INDEX IF NOT EXISTS events_by_id ON events (event_id);
        CREATE TABLE IF NOT EXISTS streams (
            stream TEXT PRIMARY KEY,
            version INTEGER NOT NULL
        ) WITHOUT ROWID;
        CREATE TABLE IF NOT EXISTS jobs (
            id TEXT PRIMARY KEY,
            version INTEGER NOT NULL,
            state TEXT NOT NULL,
            type TEXT NOT NULL,
            organisation TEXT NOT NULL,
            owner TEXT NOT NULL,
            priority INTEGER NOT NULL,
            submitted_at INTEGER NOT NULL,
            submitted_position INTEGER NOT NULL,
            attempt INTEGER NOT NULL DEFAULT 0,
            worker TEXT,
            lease_until TEXT,
            payload TEXT NOT NULL
        ) WITHOUT ROWID;
        CREATE INDEX IF NOT EXISTS jobs_queue ON jobs (state, priority DESC, submitted_position) WHERE state = 'pending';
        CREATE INDEX IF NOT EXISTS jobs_leases ON jobs (lease_until) WHERE state IN ('running', 'cancelRequested');
        CREATE INDEX IF NOT EXISTS jobs_by_state ON jobs (state, submitted_at, id);
        CREATE INDEX IF NOT EXISTS jobs_by_org_state ON jobs (organisation, state, submitted_at, id);
        CREATE INDEX IF NOT EXISTS jobs_by_owner_state ON jobs (owner, state, submitted_at, id);
        CREATE INDEX IF NOT EXISTS jobs_by_type_state ON jobs (type, state, submitted_at, id);
        CREATE INDEX IF NOT EXISTS jobs_by_submitted ON jobs (submitted_at, id);
        """

    /// Creates (or opens) the database at `path` and its schema.
    init(path: String, mode: SQLiteConnections) throws {
        self.path = path
        self.mode = mode
        let first = try Self.openQueue(path)
        try first.writeWithoutTransaction { db in try db.execute(sql: Self.schema) }
        if mode == .pool {
            let pool = try DatabasePool(path: path, configuration: Self.configuration())
            try Self.synchronousFull(pool)
            self.pool = pool
        } else {
            pool = nil
        }
    }

    /// WAL, and a long busy timeout so that clients of the `queues` mode
    /// wait for the write lock rather than fail.
    static func configuration() -> Configuration {
        var configuration = Configuration()
        configuration.journalMode = .wal
        configuration.busyMode = .timeout(120)
        return configuration
    }

    /// A `DatabaseQueue` on `path` in WAL mode with `synchronous = FULL`.
    static func openQueue(_ path: String) throws -> DatabaseQueue {
        let queue = try DatabaseQueue(path: path, configuration: configuration())
        try synchronousFull(queue)
        return queue
    }

    /// Sets `synchronous = FULL` on the writer connection and checks it took.
    /// It must come after opening: when GRDB puts a connection in WAL mode
    /// it sets `synchronous = NORMAL` (no fsync per commit), after any
    /// `prepareDatabase` hook has run.
    static func synchronousFull(_ writer: any DatabaseWriter) throws {
        let level = try writer.writeWithoutTransaction { db in
            try db.execute(sql: "PRAGMA synchronous = FULL")
            return try Int.fetchOne(db, sql: "PRAGMA synchronous")
        }
        guard level == 2 else { throw BenchError.verification("SQLite synchronous is \(level ?? -1), not FULL (2)") }
    }

    /// A connection for one client: its own queue, or the shared pool.
    func connection() throws -> any DatabaseWriter {
        if let pool { return pool }
        return try Self.openQueue(path)
    }

    /// `count` connections, one per client.
    func connections(_ count: Int) throws -> [any DatabaseWriter] {
        try (0..<count).map { _ in try connection() }
    }
}

/// The optimistic append of the SQLite baseline.
enum SQLiteEvents {
    static let insertEvent = """
        INSERT INTO events (stream, version, event_id, type, recorded_at, actor, payload) VALUES (?, ?, ?, ?, ?, ?, ?)
        """
    static let upsertStream = """
        INSERT INTO streams (stream, version) VALUES (?, ?) ON CONFLICT (stream) DO UPDATE SET version = excluded.version
        """

    /// Inserts one event at `version` with a prepared (cached) statement.
    /// Throws a `SQLITE_CONSTRAINT_UNIQUE` error when the stream already
    /// holds that version.
    static func insert(
        _ db: Database, stream: String, version: Int64, type: String, actor: String, payload: Data,
        recordedAt: Int64 = nowMicros()
    ) throws {
        try db.cachedStatement(sql: insertEvent).execute(
            arguments: [stream, version, EventIDs.next(), type, recordedAt, actor, payload])
    }

    /// Appends one event to `stream`, which the caller read at version
    /// `expected`, and moves the stream's head record, in one durable
    /// transaction. Returns false, writing nothing, when the stream has
    /// moved on (the insert hit the unique key).
    static func append(
        _ writer: any DatabaseWriter, stream: String, expected: Int64, type: String, actor: String, payload: Data
    ) throws -> Bool {
        do {
            try writer.writeWithoutTransaction { db in
                try db.inTransaction(.immediate) {
                    try insert(db, stream: stream, version: expected + 1, type: type, actor: actor, payload: payload)
                    try db.cachedStatement(sql: upsertStream).execute(arguments: [stream, expected + 1])
                    return .commit
                }
            }
            return true
        } catch let error as DatabaseError where error.extendedResultCode == .SQLITE_CONSTRAINT_UNIQUE {
            return false
        }
    }

    /// The stream's current version (0 when it has no events).
    static func version(_ reader: any DatabaseReader, stream: String) throws -> Int64 {
        try reader.read { db in
            try Int64.fetchOne(db, sql: "SELECT version FROM streams WHERE stream = ?", arguments: [stream]) ?? 0
        }
    }

    /// Microseconds since 1970, the resolution the ledger records.
    static func nowMicros() -> Int64 {
        Int64((Date().timeIntervalSince1970 * 1_000_000).rounded())
    }
}

/// Event ids for SQLite rows: 6 bytes of Unix milliseconds then 10 random
/// bytes, so new ids land near the end of the unique index, as time-ordered
/// ids would in the ledger.
enum EventIDs {
    static func next() -> Data {
        var random = SystemRandomNumberGenerator()
        let millis = UInt64(Date().timeIntervalSince1970 * 1000)
        let high = random.next() as UInt64
        let low = random.next() as UInt64
        var bytes = Data(count: 16)
        for index in 0..<6 { bytes[index] = UInt8(truncatingIfNeeded: millis >> (40 - 8 * UInt64(index))) }
        for index in 6..<8 { bytes[index] = UInt8(truncatingIfNeeded: high >> (8 * UInt64(index))) }
        for index in 8..<16 { bytes[index] = UInt8(truncatingIfNeeded: low >> (8 * UInt64(index - 8))) }
        return bytes
    }
}
