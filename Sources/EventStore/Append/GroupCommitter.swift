import Dispatch
import Foundation
import Synchronization

/// Writes a batch of appends in one transaction of a backend: what the
/// group committer's thread calls. A writer lives on that thread alone.
package protocol AppendBatchWriter {
    /// Applies the appends of every caller in `batch` in one transaction and
    /// commits it; returns each caller's outcome, in order. A refused
    /// append writes nothing and leaves the others alone. Throws when the
    /// transaction failed as a whole: nothing of it was committed.
    mutating func commit(_ batch: [[StreamAppend]]) throws -> [Result<AppendResult, EventStoreError>]

    /// Releases what the writer holds, once the last batch is committed.
    mutating func close()
}

extension AppendBatchWriter {
    /// Nothing to release.
    package mutating func close() {}
}

/// Gathers appends from every caller into shared write transactions.
///
/// One writer thread takes all waiting appends (up to a limit), applies each
/// in one write transaction of the backend, commits once (one fsync) and
/// then answers every caller. Each append still succeeds or fails on its
/// own: a refused append writes nothing and does not disturb the others.
package final class GroupCommitter: Sendable {
    /// Called once with an append's outcome, on the writer thread.
    package typealias Completion = @Sendable (Result<AppendResult, EventStoreError>) -> Void

    /// One caller's append, waiting for a commit.
    package struct Pending: Sendable {
        let appends: [StreamAppend]
        let eventCount: Int
        let complete: Completion

        /// An append of `appends` that reports its outcome to `complete`.
        package init(appends: [StreamAppend], complete: @escaping Completion) {
            self.appends = appends
            eventCount = appends.reduce(0) { $0 + $1.events.count }
            self.complete = complete
        }
    }

    private struct Queue {
        var pending: [Pending] = []
        var stopped = false
    }

    private let maxEventsPerCommit: Int
    private let queue = PlainLock(Queue())
    private let wake = DispatchSemaphore(value: 0)
    private let finished = DispatchSemaphore(value: 0)
    private let onCommit: @Sendable () -> Void
    /// What was gathered so far.
    package let statistics = GroupCommitCounters()

    /// Starts the writer thread, which makes its writer with `makeWriter`;
    /// `onCommit` runs after each commit that wrote events.
    package init(
        maxEventsPerCommit: Int, onCommit: @escaping @Sendable () -> Void,
        makeWriter: @escaping @Sendable () -> any AppendBatchWriter
    ) {
        self.maxEventsPerCommit = max(1, maxEventsPerCommit)
        self.onCommit = onCommit
        let thread = Thread { [self] in self.run(writer: makeWriter()) }
        thread.name = "jobledger.group-commit"
        thread.start()
    }

    /// Queues an append; `complete` runs on the writer thread once it is
    /// durable or refused.
    package func submit(_ pending: Pending) {
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
    package func stop() {
        let wasRunning = queue.withLock { queue in
            defer { queue.stopped = true }
            return !queue.stopped
        }
        guard wasRunning else { return }
        wake.signal()
        finished.wait()
    }

    private func run(writer: any AppendBatchWriter) {
        var writer = writer
        var lastBatch = 0
        while true {
            wake.wait()
            while true {
                gatherStragglers(expecting: lastBatch)
                let (batch, stopped) = takeBatch()
                lastBatch = batch.count
                if batch.isEmpty {
                    if stopped {
                        writer.close()
                        finished.signal()
                        return
                    }
                    break
                }
                commit(batch, writer: &writer)
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

    private func commit(_ batch: [Pending], writer: inout any AppendBatchWriter) {
        let outcomes: [Result<AppendResult, EventStoreError>]
        do {
            outcomes = try writer.commit(batch.map(\.appends))
        } catch {
            if batch.count > 1 {
                // Find the append that broke the shared transaction; the
                // others commit on their own.
                for pending in batch { commit([pending], writer: &writer) }
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
package final class GroupCommitCounters: Sendable {
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

    package var snapshot: GroupCommitStatistics { state.withLock { $0 } }
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
