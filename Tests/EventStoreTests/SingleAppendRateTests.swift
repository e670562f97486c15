import EventStore
import Foundation
import Testing

/// The rate of single non-durable appends, one write transaction each, for
/// comparing two builds of the store on one machine (run with
/// `JOBLEDGER_APPEND_RATE=1` and `--filter SingleAppendRateTests`; the
/// suite skips it). A projection that writes nothing keeps the store's own
/// cost per transaction in front.
@Suite(.enabled(if: ProcessInfo.processInfo.environment["JOBLEDGER_APPEND_RATE"] != nil))
struct SingleAppendRateTests {
    /// Applies nothing: the store still keeps and checks its projection version.
    struct NothingProjection: Projection {
        var tables: [ProjectionTable] { [] }
        var version: Int { 1 }
        func apply(_ event: RecordedEvent, to tables: borrowing ProjectionWriter) throws {}
    }

    @Test("20,000 single non-durable appends all land, and their rate is printed")
    func singleAppendRate() throws {
        let ledger = TemporaryLedger()
        var options = EventStoreOptions.noSync
        options.projections = [NothingProjection()]
        let store = try EventStore.open(at: ledger.path, options: options)
        let count = 20_000
        let events = (0..<count).map { sampleEvent("\($0)") }
        let clock = ContinuousClock()
        let elapsed = try clock.measure {
            for (index, event) in events.enumerated() {
                _ = try store.append(to: "rate-\(index % 64)", expectedVersion: .any, events: [event])
            }
        }
        #expect(try store.lastPosition() == UInt64(count))
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        print("single appends: \(count) in \(String(format: "%.3f", seconds)) s, \(Int(Double(count) / seconds)) per second")
    }
}
