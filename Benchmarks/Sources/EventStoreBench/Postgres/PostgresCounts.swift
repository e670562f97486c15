import ArgumentParser

/// How much work the postgres workload does.
struct PostgresCounts: Sendable {
    /// Appends of each of the 64 clients on each store, and single-row
    /// transactions of each plain SQL client.
    var appendsPerClient: Int
    /// How each batched plain SQL transaction inserts its rows.
    var batch: PlainSQLAppends.Form
    /// Rows each batched plain SQL client inserts.
    var batchedRowsPerClient: Int
    /// Rounds the four append sides alternate in.
    var rounds: Int
    /// Server processes on the database of the HTTP parts.
    var servers: Int
    /// Jobs submitted over HTTP through the servers.
    var submits: Int
    /// Jobs the remote workers claim and complete.
    var jobs: Int
    /// Remote workers, spread evenly over the servers.
    var workers: Int
    /// Jobs each remote worker has in hand at once.
    var workerSlots: Int
    /// Events loaded into the long log of the log-size comparison.
    var longLogEvents: Int
    /// Appends of each of the 64 clients on the long and on the empty log.
    var latencyAppendsPerClient: Int

    /// The counts of a full or a `--quick` run; `longLogEvents` overrides
    /// the long log's size.
    init(quick: Bool, batch: PlainSQLAppends.Form, servers: Int, workerSlots: Int, longLogEvents: Int? = nil) {
        appendsPerClient = quick ? 30 : 300
        self.batch = batch
        batchedRowsPerClient = batch.rows * (quick ? 3 : 24)
        rounds = 3
        submits = quick ? 2_000 : 20_000
        jobs = quick ? 2_000 : 20_000
        workers = 16
        self.workerSlots = workerSlots
        self.servers = servers
        self.longLogEvents = longLogEvents ?? (quick ? 20_000 : 1_000_000)
        latencyAppendsPerClient = quick ? 10 : 100
    }
}

/// The `--postgres-batch-form` choices: how the batched plain SQL baseline
/// writes the rows of one transaction.
enum PostgresBatchStyle: String, Sendable, ExpressibleByArgument {
    /// One INSERT ... SELECT FROM unnest of arrays.
    case unnest
    /// One INSERT ... VALUES list.
    case values

    /// The form with `rows` rows per transaction.
    func form(rows: Int) -> PlainSQLAppends.Form {
        switch self {
        case .unnest: return .unnest(rows: rows)
        case .values: return .values(rows: rows)
        }
    }
}
