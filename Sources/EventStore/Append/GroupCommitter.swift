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
        /// While the writer sleeps: how many waiting appends wake it. `nil`
        /// while it works, when it looks at the queue without being woken.
        var wakeAt: Int?

        /// Whether the submission or stop that just changed the queue must
        /// wake the writer; at most one wake-up per sleep.
        mutating func takeWakeUp() -> Bool {
            guard let wakeAt, stopped || pending.count >= wakeAt else { return false }
            self.wakeAt = nil
            return true
        }
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
        let (accepted, wakes) = queue.withLock { queue in
            if queue.stopped { return (false, false) }
            queue.pending.append(pending)
            return (true, queue.takeWakeUp())
        }
        if wakes { wake.signal() }
        if !accepted { pending.complete(.failure(.closed)) }
    }

    /// Lets queued appends finish, then ends the writer thread.
    func stop() {
        let (wasRunning, wakes) = queue.withLock { queue in
            if queue.stopped { return (false, false) }
            queue.stopped = true
            return (true, queue.takeWakeUp())
        }
        guard wasRunning else { return }
        if wakes { wake.signal() }
        finished.wait()
    }

    private func run() {
        var applier = AppendApplier(layout: layout, projections: projections, tables: tables)
        var returning = 0
        var window = Duration.zero
        while true {
            if returning > 0 { sleep(untilWaiting: returning, deadline: .now + window) }
            sleep(untilWaiting: 1, deadline: nil)
            let (batch, stopped) = takeBatch()
            if batch.isEmpty {
                if stopped {
                    finished.signal()
                    return
                }
                returning = 0
                continue
            }
            let started = ContinuousClock.now
            commit(batch, applier: &applier)
            (returning, window) = expectation(after: batch.count, took: ContinuousClock.now - started)
        }
    }

    /// How many appends to wait for before the next commit, and for how
    /// long at most.
    ///
    /// Callers answered by a commit of many appends tend to come straight
    /// back with their next one, while those that queued during the commit
    /// are already waiting. Committing the waiting ones at once would leave
    /// the returning ones for the commit after, and the callers would settle
    /// into two cohorts taking turns, each commit carrying half of them.
    /// Waiting for both, up to half a commit's time, lets one commit carry
    /// them all. A commit of a few appends waits for nothing, so a lone
    /// caller never waits.
    private func expectation(after answered: Int, took elapsed: Duration) -> (Int, Duration) {
        guard answered >= 4 else { return (0, .zero) }
        let waiting = queue.withLock { $0.pending.count }
        let expected = min(waiting + answered * 3 / 4, maxEventsPerCommit)
        let window = min(max(elapsed / 2, .microseconds(100)), .milliseconds(2))
        return (expected, window)
    }

    /// Sleeps until `count` appends wait, the store stops, or `deadline`
    /// passes (never when it is `nil`).
    private func sleep(untilWaiting count: Int, deadline: ContinuousClock.Instant?) {
        let sleeps = queue.withLock { queue in
            if queue.stopped || queue.pending.count >= count { return false }
            queue.wakeAt = count
            return true
        }
        guard sleeps else { return }
        guard let deadline else {
            wake.wait()
            return
        }
        let remaining = ContinuousClock.now.duration(to: deadline)
        let nanoseconds = max(0, remaining.components.seconds * 1_000_000_000 + remaining.components.attoseconds / 1_000_000_000)
        if wake.wait(timeout: .now() + .nanoseconds(Int(nanoseconds))) == .success { return }
        // Timed out, unless a submission took the wake-up just now: then
        // its signal is on its way and must be consumed.
        let signalled = queue.withLock { queue in
            if queue.wakeAt == nil { return true }
            queue.wakeAt = nil
            return false
        }
        if signalled { wake.wait() }
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
