/// A catch-up subscription: every stored event after a checkpoint, then
/// live events as they are committed, in order, each exactly once.
///
/// Events appended by this process wake the subscription at once; events
/// appended by other processes are noticed within the poll interval. To
/// resume after a restart, subscribe again after the last position handled:
/// the checkpoint is exclusive, so nothing is delivered twice or skipped.
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

    let store: EventStore
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

        init(subscription: EventSubscription) {
            self.subscription = subscription
            nextPosition = subscription.checkpoint &+ 1
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
                let generation = store.notifier.generation
                let page = try store.readAll(
                    from: nextPosition, filter: subscription.filter, limit: subscription.batchSize,
                    scanLimit: Swift.max(subscription.batchSize, 4096))
                nextPosition = page.nextPosition
                buffer = page.events
                index = 0
                if buffer.isEmpty && page.reachedEnd {
                    await store.notifier.wait(after: generation, timeout: subscription.pollInterval)
                }
            }
        }
    }
}

extension EventStore {
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
