/// How much work each workload does in one run.
///
/// The full run is sized to give stable figures; `--quick` shrinks every
/// count so the whole run takes well under a minute.
struct BenchCounts: Codable, Sendable {
    /// Durable commits of baseline A (one put each), and appends of the
    /// single client (one event each); the two alternate in rounds.
    var singleCommits: Int
    /// Rounds the single-client workload and baseline A alternate in.
    var singleRounds: Int
    /// Durable commits of baseline B.
    var rawBatchCommits: Int
    /// Puts in each commit of baseline B.
    var putsPerBatchCommit: Int
    /// Client threads of the concurrent workload.
    var clients: Int
    /// Events each concurrent client appends, one per append; baseline C
    /// makes as many commits of `clients` events each.
    var appendsPerClient: Int
    /// Rounds the concurrent workload and baseline C alternate in.
    var concurrentRounds: Int
    /// Events in the log that the read workload scans.
    var readEvents: Int
    /// Events per append when the read workload fills its log.
    var fillEventsPerAppend: Int
    /// Bytes of every payload and raw value.
    var payloadBytes: Int

    /// Durable one-event transactions of the SQLite single client; they
    /// alternate with baseline A and the ledger's single client.
    var sqliteSingleAppends: Int
    /// Appends of each of the `clients` SQLite clients of workload 2.
    var sqliteAppendsPerClient: Int
    /// Streams the `clients` clients of the shared-streams workload share.
    var sharedStreams: Int
    /// Successful appends each client of the shared-streams workload makes
    /// (on both systems).
    var sharedAppendsPerClient: Int
    /// Workers claiming and completing jobs.
    var jobWorkers: Int
    /// Jobs each worker has in hand at once (a thread each, like a
    /// `Worker` with that concurrency); the baselines get as many threads.
    var jobsPerWorker: Int
    /// Jobs the ledger's workers process (durable).
    var jobs: Int
    /// Jobs the SQLite and raw LMDB workers process.
    var baselineJobs: Int
    /// Rounds the three job workloads alternate in.
    var jobRounds: Int
    /// Jobs cancelled while running, one after the other.
    var cancelRepeats: Int
    /// The worker's lease renewal interval in the cancel workload.
    var renewIntervalMilliseconds: Int
    /// Events in the job log that rebuild, report and export read.
    var logEvents: Int
    /// Rounds the ledger's and SQLite's rebuilds alternate in.
    var rebuildRounds: Int
    /// Jobs in the ledger that the list workload pages through.
    var listJobs: Int
    /// Timed first-page listings after the first one.
    var listRepeats: Int
    /// Client counts of the throughput-versus-clients sweep.
    var sweepClients: [Int]
    /// Appends per point of the sweep and per system, split among its clients.
    var sweepAppends: Int
    /// Threads that fill ledgers and databases before a timed part.
    var builders: Int
    /// Events in the logs of the `pages` workload before its measured commits.
    var pagesLogEvents = 1_000_000
    /// One-event durable commits each side of the `pages` workload makes.
    var pagesCommits = 1_000
    /// Rounds the sides of the `pages` workload alternate in.
    var pagesRounds = 10

    /// The counts for a run; the optional values override single sizes.
    static func make(
        quick: Bool, events: Int?, logEvents: Int? = nil, listJobs: Int? = nil, jobs: Int? = nil,
        pagesEvents: Int? = nil
    ) -> BenchCounts {
        var counts = BenchCounts(
            singleCommits: 10_000, singleRounds: 50, rawBatchCommits: 200, putsPerBatchCommit: 1_000,
            clients: 64, appendsPerClient: 2_000, concurrentRounds: 10,
            readEvents: 1_000_000, fillEventsPerAppend: 1_000, payloadBytes: 200,
            sqliteSingleAppends: 10_000, sqliteAppendsPerClient: 200,
            sharedStreams: 8, sharedAppendsPerClient: 100,
            jobWorkers: 8, jobsPerWorker: 8, jobs: 20_000, baselineJobs: 20_000, jobRounds: 2,
            cancelRepeats: 50, renewIntervalMilliseconds: 50,
            logEvents: 1_000_000, rebuildRounds: 3, listJobs: 1_000_000, listRepeats: 200,
            sweepClients: [1, 4, 16, 64], sweepAppends: 3_000, builders: 16)
        if quick {
            counts.singleCommits = 2_000
            counts.singleRounds = 20
            counts.rawBatchCommits = 20
            counts.appendsPerClient = 200
            counts.concurrentRounds = 4
            counts.readEvents = 100_000
            counts.sqliteSingleAppends = 1_000
            counts.sqliteAppendsPerClient = 20
            counts.sharedAppendsPerClient = 10
            counts.jobs = 2_000
            counts.baselineJobs = 1_000
            counts.cancelRepeats = 10
            counts.logEvents = 30_000
            counts.rebuildRounds = 1
            counts.listJobs = 20_000
            counts.listRepeats = 50
            counts.sweepAppends = 400
            counts.pagesLogEvents = 100_000
            counts.pagesCommits = 200
            counts.pagesRounds = 4
        }
        if let pagesEvents { counts.pagesLogEvents = pagesEvents }
        if let events { counts.readEvents = events }
        if let logEvents { counts.logEvents = logEvents }
        if let listJobs { counts.listJobs = listJobs }
        if let jobs {
            counts.jobs = jobs
            counts.baselineJobs = jobs
        }
        return counts
    }
}
