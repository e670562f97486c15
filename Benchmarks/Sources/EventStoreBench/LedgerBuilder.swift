import EventStore
import Foundation
import GRDB
import JobLedger
import LMDB

/// Fills the ledgers and databases that the log and list workloads read,
/// quickly: no fsync, many threads calling the ledger's own API. Nothing
/// here is timed as a figure.
enum LedgerBuilder {
    /// What went into a job log.
    struct LogContents: Sendable {
        /// Jobs submitted.
        var jobs: Int
        /// Events in the log.
        var events: Int
        /// Seconds the fill took.
        var seconds: Double
    }

    /// Commands that job `index` of a log goes through: one in ten is left
    /// pending (submit), one in ten running (submit, claim), the rest
    /// completed (submit, claim, complete). Every command appends two
    /// events: the job event and its audit entry.
    private static func commands(ofJob index: Int) -> Int {
        switch index % 10 {
        case 0: return 1
        case 1: return 2
        default: return 3
        }
    }

    private static func owner(of index: Int) -> Actor {
        Actor(id: "user-\(index % 100)", role: .user, organisation: "org-\(index % 20)")
    }

    /// Builds a job log of exactly `events` events (rounded down to an even
    /// number) at `path` through `JobLedger`, with `threads` threads; then
    /// copies it into a fresh SQLite database at `sqlitePath` (events table
    /// only, not timed). Each thread submits jobs of its own type and claims
    /// only that type, so builders never race for the same job; the jobs left
    /// pending are submitted last.
    static func buildLog(at path: String, events: Int, threads: Int, sqlitePath: String?) throws -> LogContents {
        var plan: [Int] = []
        var remaining = events / 2
        while remaining > 0 {
            let commands = min(Self.commands(ofJob: plan.count), remaining)
            plan.append(commands)
            remaining -= commands
        }
        let jobPlan = plan
        var options = JobLedgerOptions()
        options.store = .noSync
        let ledger = try JobLedger(path: path, options: options)
        let stopwatch = Stopwatch()
        let threads = max(1, threads)
        // Jobs that get claimed first, then the ones left pending: a claim
        // with a type filter reads the queue from its head, and pending jobs
        // of other types in front of it would make every claim slower.
        let claimed = jobPlan.indices.filter { jobPlan[$0] >= 2 }
        let pending = jobPlan.indices.filter { jobPlan[$0] < 2 }
        try ClientThreads.fill(claimed.count, threads: threads, name: "log-builder") { slot in
            let index = claimed[slot]
            let type = "type-\(slot % threads)"
            let id = "log-\(index)"
            _ = try ledger.submit(
                JobSubmission(id: id, type: type, payload: #"{"n":\#(index)}"#), by: owner(of: index))
            let worker = "builder-\(slot % threads)"
            guard let job = try ledger.claim(worker: worker, types: [type], lease: 3600) else {
                throw BenchError.verification("log builder: nothing to claim for \(id)")
            }
            guard job.id == id else { throw BenchError.verification("log builder: claimed \(job.id), expected \(id)") }
            guard jobPlan[index] >= 3 else { return }
            _ = try ledger.complete(id, worker: worker, attempt: job.attempt, result: #"{"ok":true}"#)
        }
        try ClientThreads.fill(pending.count, threads: threads, name: "log-builder") { slot in
            let index = pending[slot]
            _ = try ledger.submit(
                JobSubmission(id: "log-\(index)", type: "type-\(slot % threads)", payload: #"{"n":\#(index)}"#),
                by: owner(of: index))
        }
        let seconds = stopwatch.elapsedSeconds
        let last = try ledger.store.lastPosition()
        guard last == UInt64(events / 2 * 2) else {
            throw BenchError.verification("the job log holds \(last) events, expected \(events / 2 * 2)")
        }
        // The fill skipped fsync: put it on disk now, or the first durable
        // commit that follows (the timed rebuild) would write it all.
        try ledger.store.sync()
        if let sqlitePath { try copyLog(of: ledger.store, toSQLite: sqlitePath) }
        return LogContents(jobs: jobPlan.count, events: Int(last), seconds: seconds)
    }

    /// Copies every event of `store` into the events table of a fresh SQLite
    /// database, 20,000 rows per transaction, keeping positions, streams,
    /// versions, ids, types, times, actors and payloads.
    private static func copyLog(of store: any EventStorage, toSQLite path: String) throws {
        let database = try SQLiteDatabase(path: path, mode: .queues)
        let writer = try database.connection()
        var batch: [RecordedEvent] = []
        func flush() throws {
            guard !batch.isEmpty else { return }
            try writer.write { db in
                let statement = try db.cachedStatement(sql: """
                    INSERT INTO events (position, stream, version, event_id, type, recorded_at, actor, payload)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                    """)
                for event in batch {
                    let id = withUnsafeBytes(of: event.id.uuid) { Data($0) }
                    try statement.execute(arguments: [
                        Int64(event.position), event.streamID, Int64(event.streamVersion), id, event.type,
                        Int64((event.recordedAt.timeIntervalSince1970 * 1_000_000).rounded()), event.actor,
                        Data(event.payload),
                    ])
                }
            }
            batch.removeAll(keepingCapacity: true)
        }
        try store.forEachEvent { event in
            batch.append(event)
            if batch.count == 20_000 { try flush() }
            return true
        }
        try flush()
    }

    /// The organisation, owner and type of job `index` of the list ledger.
    static func listJob(_ index: Int) -> (id: String, organisation: String, owner: String, type: String) {
        ("job-\(index)", "org-\(index % 100)", "user-\(index % 1000)", "type-\(index % 10)")
    }

    /// Submits `jobs` jobs to a fresh ledger at `path` (no fsync) with
    /// `threads` threads: 100 organisations, 1,000 owners, 10 types, all
    /// pending. Returns the seconds taken and the size of one stored job as
    /// JSON (for the raw baseline's values).
    static func buildList(at path: String, jobs: Int, threads: Int) throws -> (seconds: Double, jobBytes: Int) {
        var options = JobLedgerOptions()
        options.store = .noSync
        let ledger = try JobLedger(path: path, options: options)
        let stopwatch = Stopwatch()
        try ClientThreads.fill(jobs, threads: threads, name: "list-builder") { index in
            let job = listJob(index)
            _ = try ledger.submit(
                JobSubmission(id: job.id, type: job.type, payload: #"{"n":\#(index)}"#),
                by: Actor(id: job.owner, role: .user, organisation: job.organisation))
        }
        let seconds = stopwatch.elapsedSeconds
        try ledger.store.sync()
        guard let sample = try ledger.job(listJob(0).id) else {
            throw BenchError.verification("the list ledger lost its first job")
        }
        return (seconds, try JSONEncoder().encode(sample).count)
    }

    /// Fills a fresh SQLite database at `path` with `jobs` pending job rows
    /// of the list ledger's shape (same ids, organisations, owners, types,
    /// submission order), 50,000 rows per transaction.
    static func buildListSQLite(at path: String, jobs: Int) throws {
        let writer = try SQLiteDatabase(path: path, mode: .queues).connection()
        let base = SQLiteEvents.nowMicros()
        var next = 0
        while next < jobs {
            let end = min(jobs, next + 50_000)
            try writer.write { db in
                let statement = try db.cachedStatement(sql: """
                    INSERT INTO jobs (id, version, state, type, organisation, owner, priority, submitted_at,
                                      submitted_position, payload)
                    VALUES (?, 1, 'pending', ?, ?, ?, 0, ?, ?, ?)
                    """)
                for index in next..<end {
                    let job = listJob(index)
                    try statement.execute(arguments: [
                        job.id, job.type, job.organisation, job.owner, base + Int64(index), Int64(2 * index + 1),
                        #"{"n":\#(index)}"#,
                    ])
                }
            }
            next = end
        }
    }

    /// Fills a raw LMDB environment at `path` with the list ledger's
    /// organisation-and-state index (organisation, 0, `pending`, 0,
    /// submission time, id -> nothing) and a jobs database (id -> a value
    /// of `jobBytes` bytes): what the first page has to read at the least.
    static func buildListRaw(at path: String, jobs: Int, jobBytes: Int) throws {
        var options = EnvironmentOptions()
        options.durable = false
        options.mapSize = max(256 << 20, jobs * (jobBytes + 200) * 2)
        let environment = try Environment(path: path, options: options)
        let index = try environment.openDatabase("byOrgState")
        let records = try environment.openDatabase("jobs")
        let value = [UInt8](repeating: 0x7B, count: jobBytes)
        let base = UInt64(SQLiteEvents.nowMicros())
        var next = 0
        while next < jobs {
            let end = min(jobs, next + 50_000)
            try environment.write { txn in
                for position in next..<end {
                    let job = listJob(position)
                    let key = RawListKey.make(organisation: job.organisation, micros: base + UInt64(position), id: job.id)
                    try txn.put(key, [], in: index)
                    try txn.put(Array(job.id.utf8), value, in: records)
                }
            }
            next = end
        }
        try environment.sync(force: true)
    }
}

/// Keys of the raw list baseline's index.
enum RawListKey {
    /// The prefix of every key of pending jobs of `organisation`.
    static func prefix(organisation: String) -> [UInt8] {
        Array(organisation.utf8) + [0] + Array("pending".utf8) + [0]
    }

    /// A full key: prefix, big-endian time, id.
    static func make(organisation: String, micros: UInt64, id: String) -> [UInt8] {
        prefix(organisation: organisation) + withUnsafeBytes(of: micros.bigEndian) { Array($0) } + Array(id.utf8)
    }
}
