#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// A value guarded by an ordinary pthread mutex, for the few hot spots that
/// dozens of threads hit at once.
///
/// `Synchronization.Mutex` on Linux is a priority-inheriting futex: a
/// contended lock spins, then sleeps in the kernel, and unlocking hands the
/// lock straight to a sleeping waiter. With far more threads than cores (the
/// job workers' claim loop runs 64 threads on 2 cores) that hand-off forms a
/// convoy: the new owner must be scheduled before anyone can proceed while
/// the others spin. A plain mutex lets a running thread take the lock
/// instead. Measured on the jobs workload of the benchmark, the claim path
/// spent about half of its CPU in the spinning; see Docs/Performance.md.
package final class PlainLock<Value: Sendable>: @unchecked Sendable {
    private let mutex: UnsafeMutablePointer<pthread_mutex_t>
    private var value: Value

    /// Creates a lock guarding `value`.
    package init(_ value: Value) {
        mutex = .allocate(capacity: 1)
        mutex.initialize(to: pthread_mutex_t())
        let status = pthread_mutex_init(mutex, nil)
        precondition(status == 0, "pthread_mutex_init failed with \(status)")
        self.value = value
    }

    deinit {
        pthread_mutex_destroy(mutex)
        mutex.deallocate()
    }

    /// Runs `body` with the value while holding the lock.
    package func withLock<Result, Failure: Error>(_ body: (inout Value) throws(Failure) -> Result) throws(Failure) -> Result {
        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        return try body(&value)
    }
}
