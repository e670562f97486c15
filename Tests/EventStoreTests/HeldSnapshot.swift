import Dispatch
import EventStore
import Foundation
import Synchronization

/// A read snapshot held open on a thread of its own until released, the
/// way a slow export or a stuck report would hold one.
///
/// `look` runs when the snapshot opens and again just before it closes, so
/// a test can show that the snapshot still sees what it saw at first.
final class HeldSnapshot: Sendable {
    private let entered = DispatchSemaphore(value: 0)
    private let releasing = DispatchSemaphore(value: 0)
    private let finished = DispatchSemaphore(value: 0)
    private let looks = Mutex<(first: Int?, last: Int?)>((nil, nil))
    private let failure = Mutex<(any Error)?>(nil)

    init(_ store: EventStore, look: @escaping @Sendable (borrowing ProjectionReader) throws -> Int = { _ in 0 }) {
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
    func waitUntilHeld() async throws {
        let entered = entered
        guard await onOwnThread({ entered.wait(timeout: .now() + 10) == .success }) else { throw Timeout() }
        if let error = failure.withLock({ $0 }) { throw error }
    }

    /// What `look` saw when the snapshot opened.
    var firstLook: Int? { looks.withLock { $0.first } }

    /// Lets the snapshot close and waits for it; returns what `look` saw last.
    @discardableResult
    func release() async throws -> Int? {
        releasing.signal()
        let finished = finished
        guard await onOwnThread({ finished.wait(timeout: .now() + 10) == .success }) else { throw Timeout() }
        if let error = failure.withLock({ $0 }) { throw error }
        return looks.withLock { $0.last }
    }

    struct Timeout: Error {}
}
