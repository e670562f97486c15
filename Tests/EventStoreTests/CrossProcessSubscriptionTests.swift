import EventStore
import Foundation
import Synchronization
import Testing

/// A subscription in this process following events that another process
/// appends to the same ledger. Such events wake no one here; the
/// subscription has to find them by polling.
@Suite struct CrossProcessSubscriptionTests {
    static let eventCount = 2_000

    struct Tick: Decodable {
        let seq: Int
    }

    /// What the subscriber has received so far; shared with the test so a
    /// timeout can say how far it got.
    final class Received: Sendable {
        struct Event: Sendable {
            let position: UInt64
            let seq: Int
        }

        private let events = Mutex<[Event]>([])

        /// Records `event`; returns how many have been received.
        func add(_ event: RecordedEvent) -> Int {
            let seq = (try? JSONDecoder().decode(Tick.self, from: Data(event.payload)).seq) ?? -1
            return events.withLock { events in
                events.append(Event(position: event.position, seq: seq))
                return events.count
            }
        }

        var snapshot: [Event] { events.withLock { $0 } }
    }

    @Test("a subscription sees every event another process appends, once and in order",
          .timeLimit(.minutes(3)))
    func subscriptionSeesEventsOfAnotherProcessOnceInOrder() async throws {
        let ledger = TemporaryLedger("cross-process-subscription")
        let store = try ledger.open()
        let total = Self.eventCount

        let child = try ChildProcess(
            probe: ["append-slowly", ledger.path, "\(total)", "200"], name: "append-slowly")

        // Subscribe once the child has started writing, so the subscription
        // first catches up on stored events and then follows live ones.
        let started = ContinuousClock.now
        while try store.lastPosition() < 50 {
            if ContinuousClock.now - started > .seconds(20) {
                Issue.record("the child wrote nothing; stderr: \(child.errorText)")
                return
            }
            try await Task.sleep(for: .milliseconds(2))
        }

        let received = Received()
        let finished = try await withThrowingTaskGroup(of: Bool.self) { group in
            group.addTask {
                // A small batch size makes the catch-up take several pages.
                for try await event in store.subscribe(after: 0, batchSize: 64) {
                    if received.add(event) == total { return true }
                }
                return false
            }
            group.addTask {
                try? await Task.sleep(for: .seconds(30))
                return false
            }
            let first = try await group.next() ?? false
            group.cancelAll()
            return first
        }

        let events = received.snapshot
        #expect(finished, "gave up after receiving \(events.count) of \(total) events")
        #expect(events.map(\.position) == Array(1...UInt64(events.count)), "positions are not 1, 2, 3, ...")
        #expect(events.map(\.seq) == Array(0..<events.count), "events are not in the order they were appended")

        let exit = await child.waitForExit(timeout: .seconds(20))
        #expect(exit == .exited(0), "\(exit); stderr: \(child.errorText)")
        let (lines, _) = await child.remainingLines(timeout: .seconds(5))
        #expect(lines == ["done \(total)"])
        #expect(try store.lastPosition() == UInt64(total))
    }
}
