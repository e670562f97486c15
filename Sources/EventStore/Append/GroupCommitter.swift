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
/// One commit is under way at a time, made by its leader: either the
/// writer thread or a blocking caller's own thread. The leader takes every
/// waiting append (up to a limit), applies each in one write transaction of
/// the backend, commits once (one fsync) and answers every caller it
/// carried. Each append still succeeds or fails on its own: a refused
/// append writes nothing and does not disturb the others.
///
/// A blocking caller that finds no commit under way leads: it commits its
/// own append, with any that are waiting, on its own thread, so that a lone
/// caller pays no hand-off to the writer thread and back. Appends that
/// arrive while a commit is under way wait for the writer thread, which
/// takes them as one batch once the commit is done. Async callers never
/// lead (their thread belongs to the cooperative pool, and a commit
/// blocks on an fsync): the writer thread commits for them.
package final class GroupCommitter: Sendable {
    /// Called once with an append's outcome, on the thread that committed it.
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

    /// Who makes the commit under way.
    private enum Leader {
        case nobody
        case writerThread
        case caller
    }

    private struct Queue {
        var pending: [Pending] = []
        var stopped = false
        var leader = Leader.nobody
    }

    /// What the writer thread found when it looked at the queue.
    private enum Turn {
        /// It leads: commit what is waiting.
        case lead
        /// A caller leads; it wakes the thread when done.
        case wait
        /// Nothing waits.
        case idle
        /// Nothing waits and the committer is stopped.
        case finish
    }

    private let maxEventsPerCommit: Int
    private let queue = PlainLock(Queue())
    /// The backend's writer, made at the first commit; only the leader
    /// touches it, so its lock is never contended.
    private let writer = Mutex<(any AppendBatchWriter)?>(nil)
    private let makeWriter: @Sendable () -> any AppendBatchWriter
    private let wake = DispatchSemaphore(value: 0)
    private let finished = DispatchSemaphore(value: 0)
    private let onCommit: @Sendable () -> Void
    /// What was gathered so far.
    package let statistics = GroupCommitCounters()

    /// Starts the writer thread; the writer is made with `makeWriter` at the
    /// first commit, on the thread that makes it. `onCommit` runs after each
    /// commit that wrote events.
    package init(
        maxEventsPerCommit: Int, onCommit: @escaping @Sendable () -> Void,
        makeWriter: @escaping @Sendable () -> any AppendBatchWriter
    ) {
        self.maxEventsPerCommit = max(1, maxEventsPerCommit)
        self.onCommit = onCommit
        self.makeWriter = makeWriter
        let thread = Thread { [self] in self.run() }
        thread.name = "jobledger.group-commit"
        thread.start()
    }

    /// Queues an append for the writer thread; `complete` runs on the
    /// thread that commits it once it is durable or refused.
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

    /// Commits `pending` on the calling thread when no commit is under way,
    /// with whatever else waits; otherwise queues it like ``submit(_:)``.
    /// Either way `complete` has run or will run exactly once. Only for
    /// threads that may block (never from async code).
    func submitOrLead(_ pending: Pending) {
        enum Decision {
            case closed
            case queued
            case lead([Pending])
        }
        let decision = queue.withLock { queue -> Decision in
            if queue.stopped { return .closed }
            guard queue.leader == .nobody else {
                queue.pending.append(pending)
                return .queued
            }
            queue.leader = .caller
            return .lead([pending] + Self.takeBatch(from: &queue, limit: maxEventsPerCommit, besides: pending.eventCount))
        }
        switch decision {
        case .closed:
            pending.complete(.failure(.closed))
        case .queued:
            wake.signal()
        case .lead(let batch):
            commitWithWriter(batch, byCaller: true)
            let handOver = queue.withLock { queue in
                queue.leader = .nobody
                return !queue.pending.isEmpty || queue.stopped
            }
            if handOver { wake.signal() }
        }
    }

    /// How many appends wait for a commit now.
    package var waiting: Int { queue.withLock { $0.pending.count } }

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

    private func run() {
        var lastBatch = 0
        while true {
            wake.wait()
            turns: while true {
                switch nextTurn() {
                case .lead:
                    gatherStragglers(expecting: lastBatch)
                    let batch = queue.withLock { Self.takeBatch(from: &$0, limit: maxEventsPerCommit) }
                    lastBatch = batch.count
                    commitWithWriter(batch, byCaller: false)
                case .wait, .idle:
                    lastBatch = 0
                    break turns
                case .finish:
                    writer.withLock { writer in
                        writer?.close()
                        writer = nil
                    }
                    finished.signal()
                    return
                }
            }
        }
    }

    /// Takes the lead for the writer thread when appends wait and no
    /// caller leads; gives it up when nothing waits. The thread keeps the
    /// lead from one commit to the next while appends keep coming, so a
    /// blocking caller never cuts in while it gathers stragglers.
    private func nextTurn() -> Turn {
        queue.withLock { queue in
            if queue.leader == .caller { return .wait }
            if queue.pending.isEmpty {
                queue.leader = .nobody
                return queue.stopped ? .finish : .idle
            }
            queue.leader = .writerThread
            return .lead
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

    /// The waiting appends, oldest first, removed from the queue: as many
    /// as keep the batch, with the `taken` events already in it, within
    /// `limit` events, and at least one when the batch is still empty.
    private static func takeBatch(from queue: inout Queue, limit: Int, besides taken: Int = 0) -> [Pending] {
        var events = taken
        var count = 0
        for pending in queue.pending {
            if events > 0 && events + pending.eventCount > limit { break }
            events += pending.eventCount
            count += 1
        }
        let batch = Array(queue.pending.prefix(count))
        queue.pending.removeFirst(count)
        return batch
    }

    private func commitWithWriter(_ batch: [Pending], byCaller: Bool) {
        guard !batch.isEmpty else { return }
        writer.withLock { slot in
            var writer = slot ?? makeWriter()
            commit(batch, writer: &writer, byCaller: byCaller)
            slot = writer
        }
    }

    private func commit(_ batch: [Pending], writer: inout any AppendBatchWriter, byCaller: Bool) {
        let outcomes: [Result<AppendResult, EventStoreError>]
        do {
            outcomes = try writer.commit(batch.map(\.appends))
        } catch let refusal as EventStoreError where refusal.code == .projectionsRebuilt {
            // A refusal of the whole store, not of one append: each would meet it alone.
            for pending in batch { pending.complete(.failure(refusal)) }
            return
        } catch {
            if batch.count > 1 {
                // Find the append that broke the shared transaction; the
                // others commit on their own.
                for pending in batch { commit([pending], writer: &writer, byCaller: byCaller) }
            } else {
                batch[0].complete(.failure(EventStoreError.wrap(error)))
            }
            return
        }
        let written = zip(batch, outcomes).reduce(0) { sum, pair in
            if case .success(let result) = pair.1, !result.wasAlreadyStored { return sum + pair.0.eventCount }
            return sum
        }
        statistics.record(appends: batch.count, events: written, byCaller: byCaller)
        if written > 0 { onCommit() }
        for (pending, outcome) in zip(batch, outcomes) { pending.complete(outcome) }
    }
}

/// Counts of what group commit gathered, for benchmarks and `info`.
package final class GroupCommitCounters: Sendable {
    private let state = Mutex(GroupCommitStatistics())

    func record(appends: Int, events: Int, byCaller: Bool) {
        state.withLock { stats in
            stats.commits += 1
            if byCaller { stats.callerCommits += 1 }
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
    /// Of ``commits``, those a blocking caller made on its own thread
    /// because no commit was under way; the writer thread made the others.
    public var callerCommits = 0
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
