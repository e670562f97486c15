import EventStore
import Foundation
import Testing

/// `waitForCommit(after:timeout:)`: what long-polling claims wait on.
///
/// The waits' timeouts are ten minutes and the bounds half of that: a wait
/// left to its timeout fails the test, while a busy two-core run that starts
/// the test's tasks late (other tests hold the shared threads while their
/// child processes run) does not.
@Suite struct CommitWaitingTests {
    @Test("a wait whose task is cancelled before it starts returns at once, not at its timeout")
    func waitCancelledBeforeItStartsReturnsAtOnce() async throws {
        let ledger = TemporaryLedger("commit-wait")
        let store = try ledger.open(.noSync)
        let generation = store.commitGeneration
        let started = ContinuousClock.now
        for _ in 0..<5 {
            // Cancelled while it is still queued: its cancellation handler
            // runs before the wait registers.
            let task = Task { await store.waitForCommit(after: generation, timeout: .seconds(600)) }
            task.cancel()
            await task.value
        }
        #expect(ContinuousClock.now - started < .seconds(300), "a single wait left to its timeout fails this")
    }

    @Test("a wait returns at the next commit of this process")
    func waitReturnsAtTheNextCommit() async throws {
        let ledger = TemporaryLedger("commit-wait")
        let store = try ledger.open(.noSync)
        let generation = store.commitGeneration
        let waiter = Task { await store.waitForCommit(after: generation, timeout: .seconds(600)) }
        _ = try await store.append(to: "s-1", expectedVersion: .any, events: [EventData(type: "E", json: "{}")])
        let started = ContinuousClock.now
        await waiter.value
        #expect(ContinuousClock.now - started < .seconds(300), "a wait left to its timeout fails this")
    }
}
