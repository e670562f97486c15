/// One of the six workloads measured on raw LMDB, SQLite and the job ledger
/// in the same run, with the ledger's speed relative to each.
struct Comparison: Codable, Sendable {
    /// What one system measured.
    struct Side: Codable, Sendable {
        /// The figure the value comes from.
        var figureID: String
        /// The measured value, in the comparison's unit; `nil` when not run.
        var value: Double?
        /// Peak RSS in MB while it ran (see the notes for how it was taken).
        var peakMB: Double?
        /// Appends refused by a version conflict (each followed by a retry).
        var conflicts: Int?
    }

    /// 1 to 6.
    var number: Int
    /// What was done.
    var workload: String
    /// The unit of the three values.
    var unit: String
    /// True for times (smaller is better), false for rates.
    var lowerIsBetter: Bool
    /// Raw LMDB, SQLite and the job ledger.
    var raw: Side
    var sqlite: Side
    var jobledger: Side
    /// What the raw LMDB figure is, when it is not the same work.
    var rawNote: String
    /// How many times faster the ledger is than SQLite (above 1: faster).
    var versusSQLite: Double?
    /// How many times faster the ledger is than raw LMDB.
    var versusRaw: Double?
    /// The least `versusSQLite` the ledger should reach, if any.
    var target: Double?
    /// Whether it did.
    var passed: Bool?

    /// The comparisons whose figures exist in `report`.
    static func build(from report: BenchReport) -> [Comparison] {
        let counts = report.counts
        let clients = counts.clients
        let specs: [(Int, String, String, Bool, String, String, String, String, Double?)] = [
            (1, "1 client, 1 event per durable append", "events/s", false, "A", "sqlite-single", "single",
             "A: 1 put per durable commit", 1),
            (2, "\(clients) clients, own streams, 1 event per durable append", "events/s", false, "C", "sqlite-clients",
             "clients", "C: \(clients) store-shaped events per durable commit", 10),
            (3, "\(clients) clients, \(counts.sharedStreams) shared streams, expected versions", "events/s", false, "C",
             "sqlite-shared", "shared", "C (no conflicts possible in raw LMDB)", nil),
            (4, "\(counts.jobWorkers) workers x \(counts.jobsPerWorker) jobs at once claim + complete no-op jobs, durable", "jobs/s", false, "raw-jobs",
             "sqlite-jobs", "jobs", "queue + state databases, 1 durable commit per claim and per completion", 3),
            (5, "read the whole log (\(ReportTable.grouped(counts.logEvents)) events) + rebuild the job projection",
             "events/s", false, "log-scan", "sqlite-rebuild", "rebuild", "cursor scan of the same log only, no rebuild",
             3),
            (6, "first \(ChildTasks.listLimit) pending jobs of one organisation among \(ReportTable.grouped(counts.listJobs))",
             "ms", true, "raw-list", "sqlite-list", "list", "index seek + \(ChildTasks.listLimit) gets", nil),
        ]
        let figures = Dictionary(report.figures.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
        func side(_ id: String) -> Side {
            Side(
                figureID: id, value: figures[id]?.value, peakMB: report.sidePeaks[id] ?? figures[id + "-rss"]?.value,
                conflicts: report.sideConflicts[id])
        }
        func speed(_ ledger: Double?, _ other: Double?, lowerIsBetter: Bool) -> Double? {
            guard let ledger, let other, ledger > 0, other > 0 else { return nil }
            return lowerIsBetter ? other / ledger : ledger / other
        }
        return specs.compactMap { number, workload, unit, lower, rawID, sqliteID, ledgerID, rawNote, target in
            let ledger = side(ledgerID)
            guard ledger.value != nil else { return nil }
            var comparison = Comparison(
                number: number, workload: workload, unit: unit, lowerIsBetter: lower, raw: side(rawID),
                sqlite: side(sqliteID), jobledger: ledger, rawNote: rawNote, target: target)
            comparison.versusSQLite = speed(ledger.value, comparison.sqlite.value, lowerIsBetter: lower)
            comparison.versusRaw = speed(ledger.value, comparison.raw.value, lowerIsBetter: lower)
            if let target, let ratio = comparison.versusSQLite { comparison.passed = ratio >= target }
            return comparison
        }
    }
}
