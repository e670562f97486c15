import Dispatch
import EventStore
import Foundation
import Synchronization

/// A read snapshot held open on a thread of its own until released, the
/// way a slow export or a stuck report would hold one.
///
/// `look` runs when the snapshot opens and again just before it closes, so
/// a test can show that the snapshot still sees what it saw at first.
public final class HeldSnapshot: Sendable {
    private let entered = DispatchSemaphore(value: 0)
    private let releasing = DispatchSemaphore(value: 0)
    private let finished = DispatchSemaphore(value: 0)
    private let looks = Mutex<(first: Int?, last: Int?)>((nil, nil))
    private let failure = Mutex<(any Error)?>(nil)

    /// Opens a snapshot of `store` on a thread of its own and holds it.
    public init(_ store: EventStore, look: @escaping @Sendable (borrowing ProjectionReader) throws -> Int = { _ in 0 }) {
        let thread = Thread { [self] in
            do {
                try store.readProjections { reader in
                    let first = try look(reader)
                    looks.withLock { $0.first = first }
                    entered.signal()
                    releasing.wait()
                    let last = try look(reader)
                    looks.withLock { $0.last = last }
                }
            } catch {
                failure.withLock { $0 = error }
                entered.signal()
            }
            finished.signal()
        }
        thread.start()
    }

    /// Waits until the snapshot is open; the error when it could not open.
    public func waitUntilHeld() async throws {
        let entered = entered
        guard await Self.onOwnThread({ entered.wait(timeout: .now() + 10) == .success }) else { throw Timeout() }
        if let error = failure.withLock({ $0 }) { throw error }
    }

    /// What `look` saw when the snapshot opened.
    public var firstLook: Int? { looks.withLock { $0.first } }

    /// Lets the snapshot close and waits for it; returns what `look` saw last.
    @discardableResult
    public func release() async throws -> Int? {
        releasing.signal()
        let finished = finished
        guard await Self.onOwnThread({ finished.wait(timeout: .now() + 10) == .success }) else { throw Timeout() }
        if let error = failure.withLock({ $0 }) { throw error }
        return looks.withLock { $0.last }
    }

    /// The snapshot did not open, or did not close, within 10 seconds.
    public struct Timeout: Error {}

    /// Waits for `body` on a thread of its own, off Swift's cooperative pool.
    private static func onOwnThread(_ body: @escaping @Sendable () -> Bool) async -> Bool {
        await withCheckedContinuation { continuation in
            Thread { continuation.resume(returning: body()) }.start()
        }
    }
}
