import EventStore
import Foundation
import Synchronization
import Testing

@Suite struct MapGrowthTests {
    @Test func ledgerOpenedWithOneMebibyteMapTakesFiftyMebibytesOfAppends() async throws {
        let ledger = TemporaryLedger()
        var options = EventStoreOptions.noSync
        options.initialMapSize = 1 << 20
        let store = try ledger.open(options)
        let payload = [UInt8](repeating: 0x61, count: 10_000)

        // A reader keeps taking snapshots while the map grows under it.
        let stop = Atomic<Bool>(false)
        let readerErrors = Mutex<[String]>([])
        let reader = Thread {
            while !stop.load(ordering: .relaxed) {
                do { _ = try store.readAll(limit: 10) } catch { readerErrors.withLock { $0.append("\(error)") } }
            }
        }
        reader.start()

        var appended = 0
        for batch in 0..<55 {
            let events = (0..<100).map { _ in EventData(type: "Bulk", payload: payload) }
            let result = try await store.append(to: "bulk-\(batch % 5)", expectedVersion: .any, events: events)
            appended += result.streams[0].positions.count
        }
        stop.store(true, ordering: .relaxed)
        #expect(appended * payload.count >= 50 << 20)
        #expect(store.mapGrowths > 0)
        #expect(store.environmentInfo.mapSize >= 50 << 20)
        #expect(readerErrors.withLock { $0 } == [])
        var count = 0
        try store.forEachEvent { event in
            count += 1
            return event.payload.count == payload.count
        }
        #expect(count == appended)
    }

    @Test func appendBeyondTheMaximumMapSizeFailsCleanlyAndTheLedgerKeepsWorking() async throws {
        let ledger = TemporaryLedger()
        var options = EventStoreOptions.noSync
        options.initialMapSize = 1 << 20
        options.maxMapSize = 2 << 20
        let store = try ledger.open(options)
        _ = try await store.append(to: "small", expectedVersion: .noStream, events: [sampleEvent()])
        let huge = (0..<40).map { _ in EventData(type: "Big", payload: [UInt8](repeating: 1, count: 100_000)) }
        await #expect {
            try await store.append(to: "huge", expectedVersion: .any, events: huge)
        } throws: { error in
            if (error as? EventStoreError)?.code == .storageFull { return true }
            return false
        }
        #expect(try store.streamVersion("huge") == 0)
        #expect(try store.lastPosition() == 1)
        let after = try await store.append(to: "small", expectedVersion: .exact(1), events: [sampleEvent()])
        #expect(after.streams[0].positions == [2])
    }
}
