import Dispatch
import Foundation
import LMDB
import Synchronization

/// Gathers appends from every caller into shared write transactions.
///
/// One writer thread takes all waiting appends (up to a limit), applies each
/// in one LMDB write transaction, commits once (one fsync) and then answers
/// every caller. Each append still succeeds or fails on its own: a refused
/// append writes nothing and does not disturb the others.
final class GroupCommitter: Sendable {
    typealias Completion = @Sendable (Result<AppendResult, EventStoreError>) -> Void

    struct Pending: Sendable {
        let appends: [StreamAppend]
        let eventCount: Int
        let complete: Completion
    }

    private struct Queue {
        var pending: [Pending] = []
        var stopped = false
    }

    private let environment: Environment
    private let layout: StoreLayout
    private let projections: [any Projection]
    private let tables: ProjectionTables
    private let maxEventsPerCommit: Int
    private let queue = PlainLock(Queue())
    private let wake = DispatchSemaphore(value: 0)
    private let finished = DispatchSemaphore(value: 0)
    private let onCommit: @Sendable () -> Void
    let statistics = GroupCommitCounters()

    init(
        environment: Environment, layout: StoreLayout, projections: [any Projection], tables: ProjectionTables,
        maxEventsPerCommit: Int, onCommit: @escaping @Sendable () -> Void
    ) {
        self.environment = environment
        self.layout = layout
        self.projections = projections
        self.tables = tables
        self.maxEventsPerCommit = max(1, maxEventsPerCommit)
        self.onCommit = onCommit
        let thread = Thread { [self] in self.run() }
        thread.name = "jobledger.group-commit"
        thread.start()
    }

    /// Queues an append; `complete` runs on the writer thread once it is
    /// durable or refused.
    func submit(_ pending: Pending) {
        let accepted = queue.withLock { queue in
            if queue.stopped { return false }
            queue.pending.append(pending)
            return true
        }
        if accepted {
            wake.signal()
        } else {
            pending.complete(.failure(.closed))
        }
    }

    /// Lets queued appends finish, then ends the writer thread.
    func stop() {
        let wasRunning = queue.withLock { queue in
            defer { queue.stopped = true }
            return !queue.stopped
        }
        guard wasRunning else { return }
        wake.signal()
        finished.wait()
    }

    private func run() {
        var applier = AppendApplier(layout: layout, projections: projections, tables: tables)
        var lastBatch = 0
        while true {
            wake.wait()
            while true {
                gatherStragglers(expecting: lastBatch)
                let (batch, stopped) = takeBatch()
                lastBatch = batch.count
                if batch.isEmpty {
                    if stopped {
                        finished.signal()
                        return
                    }
                    break
                }
                commit(batch, applier: &applier)
            }
        }
    }

    /// When the last commit served many callers, they are now waking up to
    /// send their next appends: wait a moment (far less than an fsync) for
    /// most of them, so the next commit is not spent on a handful.
    private func gatherStragglers(expecting lastBatch: Int) {
        guard lastBatch >= 4 else { return }
        let target = lastBatch * 3 / 4
        let deadline = ContinuousClock.now + .microseconds(200)
        while ContinuousClock.now < deadline {
            let (waiting, stopped) = queue.withLock { ($0.pending.count, $0.stopped) }
            if waiting >= target || stopped { return }
            usleep(20)
        }
    }

    private func takeBatch() -> ([Pending], Bool) {
        queue.withLock { queue in
            var events = 0
            var count = 0
            for pending in queue.pending {
                if count > 0 && events + pending.eventCount > maxEventsPerCommit { break }
                events += pending.eventCount
                count += 1
            }
            let batch = Array(queue.pending.prefix(count))
            queue.pending.removeFirst(count)
            return (batch, queue.stopped)
        }
    }

    private func commit(_ batch: [Pending], applier: inout AppendApplier) {
        var outcomes: [Result<AppendResult, EventStoreError>] = []
        do {
            try environment.write { txn in
                outcomes.removeAll(keepingCapacity: true)
                var next = try applier.lastPosition(in: txn) + 1
                let now = Date().microsecondsSince1970
                for pending in batch {
                    outcomes.append(try applier.apply(pending.appends, in: txn, nextPosition: &next, nowMicros: now))
                }
                try CommitClock.record(after: outcomes, micros: now, in: txn, meta: layout.meta)
            }
        } catch {
            if batch.count > 1 {
                // Find the append that broke the shared transaction; the
                // others commit on their own.
                for pending in batch { commit([pending], applier: &applier) }
            } else {
                batch[0].complete(.failure(EventStoreError.wrap(error)))
            }
            return
        }
        let written = zip(batch, outcomes).reduce(0) { sum, pair in
            if case .success(let result) = pair.1, !result.wasAlreadyStored { return sum + pair.0.eventCount }
            return sum
        }
        statistics.record(appends: batch.count, events: written)
        if written > 0 { onCommit() }
        for (pending, outcome) in zip(batch, outcomes) { pending.complete(outcome) }
    }
}

/// Counts of what group commit gathered, for benchmarks and `info`.
final class GroupCommitCounters: Sendable {
    private let state = Mutex(GroupCommitStatistics())

    func record(appends: Int, events: Int) {
        state.withLock { stats in
            stats.commits += 1
            stats.appends += appends
            stats.events += events
            stats.largestCommitAppends = max(stats.largestCommitAppends, appends)
            stats.commitsByAppends[appends, default: 0] += 1
        }
    }

    var snapshot: GroupCommitStatistics { state.withLock { $0 } }
}

/// What group commit has done since the store was opened.
public struct GroupCommitStatistics: Sendable, Hashable {
    /// LMDB write transactions committed.
    public var commits = 0
    /// Appends answered (successful or refused).
    public var appends = 0
    /// Events written.
    public var events = 0
    /// Most appends gathered into one commit.
    public var largestCommitAppends = 0
    /// How many commits carried each number of appends: the distribution
    /// behind ``averageAppendsPerCommit``.
    public var commitsByAppends: [Int: Int] = [:]

    /// Average appends per commit.
    public var averageAppendsPerCommit: Double { commits == 0 ? 0 : Double(appends) / Double(commits) }
}
