/// How much work each workload does in one run.
///
/// The full run is sized to give stable figures; `--quick` shrinks every
/// count so the whole run takes a few seconds.
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

    /// The counts for a run; `events` overrides the size of the read workload.
    static func make(quick: Bool, events: Int?) -> BenchCounts {
        var counts = BenchCounts(
            singleCommits: 10_000, singleRounds: 50, rawBatchCommits: 200, putsPerBatchCommit: 1_000,
            clients: 64, appendsPerClient: 2_000, concurrentRounds: 10,
            readEvents: 1_000_000, fillEventsPerAppend: 1_000, payloadBytes: 200)
        if quick {
            counts.singleCommits = 2_000
            counts.singleRounds = 20
            counts.rawBatchCommits = 20
            counts.appendsPerClient = 200
            counts.concurrentRounds = 4
            counts.readEvents = 100_000
        }
        if let events { counts.readEvents = events }
        return counts
    }
}
