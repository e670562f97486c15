import EventStore
import Foundation
import Testing

/// Reader slots of processes killed while reading.
@Suite struct StaleReaderTests {
    @Test("slots of killed readers are freed for new readers", .timeLimit(.minutes(1)))
    func slotsOfKilledReadersAreFreedForNewReaders() async throws {
        let ledger = TemporaryLedger("stale-readers")
        var options = EventStoreOptions.noSync
        options.maxReaders = 4
        // Opened first, so the reader table the children join has four slots.
        let store = try ledger.open(options)
        _ = try await store.append(to: "s", expectedVersion: .noStream, events: [sampleEvent()])

        let children = try (0..<4).map { index in
            try ChildProcess(probe: ["hold-snapshot", ledger.path], name: "reader-\(index)")
        }
        for child in children {
            let line = await child.nextLine(timeout: .seconds(20))
            try #require(line == .line("holding"), "\(child.name): \(line); stderr: \(child.errorText)")
        }
        let holding = try store.storageInfo()
        #expect(holding.readerSlotsInUse == 4)
        #expect(children.contains { $0.processIdentifier == holding.oldestReader?.processID })
        #expect(throws: EventStoreError.readersFull(max: 4)) { try store.lastPosition() }

        // A read that finds every slot taken frees the slots of dead processes.
        children[0].kill()
        #expect(await children[0].waitForExit(timeout: .seconds(10)) == .signalled(SIGKILL))
        #expect(try store.lastPosition() == 1)
        #expect(try store.storageInfo().readerSlotsInUse == 3)

        // The figures of `info` free them too, and count what this process freed.
        for child in children[1...2] {
            child.kill()
            #expect(await child.waitForExit(timeout: .seconds(10)) == .signalled(SIGKILL))
        }
        let afterTwo = try store.storageInfo()
        #expect(afterTwo.staleReadersCleared == 3)
        #expect(afterTwo.readerSlotsInUse == 1)
        #expect(afterTwo.oldestReader?.processID == children[3].processIdentifier)

        children[3].kill()
        #expect(await children[3].waitForExit(timeout: .seconds(10)) == .signalled(SIGKILL))
        #expect(try store.clearStaleReaders() == 1)
        let cleared = try store.storageInfo()
        #expect(cleared.staleReadersCleared == 4)
        #expect(cleared.readerSlotsInUse == 0)
        #expect(cleared.oldestReader == nil)
    }
}
