import EventStore
import Foundation
import Testing

/// `sync()`: what a store opened without fsync calls after a bulk load.
@Suite struct SyncTests {
    @Test("sync of a store opened without fsync keeps every append, read back by a durable store opened later")
    func syncKeepsTheAppendsOfANoSyncStore() throws {
        let ledger = TemporaryLedger("sync")
        do {
            let store = try ledger.open(.noSync)
            for index in 0..<100 {
                _ = try store.append(
                    [StreamAppend(streamID: "s-\(index % 7)", expectedVersion: .any, events: [sampleEvent("\(index)")])])
            }
            try store.sync()
            try store.sync()  // nothing new to write: still succeeds
        }
        let reopened = try ledger.open(EventStoreOptions())
        #expect(try reopened.lastPosition() == 100)
        #expect(try reopened.readStream("s-0").map(\.streamVersion) == Array(1...15))
    }
}
