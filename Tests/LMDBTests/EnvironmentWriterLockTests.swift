import Foundation
import LMDB
import Testing

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Every write transaction takes the environment's writer lock file first.
@Suite struct EnvironmentWriterLockTests {
    @Test(.timeLimit(.minutes(1)))
    func aWriteWaitsWhileTheWriterLockFileIsHeldElsewhere() throws {
        let lockPath = FileManager.default.temporaryDirectory
            .appendingPathComponent("jobledger-lmdb-tests-\(UUID().uuidString).lock").path
        defer { unlink(lockPath) }
        var options = EnvironmentOptions()
        options.writerLockFile = lockPath
        let scratch = try ScratchEnvironment(options)
        let environment = scratch.environment

        // A lock on a descriptor of its own conflicts with the
        // environment's, as another process's would.
        let descriptor = open(lockPath, O_RDWR)
        try #require(descriptor >= 0, "the environment made no lock file")
        defer { close(descriptor) }
        try #require(flock(descriptor, LOCK_EX) == 0)

        let committed = DispatchSemaphore(value: 0)
        Thread {
            _ = try? environment.write { transaction in try transaction.put(key(0), [1], in: scratch.database) }
            committed.signal()
        }.start()
        #expect(committed.wait(timeout: .now() + .milliseconds(300)) == .timedOut, "the write went past the held lock")
        #expect(try scratch.entryCount() == 0)

        flock(descriptor, LOCK_UN)
        #expect(committed.wait(timeout: .now() + .seconds(20)) == .success)
        #expect(try scratch.entryCount() == 1)
    }
}
