import EventStore
import PostgresNIO

/// The ledger's tables in PostgreSQL, created and migrated by the program.
///
/// - `jobledger_meta`: the schema version and the projection version.
/// - `jobledger_head`: one row holding the last position. Every append
///   transaction locks it before it allocates positions and keeps the lock
///   until it commits, so positions are dense and commit in order (see
///   Docs/Architecture.md).
/// - `jobledger_events`: one row per event: its position, stream, version
///   and id for the indexes, and the envelope as LMDB stores it, checksum
///   included, so every read checks it.
/// - `jobledger_streams`: each stream's version.
/// - `jobledger_projections`: every projection table in one key-value
///   table, ordered by key as bytes, as the contract asks.
/// - `jobledger_personal_keys`: the keys of personal data, one row per
///   owner (see ``PersonalDataKey``); not a projection table.
enum PostgresSchema {
    /// The version this program writes and reads.
    static let version = 1

    /// The advisory lock key that serialises schema creation among processes.
    private static let migrationLock: Int64 = 0x6A6F_626C_6564_6765  // "jobledge"

    private static let statements: [String] = [
        """
        CREATE TABLE IF NOT EXISTS jobledger_meta (
            name text PRIMARY KEY,
            value text NOT NULL)
        """,
        """
        CREATE TABLE IF NOT EXISTS jobledger_head (
            id integer PRIMARY KEY CHECK (id = 1),
            last_position bigint NOT NULL)
        """,
        "INSERT INTO jobledger_head (id, last_position) VALUES (1, 0) ON CONFLICT (id) DO NOTHING",
        """
        CREATE TABLE IF NOT EXISTS jobledger_events (
            position bigint PRIMARY KEY,
            stream text NOT NULL,
            stream_version bigint NOT NULL,
            event_id uuid NOT NULL UNIQUE,
            envelope bytea NOT NULL,
            UNIQUE (stream, stream_version))
        """,
        """
        CREATE TABLE IF NOT EXISTS jobledger_streams (
            stream text PRIMARY KEY,
            version bigint NOT NULL)
        """,
        """
        CREATE TABLE IF NOT EXISTS jobledger_projections (
            table_name text NOT NULL,
            key bytea NOT NULL,
            value bytea NOT NULL,
            PRIMARY KEY (table_name, key))
        """,
        """
        CREATE TABLE IF NOT EXISTS jobledger_personal_keys (
            organisation text NOT NULL,
            owner text NOT NULL,
            generation bigint NOT NULL,
            material bytea,
            PRIMARY KEY (organisation, owner))
        """,
    ]

    /// Creates the tables when they are missing and checks the version of
    /// those that exist; a newer schema is refused, as on LMDB.
    static func prepare(_ session: PostgresSession, location: PostgresLocation) throws(EventStoreError) {
        do {
            try session.transaction {
                try session.query("SELECT pg_advisory_xact_lock(\(migrationLock))")
                if let schema = location.schema {
                    try session.query(PostgresQuery(unsafeSQL: "CREATE SCHEMA IF NOT EXISTS \(schema)"))
                }
                for statement in statements { try session.query(PostgresQuery(unsafeSQL: statement)) }
                let rows = try session.query("SELECT value FROM jobledger_meta WHERE name = 'schema_version'")
                if let row = rows.first {
                    let text = try row.decode(String.self)
                    guard let stored = Int(text), stored <= version else {
                        throw EventStoreError.notALedger(
                            path: location.description,
                            reason: "its schema version \(text) is newer than this program's (\(version)); "
                                + "use a newer jobledger")
                    }
                } else {
                    try session.query(
                        "INSERT INTO jobledger_meta (name, value) VALUES ('schema_version', \(String(version)))")
                }
            }
        } catch let error as EventStoreError {
            throw error
        } catch {
            throw .database("preparing the schema: \(PostgresSession.message(error))")
        }
    }

    /// The projection version stored with the tables, if any.
    static func projectionVersion(_ session: PostgresSession) throws(EventStoreError) -> String? {
        let rows = try session.query("SELECT value FROM jobledger_meta WHERE name = 'projection_version'")
        guard let row = rows.first else { return nil }
        do { return try row.decode(String.self) } catch { throw .database("reading the projection version: \(error)") }
    }

    /// Records the projection version, inside the caller's transaction.
    static func setProjectionVersion(_ value: String, _ session: PostgresSession) throws(EventStoreError) {
        try session.query("""
            INSERT INTO jobledger_meta (name, value) VALUES ('projection_version', \(value))
            ON CONFLICT (name) DO UPDATE SET value = EXCLUDED.value
            """)
    }
}
