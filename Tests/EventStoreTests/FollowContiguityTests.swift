import EventStore
import Foundation
import Synchronization
import Testing

/// Followers started at the beginning, in the middle and at the end of a
/// log that other processes keep appending to: each must receive every
/// position from where it started to where the appenders stopped, once and
/// in order, whether it follows with a subscription or with `followEvents`.
@Suite struct FollowContiguityTests {
    /// The positions one follower has received, in the order received.
    final class Received: Sendable {
        let name: String
        let firstExpected: UInt64
        private let positions = Mutex<[UInt64]>([])

        init(_ name: String, after checkpoint: UInt64) {
            self.name = name
            firstExpected = checkpoint + 1
        }

        func add(_ position: UInt64) { positions.withLock { $0.append(position) } }
        var snapshot: [UInt64] { positions.withLock { $0 } }
        var last: UInt64 { positions.withLock { $0.last ?? 0 } }
    }

    /// The value of `"position"` in each whole JSON line of an export.
    static func positions(inLines text: some StringProtocol) -> [UInt64] {
        text.split(separator: "\n").compactMap { line in
            let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any]
            return (object?["position"] as? NSNumber)?.uint64Value
        }
    }

    @Test("followers started at 0, mid-log and at the end miss nothing while other processes append",
          .timeLimit(.minutes(3)))
    func followersMissNothingWhileOtherProcessesAppend() async throws {
        let ledger = TemporaryLedger("follow-contiguity")
        let store = try ledger.open()
        for index in 0..<20 {
            _ = try await store.append(
                to: "seed-\(index)", expectedVersion: .noStream,
                events: (0..<20).map { sampleEvent("seed-\(index)-\($0)") })
        }
        let appenders = try (0..<2).map { index in
            try ChildProcess(
                probe: ["append", ledger.path, "\(index)", "0", "nosync", "--until-stopped"], name: "append-\(index)")
        }
        // Start following while the other processes are appending.
        let started = ContinuousClock.now
        while try store.lastPosition() < 600 {
            if ContinuousClock.now - started > .seconds(20) {
                Issue.record("the appenders wrote nothing; stderr: \(appenders.map(\.errorText))")
                return
            }
            try await Task.sleep(for: .milliseconds(2))
        }
        let end = try store.lastPosition()
        var followers: [Received] = []
        var tasks: [Task<Void, any Error>] = []
        for (name, checkpoint) in [("start", UInt64(0)), ("middle", end / 2), ("end", end)] {
            let subscribed = Received("subscription from \(name)", after: checkpoint)
            followers.append(subscribed)
            tasks.append(Task {
                // Small pages make the catch-up take several reads.
                for try await event in store.subscribe(after: checkpoint, batchSize: 64) { subscribed.add(event.position) }
            })
            let exported = Received("followEvents from \(name)", after: checkpoint)
            followers.append(exported)
            tasks.append(Task {
                try await store.followEvents(selection: ExportSelection(fromPosition: checkpoint + 1)) { bytes in
                    for position in Self.positions(inLines: String(decoding: bytes, as: UTF8.self)) {
                        exported.add(position)
                    }
                }
            })
        }
        // Let the appenders run on past the followers' catch-up.
        while try store.lastPosition() < end + 1_500 && ContinuousClock.now - started < .seconds(20) {
            try await Task.sleep(for: .milliseconds(5))
        }
        for appender in appenders { try appender.send("stop") }
        for appender in appenders {
            let exit = await appender.waitForExit(timeout: .seconds(20))
            #expect(exit == .exited(0), "\(appender.name): \(exit); stderr: \(appender.errorText)")
        }
        let final = try store.lastPosition()
        #expect(final >= end + 100, "the appenders wrote too little while the followers ran")

        let waitStart = ContinuousClock.now
        while followers.contains(where: { $0.last < final }) && ContinuousClock.now - waitStart < .seconds(20) {
            try await Task.sleep(for: .milliseconds(5))
        }
        // A little longer, so that a duplicate delivered after the last event would show.
        try await Task.sleep(for: .milliseconds(50))
        for task in tasks { task.cancel() }
        for task in tasks { try await task.value }
        for follower in followers {
            let received = follower.snapshot
            #expect(received == Array(follower.firstExpected...final),
                    "\(follower.name): \(received.count) positions, \(Set(received).count) distinct, first \(received.first.map(String.init) ?? "none"), last \(received.last.map(String.init) ?? "none"); expected \(follower.firstExpected)...\(final)")
        }
    }
}
