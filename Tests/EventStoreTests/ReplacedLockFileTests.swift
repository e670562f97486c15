import EventStore
import Foundation
import Testing

/// A process whose lock file or writer lock was deleted or replaced no
/// longer shares locks with processes that open the ledger afterwards; its
/// writes would race theirs and be lost. It refuses them instead.
@Suite struct ReplacedLockFileTests {
    static func isReplacement(_ error: EventStoreError, naming file: String) -> Bool {
        error.code == .ledgerFileReplaced && error.reason?.contains(file) == true
    }

    @Test func anAppendAfterTheLockFileWasDeletedIsRefusedAndWritesNothing() throws {
        let ledger = TemporaryLedger("deleted-lock")
        let store = try ledger.open()
        _ = try store.append(to: "s", expectedVersion: .noStream, events: [sampleEvent("kept")])
        try FileManager.default.removeItem(atPath: ledger.path + "/lock.mdb")
        #expect { try store.append(to: "s", expectedVersion: .any, events: [sampleEvent("lost")]) } throws: { error in
            Self.isReplacement(error as! EventStoreError, naming: "lock.mdb")
        }
        #expect(try store.lastPosition() == 1)
    }

    @Test func aDeletionLongAfterTheLastCheckIsStillFound() throws {
        let ledger = TemporaryLedger("deleted-lock-later")
        let store = try ledger.open()
        // As if the ledger had been opened long ago: the check then trusts
        // the directory's modification time instead of each file's.
        var old = [timeval(tv_sec: time(nil) - 3600, tv_usec: 0), timeval(tv_sec: time(nil) - 3600, tv_usec: 0)]
        #expect(utimes(ledger.path, &old) == 0)
        _ = try store.append(to: "s", expectedVersion: .noStream, events: [sampleEvent()])
        _ = try store.append(to: "s", expectedVersion: .any, events: [sampleEvent()])
        try FileManager.default.removeItem(atPath: ledger.path + "/lock.mdb")
        #expect { try store.append(to: "s", expectedVersion: .any, events: [sampleEvent()]) } throws: { error in
            Self.isReplacement(error as! EventStoreError, naming: "lock.mdb")
        }
        #expect(try store.lastPosition() == 2)
    }

    @Test func anAppendAfterTheWriterLockWasReplacedIsRefused() async throws {
        let ledger = TemporaryLedger("replaced-writer-lock")
        let store = try ledger.open()
        _ = try await store.append(to: "s", expectedVersion: .noStream, events: [sampleEvent()])
        let lock = ledger.path + "/writer.lock"
        try FileManager.default.removeItem(atPath: lock)
        #expect(FileManager.default.createFile(atPath: lock, contents: Data()))
        await #expect { try await store.append(to: "s", expectedVersion: .any, events: [sampleEvent()]) } throws: { error in
            Self.isReplacement(error as! EventStoreError, naming: "writer.lock")
        }
        #expect(try store.lastPosition() == 1)
    }

    @Test func aProcessOpeningAfterTheDeletionKeepsItsWritesWhileTheStaleWriterIsRefused() async throws {
        let ledger = TemporaryLedger("deleted-lock-two-processes")
        do {
            let store = try ledger.open()
            _ = try await store.append(to: "s", expectedVersion: .noStream, events: [sampleEvent()])
            try FileManager.default.removeItem(atPath: ledger.path + "/lock.mdb")
            // A process opening now creates a new lock file and appends.
            let child = try ChildProcess(probe: ["append", ledger.path, "0", "20", "nosync"], name: "after-deletion")
            let exit = await child.waitForExit(timeout: .seconds(30))
            #expect(exit == .exited(0), "\(child.errorText)")
            await #expect { try await store.append(to: "s", expectedVersion: .any, events: [sampleEvent()]) } throws: { error in
                Self.isReplacement(error as! EventStoreError, naming: "lock.mdb")
            }
        }
        // Opened afresh (the stale store is closed): the other process's 20
        // events are all there, and nothing of the refused append.
        #expect(try ledger.open().lastPosition() == 21)
    }
}
