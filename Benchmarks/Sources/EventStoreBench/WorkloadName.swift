import ArgumentParser

/// The workloads a run can be limited to with `--only`.
///
/// Selecting a workload also selects the baseline its ratio is computed
/// against, so every ratio in a report comes from the same run.
enum WorkloadName: String, CaseIterable, Codable, Sendable, ExpressibleByArgument {
    /// Raw LMDB, one put per durable commit (baseline A).
    case rawCommit = "raw-commit"
    /// Raw LMDB, many puts per durable commit (baseline B).
    case rawBatch = "raw-batch"
    /// One client appending one event at a time.
    case single
    /// Many client threads appending one event at a time each.
    case concurrent
    /// A scan of the whole log, with its raw cursor-scan baseline and peak memory.
    case read
    /// SQLite (GRDB) as a third side of `single` and `concurrent`:
    /// comparison workloads 1 and 2.
    case sqlite
    /// Many clients appending to a few shared streams with expected
    /// versions, on the ledger and on SQLite: comparison workload 3.
    case shared
    /// Workers claiming and completing no-op jobs, durable, on the job
    /// ledger, SQLite and raw LMDB: comparison workload 4.
    case jobs
    /// Latency from cancelling a running job to its worker's acknowledgement.
    case cancel
    /// Rebuild, report and export of a job log, with a raw scan of the same
    /// log and a SQLite rebuild, each in a child process: workload 5.
    case log
    /// The first page of a filtered job listing among many jobs, on the
    /// ledger, SQLite and raw LMDB, each in a child process: workload 6.
    case list
    /// Throughput against the number of clients, SQLite and the ledger,
    /// drawn as an SVG chart.
    case clients
    /// The ledger over HTTP: remote workers against in-process ones,
    /// submits, reads and long-poll claims against `jobledger serve`.
    case http
    /// Submits and reads of jobs with personal fields (sealed with
    /// AES-GCM) against the same jobs without, in one run.
    case personal
    /// A scavenge of ended jobs into an archive, against a whole-log export
    /// of the same events, and the compacted ledger before and after.
    case retention
    /// Claims of due jobs beside 100,000 jobs scheduled for later and under
    /// a concurrency limit, against the same claims without them, in one run.
    case features
    /// The dashboard over many jobs: the jobs page's first page against
    /// the API's list, the overview, and a live page's stream while
    /// writers submit 2,000 jobs a second, against `jobledger serve`.
    case dashboard
    /// The ledger on PostgreSQL: durable appends in process against LMDB
    /// and plain SQL on the same cluster, then submits and remote workers
    /// through two servers on one database. Only when asked for by name,
    /// as it needs PostgreSQL 15 (or `--postgres-url`).
    case postgres
    /// What each of the store's databases adds to a durable commit of one
    /// event on a long log: pages, write calls and bytes, raw LMDB variants
    /// that add one database at a time against the store itself, and the
    /// depth of each database's B-tree.
    case pages

    /// The workloads that must run with this one for its ratio to exist.
    var baselines: [WorkloadName] {
        switch self {
        case .single, .concurrent: return [.rawCommit]
        case .sqlite: return [.rawCommit, .single, .concurrent]
        case .shared: return [.concurrent, .rawCommit]
        case .rawCommit, .rawBatch, .read, .jobs, .cancel, .log, .list, .clients, .http, .personal, .retention, .features,
             .dashboard,
             .postgres, .pages:
            return []
        }
    }

    /// The workloads to run for an `--only` list; all of them but
    /// `postgres` when it is empty.
    static func selection(for only: [WorkloadName]) -> Set<WorkloadName> {
        if only.isEmpty { return Set(allCases).subtracting([.postgres]) }
        var chosen = Set(only)
        for name in only { chosen.formUnion(name.baselines) }
        return chosen
    }
}
