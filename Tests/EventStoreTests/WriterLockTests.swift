import EventStore
import Foundation
import Testing

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Appends of every process take the ledger's `writer.lock` before LMDB's
/// writer mutex, so that a process killed while waiting for the mutex
/// cannot leave another one asleep on it (Docs/Architecture.md).
@Suite struct WriterLockTests {
    @Test("opening and appending in another process each wait while the ledger's writer lock is held", .timeLimit(.minutes(1)))
    func openAndAppendWaitForTheWriterLock() async throws {
        let ledger = TemporaryLedger("writer-lock")
        // Opened before the lock is taken and kept: a later open in this
        // process would wait for the lock like any other.
        let store = try ledger.open()  // creates the ledger and its lock file
        let descriptor = open(ledger.path + "/writer.lock", O_RDWR)
        try #require(descriptor >= 0, "the ledger has no writer.lock")
        defer { close(descriptor) }
        try #require(flock(descriptor, LOCK_EX) == 0)

        // Opening runs write transactions (the databases), so it waits first.
        let child = try ChildProcess(
            probe: ["append", ledger.path, "0", "1", "durable", "--wait-for-go"], name: "append-under-lock")
        #expect(await child.nextLine(timeout: .milliseconds(500)) == .timedOut, "the open went past the held lock")
        flock(descriptor, LOCK_UN)
        let ready = await child.nextLine(timeout: .seconds(20))
        try #require(ready == .line("ready"), "\(ready); stderr: \(child.errorText)")

        // Opened: now only its append is left to wait.
        try #require(flock(descriptor, LOCK_EX) == 0)
        try child.send("go")
        #expect(await child.nextLine(timeout: .milliseconds(500)) == .timedOut, "the append went past the held lock")
        #expect(try store.lastPosition() == 0)

        flock(descriptor, LOCK_UN)
        let line = await child.nextLine(timeout: .seconds(20))
        #expect(line.description.contains("done process=0 events=1"), "\(line); stderr: \(child.errorText)")
        #expect(await child.waitForExit(timeout: .seconds(10)) == .exited(0))
        #expect(try store.lastPosition() == 1)
    }
}
