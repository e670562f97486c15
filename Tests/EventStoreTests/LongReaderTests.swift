import Dispatch
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

/// A long-lived read snapshot (a slow export, a stuck report) next to a
/// writer that keeps appending durably.
@Suite struct LongReaderTests {
    /// Keeps one row per event, so a snapshot can count the events it sees.
    struct SeenPositions: Projection {
        static let seen = ProjectionTable("seen")
        var tables: [ProjectionTable] { [Self.seen] }
        var version: Int { 1 }
        func apply(_ event: RecordedEvent, to tables: borrowing ProjectionWriter) throws {
            try tables.put(Self.seen, withUnsafeBytes(of: event.position.bigEndian) { Array($0) }, [])
        }
    }

    static let events = 2_000
    static let eventsPerAppend = 10

    /// Appends `events` durably, `eventsPerAppend` at a time; the growth of the file in pages.
    static func appendAll(to store: EventStore, label: String) async throws -> Int {
        let before = try store.storageInfo().filePages
        for batch in 0..<(events / eventsPerAppend) {
            _ = try await store.append(
                to: "\(label)-\(batch % 7)", expectedVersion: .any,
                events: (0..<eventsPerAppend).map { _ in sampleEvent(label) })
        }
        return try store.storageInfo().filePages - before
    }

    @Test(.timeLimit(.minutes(3)))
    func aHeldSnapshotLetsDurableAppendsThroughAndItsPagesAreReusedOnceReleased() async throws {
        let ledger = TemporaryLedger()
        var options = EventStoreOptions()
        options.projections = [SeenPositions()]
        let store = try ledger.open(options)
        _ = try await store.append(to: "before", expectedVersion: .noStream, events: (0..<50).map { _ in sampleEvent() })

        let holdStarted = ContinuousClock.now
        let held = HeldSnapshot(store) { tables in try tables.count(SeenPositions.seen) }
        try await held.waitUntilHeld()
        #expect(held.firstLook == 50)
        let heldReturned = ContinuousClock.now
        _ = try await store.append(to: "after", expectedVersion: .noStream, events: [sampleEvent()])
        let firstCommitReturned = ContinuousClock.now
        // The first commit after the snapshot is on record: the age is exact.
        let justAfter = try #require(try store.storageInfo().oldestReader)
        #expect(justAfter.commitsBehind == 1)
        #expect(justAfter.heldFor?.exact == true)
        #expect(try #require(justAfter.heldFor?.atLeastSeconds) <= (ContinuousClock.now - holdStarted).seconds + 0.05)

        let appendsStarted = ContinuousClock.now
        let grownWhileHeld = try await Self.appendAll(to: store, label: "held")
        let appendTime = ContinuousClock.now - appendsStarted
        #expect(try store.lastPosition() == UInt64(51 + Self.events))
        #expect(try store.readProjections { try $0.count(SeenPositions.seen) } == 51 + Self.events)

        let whileHeld = try store.storageInfo()
        let oldest = try #require(whileHeld.oldestReader)
        let age = try #require(oldest.heldFor)
        #expect(oldest.processID == getpid())
        #expect(oldest.commitsBehind >= 1 + Self.events / Self.eventsPerAppend)
        // Two hundred commits on, the record keeps every 16th: the age is
        // bracketed, and a small share of it below the truth at most.
        #expect(!age.exact)
        #expect(age.atLeastSeconds <= (ContinuousClock.now - holdStarted).seconds + 0.05)
        #expect(age.atLeastSeconds >= 0.5 * (ContinuousClock.now - firstCommitReturned).seconds)
        #expect(try #require(age.atMostSeconds) >= (ContinuousClock.now - heldReturned).seconds - 0.05)
        let freeWhileHeld = try #require(whileHeld.freePages)
        let reusableWhileHeld = try #require(whileHeld.reusableFreePages)

        // The snapshot still sees what it saw when it opened.
        #expect(try await held.release() == 50)
        let released = try store.storageInfo()
        #expect(released.oldestReader == nil)
        let reusableReleased = try #require(released.reusableFreePages)

        let releasedStarted = ContinuousClock.now
        let grownAfterRelease = try await Self.appendAll(to: store, label: "released")
        let releasedTime = ContinuousClock.now - releasedStarted
        print("""
            long reader: \(Self.events) durable events in \(Self.events / Self.eventsPerAppend) appends took \(appendTime) while held, \(releasedTime) after release; \
            file grew \(grownWhileHeld) pages while held, \(grownAfterRelease) after release; \
            free pages while held \(freeWhileHeld) (\(reusableWhileHeld) reusable), after release \(reusableReleased) reusable; \
            age \(age.atLeastSeconds)...\(age.atMostSeconds ?? -1) s, \(oldest.commitsBehind) commits behind
            """)
        #expect(reusableReleased > reusableWhileHeld)
        #expect(grownAfterRelease * 2 < grownWhileHeld)
    }

    @Test(.timeLimit(.minutes(3)))
    func aPausedExportHoldsNoSnapshotAndAppendsGoOnMeanwhile() async throws {
        let ledger = TemporaryLedger()
        let store = try ledger.open(EventStoreOptions())
        let total = 6_000
        for batch in 0..<(total / 1_000) {
            _ = try await store.append(
                to: "bulk-\(batch)", expectedVersion: .noStream, events: (0..<1_000).map { _ in sampleEvent() })
        }

        // The export's consumer stops after its first piece until told to go on.
        let firstPiece = DispatchSemaphore(value: 0)
        let resume = DispatchSemaphore(value: 0)
        let exported = Mutex<(pieces: Int, count: Int, slotsWhilePaused: Int?)>((0, 0, nil))
        let exportThread = Thread {
            do {
                let count = try store.exportEvents { _ in
                    let pieces = exported.withLock { state in
                        state.pieces += 1
                        return state.pieces
                    }
                    if pieces == 1 {
                        let slots = try store.storageInfo().readerSlotsInUse
                        exported.withLock { $0.slotsWhilePaused = slots }
                        firstPiece.signal()
                        resume.wait()
                    }
                }
                exported.withLock { $0.count = count }
            } catch {
                exported.withLock { $0.count = -1 }
            }
            firstPiece.signal()
        }
        exportThread.start()
        #expect(await onOwnThread { firstPiece.wait(timeout: .now() + 10) == .success })
        #expect(exported.withLock { $0.slotsWhilePaused } == 0)

        for index in 0..<200 {
            _ = try await store.append(to: "meanwhile", expectedVersion: .exact(UInt64(index)), events: [sampleEvent()])
        }
        #expect(try store.lastPosition() == UInt64(total + 200))
        resume.signal()
        #expect(await onOwnThread { firstPiece.wait(timeout: .now() + 10) == .success })
        let result = exported.withLock { $0 }
        // The export ends where the log ended when it began.
        #expect(result.count == total)
        #expect(result.pieces > 1)
    }
}

extension Duration {
    /// The duration in seconds.
    var seconds: Double { Double(components.seconds) + Double(components.attoseconds) / 1e18 }
}
