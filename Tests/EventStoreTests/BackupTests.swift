import Dispatch
import EventStore
import Foundation
import JobLedgerTestSupport
import Synchronization
import Testing

/// Hot backup and restore: a copy taken while eight threads append holds
/// every acknowledged event and checks out; a compacting copy gives free
/// pages back; a backup or restore never writes over anything.
@Suite struct BackupTests {
    /// Runs `body` on a thread of its own, off the cooperative pool: a
    /// backup blocks its caller for the whole copy.
    static func onOwnThread<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            Thread { continuation.resume(with: Result { try body() }) }.start()
        }
    }

    /// Every event of `store`, in position order.
    static func allEvents(_ store: EventStore) throws -> [RecordedEvent] {
        var events: [RecordedEvent] = []
        var position: UInt64 = 1
        while true {
            let page = try store.readAll(from: position, limit: 5000)
            events += page.events
            if page.reachedEnd { return events }
            position = page.nextPosition
        }
    }

    static func readOnly(_ path: String) throws -> EventStore {
        var options = EventStoreOptions()
        options.readOnly = true
        return try EventStore.open(at: path, options: options)
    }

    @Test(.timeLimit(.minutes(2)))
    func aBackupTakenWhileEightThreadsAppendHoldsEveryAcknowledgedEventAndChecksOut() async throws {
        let ledger = TemporaryLedger()
        let store = try ledger.open()
        // Enough in the file that the copy takes a while.
        for batch in 0..<40 {
            _ = try await store.append(
                to: "prefill-\(batch)", expectedVersion: .noStream,
                events: (0..<250).map { _ in sampleEvent(String(repeating: "p", count: 300)) })
        }
        /// Positions acknowledged, each with whether it was acknowledged before the backup began.
        let acknowledged = Mutex<[(position: UInt64, beforeBackup: Bool)]>([])
        let failures = Mutex<[String]>([])
        let backupStarted = Atomic<Bool>(false)
        let backupReturned = Atomic<Bool>(false)
        let writers = DispatchGroup()
        for index in 0..<8 {
            writers.enter()
            Thread {
                defer { writers.leave() }
                var version: UInt64 = 0
                var afterReturn = 0
                // Until 20 appends after the backup returned, so the log goes on past the copy.
                while afterReturn < 20 {
                    if backupReturned.load(ordering: .acquiring) { afterReturn += 1 }
                    do throws(EventStoreError) {
                        let result = try store.append(
                            to: "writer-\(index)", expectedVersion: .exact(version), events: [sampleEvent("w\(index)")])
                        version += 1
                        let before = !backupStarted.load(ordering: .acquiring)
                        acknowledged.withLock { $0.append((result.lastPosition, before)) }
                    } catch {
                        failures.withLock { $0.append("\(error)") }
                        return
                    }
                }
            }.start()
        }
        // Let the writers get going before the copy begins.
        while acknowledged.withLock({ $0.count }) < 400 { try await Task.sleep(for: .milliseconds(2)) }
        let backupPath = ledger.path + "-backup"
        backupStarted.store(true, ordering: .releasing)
        let report = try await Self.onOwnThread { try store.backup(to: backupPath) }
        backupReturned.store(true, ordering: .releasing)
        try await Self.onOwnThread { writers.wait() }
        #expect(failures.withLock { $0 }.isEmpty)

        let acks = acknowledged.withLock { $0 }
        let copyLast = report.digest.position
        let liveLast = try store.lastPosition()
        // Every append acknowledged before the backup began is in the copy;
        // the writers went on past it.
        let beforeBackup = acks.filter(\.beforeBackup)
        #expect(beforeBackup.count >= 400)
        #expect(beforeBackup.allSatisfy { $0.position <= copyLast })
        #expect(copyLast < liveLast)
        #expect(report.events == Int(copyLast))

        // The copy is the ledger's prefix, event for event, and proves it by digest.
        let copy = try Self.readOnly(backupPath)
        #expect(try copy.verifyLog().isClean)
        let copied = try Self.allEvents(copy)
        let live = try Self.allEvents(store)
        #expect(copied.count == Int(copyLast))
        #expect(copied == Array(live.prefix(copied.count)))
        #expect(try store.digest(at: copyLast) == report.digest)
        #expect(try copy.digest() == report.digest)
        let mode = try FileManager.default.attributesOfItem(atPath: backupPath + "/data.mdb")[.posixPermissions] as? Int
        #expect(mode == 0o600)
    }

    @Test(.timeLimit(.minutes(2)))
    func aCompactingBackupLeavesFreePagesOutAndARestoreOfItOpensSmallerAndAppends() async throws {
        let ledger = TemporaryLedger()
        let store = try ledger.open()
        _ = try await store.append(to: "before", expectedVersion: .noStream, events: [sampleEvent()])
        // A held snapshot keeps every page freed meanwhile from reuse: the
        // file grows, and those pages stay free once it is released.
        let held = HeldSnapshot(store)
        try await held.waitUntilHeld()
        for batch in 0..<300 {
            _ = try await store.append(
                to: "grow-\(batch % 5)", expectedVersion: .any, events: (0..<5).map { _ in sampleEvent("g") })
        }
        try await held.release()
        let info = try store.storageInfo()
        let freePages = try #require(info.freePages)
        #expect(freePages > 50)

        let plain = try await Self.onOwnThread { try store.backup(to: ledger.path + "-plain") }
        let compact = try await Self.onOwnThread { try store.backup(to: ledger.path + "-compact", compact: true) }
        #expect(compact.compacted && !plain.compacted)
        #expect(compact.digest == plain.digest)
        // Left out: the free pages, less the few the copy's freelist no longer needs.
        #expect(plain.bytes - compact.bytes >= (freePages - 8) * info.pageSize)

        let restoredPath = ledger.path + "-restored"
        let restored = try await Self.onOwnThread {
            try EventStore.restore(from: ledger.path + "-compact", to: restoredPath)
        }
        #expect(restored.digest == compact.digest)
        #expect(restored.bytes == compact.bytes)
        let size = try FileManager.default.attributesOfItem(atPath: restoredPath + "/data.mdb")[.size] as? Int
        #expect(try #require(size) < plain.bytes)
        let reopened = try EventStore.open(at: restoredPath, options: .noSync)
        let next = try await reopened.append(to: "after-restore", expectedVersion: .noStream, events: [sampleEvent()])
        #expect(next.lastPosition == compact.digest.position + 1)
        #expect(try reopened.verifyLog().isClean)
        // The backup it came from stays as it was: no lock file, same digest.
        #expect(!FileManager.default.fileExists(atPath: ledger.path + "-compact/lock.mdb"))
        #expect(try Self.readOnly(ledger.path + "-compact").digest() == compact.digest)
    }

    @Test func aBackupOrRestoreIntoAnythingButANewOrEmptyDirectoryIsRefusedAndWritesNothing() async throws {
        let ledger = TemporaryLedger()
        let store = try ledger.open()
        _ = try await store.append(to: "a", expectedVersion: .noStream, events: [sampleEvent()])
        let taken = ledger.path + "-taken"
        try FileManager.default.createDirectory(atPath: taken, withIntermediateDirectories: true)
        try Data("keep me".utf8).write(to: URL(fileURLWithPath: taken + "/notes.txt"))
        let file = ledger.path + "-file"
        try Data("a file".utf8).write(to: URL(fileURLWithPath: file))

        for target in [taken, file] {
            #expect {
                try store.backup(to: target)
            } throws: { error in
                let error = try #require(error as? EventStoreError)
                return error.code == .backupFailed && error.path == target
            }
        }
        #expect(try FileManager.default.contentsOfDirectory(atPath: taken) == ["notes.txt"])
        #expect(try String(contentsOfFile: taken + "/notes.txt", encoding: .utf8) == "keep me")
        #expect(try String(contentsOfFile: file, encoding: .utf8) == "a file")

        let backup = ledger.path + "-backup"
        _ = try await Self.onOwnThread { try store.backup(to: backup) }
        // Restoring over a directory that holds anything, or from one holding no backup.
        #expect { try EventStore.restore(from: backup, to: taken) } throws: { error in
            (error as? EventStoreError)?.code == .backupFailed && "\(error)".contains("not empty")
        }
        #expect { try EventStore.restore(from: taken, to: ledger.path + "-new") } throws: { error in
            (error as? EventStoreError)?.code == .backupFailed && "\(error)".contains("no backup")
        }
        #expect(!FileManager.default.fileExists(atPath: ledger.path + "-new"))
        #expect(try FileManager.default.contentsOfDirectory(atPath: taken) == ["notes.txt"])
    }
}
