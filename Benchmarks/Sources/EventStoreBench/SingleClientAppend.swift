import EventStore

/// Workload 3: one thread appends one event at a time to one stream, with
/// the exact expected version, through the blocking API; every append waits
/// for its own durable commit.
///
/// The store stays open between calls to ``append(_:)``, so the workload can
/// run in rounds interleaved with baseline A.
final class SingleClientAppend {
    private let store: EventStore
    private let events: BenchEvents
    private let stream = "job-single"
    private let statisticsAtOpen: GroupCommitStatistics
    private var version: UInt64 = 0

    /// Opens a fresh durable ledger at `path`.
    init(at path: String, events: BenchEvents) throws {
        store = try EventStore.open(at: path)
        self.events = events
        statisticsAtOpen = store.groupCommitStatistics
    }

    /// Appends `count` events, one per append, and returns the seconds taken.
    func append(_ count: Int) throws -> Double {
        let stopwatch = Stopwatch()
        for _ in 0..<count {
            let result = try store.append(to: stream, expectedVersion: .exact(version), events: [events.make()])
            version = result.streams[0].version
        }
        return stopwatch.elapsedSeconds
    }

    /// The store's group-commit statistics now.
    var statistics: GroupCommitStatistics { store.groupCommitStatistics }

    /// The ledger's pages, database by database.
    func pageSnapshot() throws -> PageSnapshot { try store.pageSnapshot() }

    /// Checks the stream holds every appended event and returns how group
    /// commit batched them.
    func finish() throws -> BatchFigures {
        let stored = try store.streamVersion(stream)
        guard stored == version else {
            throw BenchError.verification("stream holds \(stored) events, expected \(version)")
        }
        return BatchFigures(workload: "single client", before: statisticsAtOpen, after: store.groupCommitStatistics)
    }
}
