import Dispatch

/// Holds worker threads until all of them are ready, then lets them go at
/// once, so the timed part starts with every client already running.
final class StartBarrier: Sendable {
    private let parties: Int
    private let ready = DispatchSemaphore(value: 0)
    private let go = DispatchSemaphore(value: 0)

    /// A barrier for `parties` workers.
    init(parties: Int) { self.parties = parties }

    /// Called by each worker: reports it is ready and waits for the start.
    func arriveAndWait() {
        ready.signal()
        go.wait()
    }

    /// Called by the coordinator: waits until every worker has arrived.
    func waitForAll() {
        for _ in 0..<parties { ready.wait() }
    }

    /// Called by the coordinator: releases every waiting worker.
    func release() {
        for _ in 0..<parties { go.signal() }
    }
}
