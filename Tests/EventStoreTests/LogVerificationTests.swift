import EventStore
import Foundation
import LMDB
import Testing

@Suite struct LogVerificationTests {
    @Test func aCleanLogVerifiesClean() async throws {
        let ledger = TemporaryLedger()
        let store = try ledger.open()
        for index in 0..<50 {
            _ = try await store.append(to: "s\(index % 3)", expectedVersion: .any, events: [sampleEvent("\(index)")])
        }
        let report = try store.verifyLog()
        #expect(report.events == 50)
        #expect(report.isClean)
    }

    @Test func aFlippedByteIsReportedWithItsPosition() async throws {
        let ledger = TemporaryLedger()
        do {
            let store = try ledger.open()
            for index in 0..<10 {
                _ = try await store.append(to: "s", expectedVersion: .any, events: [sampleEvent("payload-\(index)")])
            }
        }
        // Damage event 7's payload behind the store's back.
        do {
            let environment = try Environment(path: ledger.path)
            let events = try environment.openDatabase("events", flags: [])
            try environment.write { txn in
                let key = withUnsafeBytes(of: UInt64(7).bigEndian) { Array($0) }
                var bytes = try #require(try txn.get(key, in: events))
                // The payload's text, not any 0x2D byte: the record's binary
                // parts (the event id) may hold one, even as their last byte.
                let payload = Array("payload-6".utf8)
                let start = try #require(bytes.indices.first { bytes[$0...].starts(with: payload) })
                bytes[start + payload.count - 1] = UInt8(ascii: "9")
                try txn.put(key, bytes, in: events)
            }
        }
        let store = try ledger.open()
        let report = try store.verifyLog()
        #expect(report.events == 10)
        #expect(report.problems == [LogProblem(position: 7, reason: "checksum mismatch")])
    }
}
