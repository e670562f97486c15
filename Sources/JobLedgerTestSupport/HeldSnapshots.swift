import Dispatch
import EventStore
import Foundation

/// Read snapshots of a store held open, each on a thread of its own, until
/// released: what a slow reader looks like to the rest of the ledger.
public final class HeldSnapshots: Sendable {
    private let entered = DispatchSemaphore(value: 0)
    private let release = DispatchSemaphore(value: 0)
    private let finished = DispatchSemaphore(value: 0)
    private let count: Int

    /// Starts `count` threads that each open a snapshot of `store` and hold it.
    public init(_ count: Int, of store: EventStore) {
        self.count = count
        for _ in 0..<count {
            Thread { [entered, release, finished] in
                _ = try? store.readProjections { _ in
                    entered.signal()
                    release.wait()
                }
                finished.signal()
            }.start()
        }
    }

    /// Waits (up to `seconds`) until every snapshot is open; false on timeout.
    public func waitUntilHeld(seconds: Double = 10) async -> Bool {
        await Self.wait(for: entered, count, seconds: seconds)
    }

    /// Lets every snapshot end and waits (up to `seconds`) until they have.
    public func release(seconds: Double = 10) async -> Bool {
        for _ in 0..<count { release.signal() }
        return await Self.wait(for: finished, count, seconds: seconds)
    }

    private static func wait(for semaphore: DispatchSemaphore, _ count: Int, seconds: Double) async -> Bool {
        await withCheckedContinuation { continuation in
            Thread {
                let deadline = DispatchTime.now() + seconds
                continuation.resume(returning: (0..<count).allSatisfy { _ in semaphore.wait(timeout: deadline) == .success })
            }.start()
        }
    }
}
