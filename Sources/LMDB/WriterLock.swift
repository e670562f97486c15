import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Lets one write transaction at a time, of all threads and processes,
/// go for LMDB's writer mutex: a lock of this process, then an advisory
/// `flock` on a lock file (``EnvironmentOptions/writerLockFile``).
///
/// LMDB's writer mutex is a robust process-shared mutex, and such a mutex
/// can lose a wake-up: when a process is killed just after the wake-up was
/// handed to it, and a third process takes the mutex before the kernel has
/// cleaned up after the dead one, the other waiters sleep on until someone
/// else contends, which with two processes left is never. A file lock has
/// no such hole: the kernel releases the lock of a dead process and wakes
/// every waiter. Taken first, it leaves LMDB's mutex without sleeping
/// waiters, only with an owner that may have died, which LMDB recovers.
final class WriterLock: Sendable {
    /// -1 when the file could not be opened; writes then rely on LMDB's mutex alone.
    private let descriptor: Int32
    private let local = Mutex(())

    /// Opens (creating when needed, with `mode` whatever the umask) the lock file at `path`.
    init(file path: String, mode: UInt32) {
        let created = open(path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, mode_t(mode))
        if created >= 0 {
            fchmod(created, mode_t(mode))
            descriptor = created
        } else {
            descriptor = open(path, O_RDWR | O_CLOEXEC)
        }
    }

    /// The identity of the open lock file; `nil` when it could not be opened.
    var identity: FileIdentity? { descriptor >= 0 ? FileIdentity(descriptor: descriptor) : nil }

    deinit {
        if descriptor >= 0 { close(descriptor) }
    }

    /// Runs `body`, which opens and ends a write transaction, holding the lock.
    func withLock<R, E: Error>(_ body: () throws(E) -> R) throws(E) -> R {
        try local.withLock { _ throws(E) -> R in
            guard descriptor >= 0 else { return try body() }
            while flock(descriptor, LOCK_EX) != 0 && errno == EINTR {}
            defer { flock(descriptor, LOCK_UN) }
            return try body()
        }
    }
}
