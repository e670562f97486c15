import Dispatch
import EventStore
import Testing

/// The plain mutex that guards the append queue and the claim hints.
@Suite struct PlainLockTests {
    @Test("increments from many more threads than cores under the plain lock are all kept")
    func concurrentIncrementsAreAllKept() {
        let lock = PlainLock(0)
        let threads = 64
        let perThread = 2_000
        DispatchQueue.concurrentPerform(iterations: threads) { _ in
            for _ in 0..<perThread {
                lock.withLock { $0 += 1 }
            }
        }
        #expect(lock.withLock { $0 } == threads * perThread)
    }

    @Test("an error thrown inside the lock releases it and leaves the value as the body left it")
    func thrownErrorReleasesTheLock() {
        struct Refused: Error {}
        let lock = PlainLock([1, 2])
        #expect(throws: Refused.self) {
            try lock.withLock { (value: inout [Int]) throws(Refused) -> Void in
                value.append(3)
                throw Refused()
            }
        }
        // Taken again on the same thread: a lock left held would deadlock here.
        #expect(lock.withLock { $0 } == [1, 2, 3])
    }
}
