import EventStore
import Foundation
import JobLedgerTestSupport
import Synchronization
import Testing

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Reads when every reader slot of the ledger is taken.
@Suite struct ReaderSlotTests {
    static func storeWithFourSlots(_ ledger: TemporaryLedger) throws -> EventStore {
        var options = EventStoreOptions.noSync
        options.maxReaders = 4
        return try ledger.open(options)
    }

    @Test func everyReadBeyondTheSlotsGetsReadersFullWhileAppendsGoOn() async throws {
        let ledger = TemporaryLedger()
        let store = try Self.storeWithFourSlots(ledger)
        _ = try await store.append(to: "s", expectedVersion: .noStream, events: [sampleEvent()])

        let held = (0..<4).map { _ in HeldSnapshot(store) }
        for snapshot in held { try await snapshot.waitUntilHeld() }
        let full = EventStoreError.readersFull(max: 4)
        #expect(throws: full) { try store.streamVersion("s") }
        #expect(throws: full) { try store.readStream("s") }
        #expect(throws: full) { try store.readAll() }
        #expect(throws: full) { try store.lastPosition() }
        #expect(throws: full) { try store.event(at: 1) }
        #expect(throws: full) { try store.forEachEvent { _ in true } }
        #expect(throws: full) { try store.exportEvents { _ in } }
        #expect(throws: full) { try store.readProjections { _ in 0 } }
        #expect(throws: full) { try store.verifyLog() }
        await #expect(throws: full) {
            var events = store.subscribe().makeAsyncIterator()
            _ = try await events.next()
        }
        #expect(full.description.contains("all 4 reader slots"))

        // Appends take no reader slot.
        let appended = try await store.append(to: "s", expectedVersion: .exact(1), events: [sampleEvent()])
        #expect(appended.lastPosition == 2)

        // The figures still come, without the free pages that need a snapshot.
        let info = try store.storageInfo()
        #expect(info.readerSlots == 4)
        #expect(info.readerSlotsInUse == 4)
        #expect(info.freePages == nil)
        #expect(info.oldestReader?.processID == getpid())
        #expect(info.oldestReader?.commitsBehind == 1)

        for snapshot in held { try await snapshot.release() }
        #expect(try store.streamVersion("s") == 2)
        #expect(try store.storageInfo().readerSlotsInUse == 0)
    }

    @Test func manyThreadsReadingAtOnceEitherReadOrGetReadersFullAndLeakNoSlot() async throws {
        let ledger = TemporaryLedger()
        let store = try Self.storeWithFourSlots(ledger)
        _ = try await store.append(to: "s", expectedVersion: .noStream, events: (0..<20).map { _ in sampleEvent() })

        let counts = Mutex<(read: Int, refused: Int, other: [String])>((0, 0, []))
        let done = DispatchSemaphore(value: 0)
        let threads = 12
        for _ in 0..<threads {
            Thread {
                for _ in 0..<300 {
                    do {
                        let events = try store.readStream("s")
                        counts.withLock { $0.read += events.count == 20 ? 1 : 0 }
                    } catch let error as EventStoreError where error == .readersFull(max: 4) {
                        counts.withLock { $0.refused += 1 }
                    } catch {
                        counts.withLock { $0.other.append("\(error)") }
                    }
                }
                done.signal()
            }.start()
        }
        let finished = await onOwnThread { (0..<threads).allSatisfy { _ in done.wait(timeout: .now() + 30) == .success } }
        #expect(finished)

        let result = counts.withLock { $0 }
        #expect(result.other == [])
        #expect(result.read + result.refused == threads * 300)
        #expect(result.read > 0)
        #expect(try store.storageInfo().readerSlotsInUse == 0)
        // All four slots are free again: four snapshots at once still open.
        let held = (0..<4).map { _ in HeldSnapshot(store) }
        for snapshot in held { try await snapshot.waitUntilHeld() }
        for snapshot in held { try await snapshot.release() }
    }
}
