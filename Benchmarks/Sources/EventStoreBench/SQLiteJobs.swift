import Foundation
import GRDB

/// Comparison workload 4 on SQLite, shaped like the ledger's commands.
///
/// A claim is one durable `IMMEDIATE` transaction: read the head of the
/// queue (through an index on state, priority and submission order), append
/// the `JobClaimed` event at the version read plus one, an audit event, and
/// the job row's new state. Reading the head inside the write transaction
/// is the strongest form on SQLite: the write lock serialises claims, so
/// none can lose a race; a stale version would still hit
/// `UNIQUE (stream, version)`, roll back, count as a conflict and be
/// retried. (Reading candidates before the transaction, as the ledger does,
/// lost 2.3 races per job here and was about a quarter slower.) Completion is a
/// second transaction of the same shape.
final class SQLiteJobs {
    private let connections: [any DatabaseWriter]
    private let refused = SharedCounter()
    private var round = 0
    private var position: Int64 = 0

    /// Creates a fresh database at `path` with one connection per worker.
    init(at path: String, mode: SQLiteConnections, workers: Int) throws {
        connections = try SQLiteDatabase(path: path, mode: mode).connections(workers)
    }

    /// Claims that lost a race so far.
    var conflicts: Int { refused.total }

    /// Inserts `count` pending jobs (untimed, one transaction), then lets
    /// the workers process them; returns the seconds of the processing.
    func run(_ count: Int) throws -> Double {
        round += 1
        let round = round
        var position = position
        try connections[0].write { db in
            let now = SQLiteEvents.nowMicros()
            for index in 0..<count {
                let id = "r\(round)-\(index)"
                let submitted = #"{"id":"\#(id)","maxAttempts":3,"organisation":"org-1","owner":"bench-user","payload":"{}","priority":0,"type":"noop"}"#
                try SQLiteEvents.insert(
                    db, stream: "job-" + id, version: 1, type: "JobSubmitted", actor: "bench-user",
                    payload: Data(submitted.utf8), recordedAt: now)
                try Self.audit(db, id: id, actor: "bench-user", role: "user", action: "submit", outcome: "created")
                position += 1
                try db.execute(
                    sql: """
                        INSERT INTO jobs (id, version, state, type, organisation, owner, priority, submitted_at,
                                          submitted_position, payload)
                        VALUES (?, 1, 'pending', 'noop', 'org-1', 'bench-user', 0, ?, ?, '{}')
                        """,
                    arguments: [id, now, position])
            }
        }
        self.position = position

        let connections = connections
        let refused = refused
        let processed = SharedCounter()
        let seconds = try ClientThreads.run(connections.count, name: "sqlite-worker") { worker in
            let connection = connections[worker]
            let name = "worker-\(worker)"
            var done = 0
            while true {
                var claimed: (id: String, version: Int64, attempt: Int64)? = nil
                let committed = try Self.command(connection) { db in
                    let head = try Row.fetchOne(db.cachedStatement(sql: """
                        SELECT id, version, attempt FROM jobs WHERE state = 'pending'
                        ORDER BY priority DESC, submitted_position LIMIT 1
                        """))
                    guard let head else { return }
                    let job: (id: String, version: Int64, attempt: Int64) = (head["id"], head["version"], head["attempt"] + 1)
                    try Self.claim(db, job, worker: name)
                    claimed = job
                }
                guard committed else {
                    refused.add(1)
                    continue
                }
                guard let job = claimed else { break }
                guard try Self.command(connection, { db in try Self.complete(db, job, worker: name) }) else {
                    throw BenchError.verification("SQLite: completing \(job.id) conflicted")
                }
                done += 1
            }
            processed.add(done)
        }
        guard processed.total == count else {
            throw BenchError.verification("SQLite workers processed \(processed.total) of \(count) jobs")
        }
        return seconds
    }

    /// Runs `body` in a durable `IMMEDIATE` transaction; false when it hit
    /// the unique key (the job moved on), with nothing written.
    private static func command(_ writer: any DatabaseWriter, _ body: (Database) throws -> Void) throws -> Bool {
        do {
            try writer.writeWithoutTransaction { db in
                try db.inTransaction(.immediate) {
                    try body(db)
                    return .commit
                }
            }
            return true
        } catch let error as DatabaseError where error.extendedResultCode == .SQLITE_CONSTRAINT_UNIQUE {
            return false
        }
    }

    private static func claim(_ db: Database, _ job: (id: String, version: Int64, attempt: Int64), worker: String) throws {
        let leaseUntil = Date(timeIntervalSinceNow: 60).formatted(.iso8601)
        let payload = #"{"attempt":\#(job.attempt),"leaseUntil":"\#(leaseUntil)","worker":"\#(worker)"}"#
        try SQLiteEvents.insert(
            db, stream: "job-" + job.id, version: job.version + 1, type: "JobClaimed", actor: worker,
            payload: Data(payload.utf8))
        try audit(db, id: job.id, actor: worker, role: "worker", action: "claim", outcome: "claimed")
        try db.cachedStatement(sql: """
            UPDATE jobs SET state = 'running', version = ?, attempt = ?, worker = ?, lease_until = ? WHERE id = ?
            """).execute(arguments: [job.version + 1, job.attempt, worker, leaseUntil, job.id])
    }

    private static func complete(_ db: Database, _ job: (id: String, version: Int64, attempt: Int64), worker: String) throws {
        let payload = #"{"attempt":\#(job.attempt),"worker":"\#(worker)"}"#
        try SQLiteEvents.insert(
            db, stream: "job-" + job.id, version: job.version + 2, type: "JobCompleted", actor: worker,
            payload: Data(payload.utf8))
        try audit(db, id: job.id, actor: worker, role: "worker", action: "complete", outcome: "completed")
        try db.cachedStatement(sql: """
            UPDATE jobs SET state = 'completed', version = ?, worker = NULL, lease_until = NULL WHERE id = ?
            """).execute(arguments: [job.version + 2, job.id])
    }

    /// Appends an audit entry to the job's audit stream (any version: the
    /// next one, read inside the transaction).
    private static func audit(
        _ db: Database, id: String, actor: String, role: String, action: String, outcome: String
    ) throws {
        let stream = "audit-" + id
        let version = try Int64.fetchOne(
            db.cachedStatement(sql: "SELECT COALESCE(MAX(version), 0) FROM events WHERE stream = ?"),
            arguments: [stream]) ?? 0
        let payload = #"""
            {"action":"\#(action)","actor":"\#(actor)","jobID":"\#(id)","organisation":"*","outcome":"\#(outcome)","requestID":"\#(UUID().uuidString.lowercased())","role":"\#(role)"}
            """#
        try SQLiteEvents.insert(
            db, stream: stream, version: version + 1, type: "AuditRecorded", actor: actor, payload: Data(payload.utf8))
    }

    /// Jobs whose stream does not hold exactly one `JobClaimed`, and jobs
    /// not completed.
    func verify() throws -> (doubleClaims: Int, unfinished: Int) {
        try connections[0].read { db in
            let doubleClaims = try Int.fetchOne(db, sql: """
                SELECT COUNT(*) FROM jobs j
                WHERE (SELECT COUNT(*) FROM events e WHERE e.stream = 'job-' || j.id AND e.type = 'JobClaimed') <> 1
                """) ?? -1
            let unfinished = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM jobs WHERE state <> 'completed'") ?? -1
            return (doubleClaims, unfinished)
        }
    }
}
