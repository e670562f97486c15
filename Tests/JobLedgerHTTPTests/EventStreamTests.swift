import Foundation
import JobLedgerClient
import Synchronization
import Testing

/// The live event stream over HTTP: whatever the moments a consumer drops
/// its connection at, resuming with `Last-Event-ID` gives every event once
/// and in order.
@Suite struct EventStreamTests {
    @Test func aConsumerThatDisconnectsAtRandomMomentsWhileEightClientsAppendGetsEveryEventOnceInOrder() async throws {
        let server = try await LiveServer()
        let system = try server.client(server.systemToken)
        var appenders: [LedgerClient] = []
        for index in 0..<8 { appenders.append(system.authenticated(with: try server.token("user\(index)", role: .user))) }
        let appending = Shared(true)
        let seen = Shared<[UInt64]>([])
        let followed = Shared<[UInt64]>([])

        // A second consumer that never drops its end: the library resumes for it
        // when the server ends a stream.
        let follower = Task {
            for try await event in system.followEvents(after: 0) {
                if let position = event.position { followed.withLock { $0.append(position) } }
            }
        }

        let consumer = Task {
            var rounds = 0
            var last: UInt64 = 0
            var sawEnd = false
            while !sawEnd {
                rounds += 1
                let done = !appending.withLock { $0 }
                let target = try await system.events(after: 0, limit: 1).lastPosition
                if done && last >= target { sawEnd = true; continue }
                let stream: ServerSentEvents
                do {
                    stream = try await system.eventStream(lastEventID: String(last))
                } catch let problem as LedgerProblem where problem.isTransient {
                    // Every stream slot taken by connections the server has
                    // not yet noticed are gone: try again shortly.
                    try await Task.sleep(for: .milliseconds(50))
                    continue
                }
                let mode = Int.random(in: 0..<3)
                let budget = Int.random(in: 1...30)
                // Read some events, then drop the connection: after a count of
                // events, or at a random moment while a read is waiting.
                let reader = Task {
                    var count = 0
                    for try await event in stream {
                        guard let position = event.position else { continue }
                        seen.withLock { $0.append(position) }
                        count += 1
                        if mode == 0 && count >= budget { break }
                    }
                }
                if mode == 0 {
                    // Fewer events than the budget may be left once the
                    // appends end: the reader is cancelled after 2 s. (Awaiting
                    // its value inside a time-limited task group would not
                    // do: that await ignores cancellation, and the group
                    // waits for it.)
                    let timer = Task {
                        try? await Task.sleep(for: .seconds(2))
                        reader.cancel()
                    }
                    _ = await reader.result
                    timer.cancel()
                } else {
                    try? await Task.sleep(for: .milliseconds(Int.random(in: 1...25)))
                    reader.cancel()
                }
                _ = await reader.result
                last = seen.withLock { $0.last } ?? last
            }
            return rounds
        }

        try await withThrowingTaskGroup(of: Void.self) { group in
            for (index, client) in appenders.enumerated() {
                group.addTask {
                    for job in 0..<20 { _ = try await client.submit(NewJob(id: "a\(index)-\(job)", type: "append")) }
                }
            }
            try await group.waitForAll()
        }
        appending.withLock { $0 = false }
        let rounds = try await consumer.value
        let last = try await system.events(after: 0, limit: 1).lastPosition
        let positions = seen.withLock { $0 }
        #expect(last >= 320, "8 clients × 20 submits, two events each")
        #expect(positions == Array(1...last), "after \(rounds) connections: \(positions.count) events, last \(positions.last ?? 0) of \(last)")
        #expect(rounds >= 5)

        #expect(await eventually { followed.withLock { $0.last } == last })
        follower.cancel()
        #expect(followed.withLock { $0 } == Array(1...last))

        // The stream's data is the export line of each event.
        let page = try await system.events(after: 0, limit: 5)
        let streamed = try await system.eventStream(lastEventID: "0")
        var firstFive: [LedgerEvent] = []
        for try await event in streamed {
            firstFive.append(try event.decoded())
            if firstFive.count == 5 { break }
        }
        #expect(firstFive == page.events)
        #expect(await server.stop() == 0)
    }
}
