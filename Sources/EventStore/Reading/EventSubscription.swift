/// A catch-up subscription: every stored event after a checkpoint, then
/// live events as they are committed, in order, each exactly once.
///
/// The subscription keeps one thing, the next position it owes, and reads
/// the log from there each time it runs dry; catch-up and live delivery are
/// the same read, so there is no hand-over between them for events to fall
/// through (see ``EventStorage/followEvents(format:selection:pollInterval:write:)``,
/// which follows the same rule). Commits of this process wake it at once;
/// commits of other processes, which notify no one here, are found within
/// the poll interval. Notifications are only wake-ups, never the source of
/// what is delivered. To resume after a restart, subscribe again after the
/// last position handled: the checkpoint is exclusive, so nothing is
/// delivered twice or skipped.
///
/// Every event is read with its checksum verified: a damaged event ends the
/// iteration with ``EventStoreError/checksumMismatch(position:stream:stored:computed:)``.
///
/// ```swift
/// for try await event in store.subscribe(after: checkpoint) {
///     try handle(event)
///     checkpoint = event.position
/// }
/// ```
public struct EventSubscription: AsyncSequence, Sendable {
    /// The element type: one stored event.
    public typealias Element = RecordedEvent

    let store: any EventStorage
    let checkpoint: UInt64
    let filter: EventFilter
    let pollInterval: Duration
    let batchSize: Int

    /// Makes the iterator that reads and then waits for events.
    public func makeAsyncIterator() -> Iterator {
        Iterator(subscription: self)
    }

    /// Reads events in batches and waits when it has caught up.
    public struct Iterator: AsyncIteratorProtocol {
        let subscription: EventSubscription
        private var nextPosition: UInt64
        private var buffer: [RecordedEvent] = []
        private var index = 0
        private let exhausted: Bool

        init(subscription: EventSubscription) {
            self.subscription = subscription
            // No event can follow the last possible position; wrapping to 1
            // would deliver the whole log again.
            exhausted = subscription.checkpoint == .max
            nextPosition = exhausted ? .max : subscription.checkpoint + 1
        }

        /// The next event; waits while there is none. Ends (returns `nil`)
        /// when the task is cancelled.
        public mutating func next() async throws -> RecordedEvent? {
            while true {
                if index < buffer.count {
                    defer { index += 1 }
                    return buffer[index]
                }
                if Task.isCancelled { return nil }
                let store = subscription.store
                // Read before the log: a commit between the read and the
                // wait below then ends the wait at once.
                let generation = store.commitGeneration
                if exhausted {
                    await store.waitForCommit(after: generation, timeout: subscription.pollInterval)
                    continue
                }
                let page = try store.readAll(
                    from: nextPosition, filter: subscription.filter, limit: subscription.batchSize,
                    scanLimit: Swift.max(subscription.batchSize, 4096))
                nextPosition = page.nextPosition
                buffer = page.events
                index = 0
                if buffer.isEmpty && page.reachedEnd {
                    await store.waitForCommit(after: generation, timeout: subscription.pollInterval)
                }
            }
        }
    }
}

extension EventStorage {
    /// Subscribes to every event after `position` (exclusive; 0 for the
    /// whole log) that passes `filter`, then to live events.
    ///
    /// - Parameter pollInterval: how often to look for events appended by
    ///   other processes.
    public func subscribe(
        after position: UInt64 = 0, filter: EventFilter = .all,
        pollInterval: Duration = .milliseconds(20), batchSize: Int = 512
    ) -> EventSubscription {
        EventSubscription(
            store: self, checkpoint: position, filter: filter, pollInterval: pollInterval,
            batchSize: max(1, batchSize))
    }
}
