import EventStore
import Foundation
import Synchronization
import Testing

@Suite struct StoreRegistryTests {
    @Test func openingAPathTwiceInOneProcessReturnsTheOpenStore() throws {
        let ledger = TemporaryLedger()
        let first = try ledger.open()
        let second = try ledger.open()
        #expect(first === second)
        #expect(throws: EventStoreError.self) { try ledger.open(EventStoreOptions()) }  // another durability
    }

    @Test func storesOpenedAndDroppedFromManyThreadsAtOnceKeepOneEnvironment() throws {
        let ledger = TemporaryLedger()
        let failures = Mutex<[String]>([])
        DispatchQueue.concurrentPerform(iterations: 8) { thread in
            for round in 0..<40 {
                do {
                    let store = try ledger.open()
                    _ = try store.append(to: "t\(thread)", expectedVersion: .exact(UInt64(round)), events: [sampleEvent()])
                } catch {
                    failures.withLock { $0.append("\(error)") }
                }
            }
        }
        #expect(failures.withLock { $0 } == [])
        let store = try ledger.open()
        #expect(try store.lastPosition() == 320)
        for thread in 0..<8 { #expect(try store.streamVersion("t\(thread)") == 40) }
    }
}
