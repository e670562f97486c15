import EventStore
import Testing

/// `WaiterList`: the one list behind the commit notifier, the server's
/// shutdown gate and its claim waker.
@Suite struct WaiterListTests {
    @Test("a wait whose condition already holds returns at once and leaves no waiter behind")
    func waitWhoseConditionHoldsReturnsAtOnce() async {
        let list = WaiterList(true)
        let started = ContinuousClock.now
        await list.wait(unless: { $0 }, timeout: .seconds(30))
        #expect(ContinuousClock.now - started < .seconds(25), "a wait left to its 30 s timeout fails this")
        #expect(!list.hasWaiters)
    }

    @Test("wakeAll changes the value and wakes every waiting task, and later waits see the change")
    func wakeAllWakesEveryWaiter() async {
        let list = WaiterList(0)
        let waiters = (0..<3).map { _ in Task { await list.wait(unless: { $0 != 0 }) } }
        while !list.hasWaiters { await Task.yield() }
        list.wakeAll { $0 += 1 }
        for waiter in waiters { await waiter.value }
        #expect(list.value == 1)
        #expect(!list.hasWaiters)
        await list.wait(unless: { $0 != 0 })
    }

    @Test("a wait with a timeout and no wake returns at its timeout")
    func waitReturnsAtItsTimeout() async {
        let list = WaiterList(0)
        let started = ContinuousClock.now
        await list.wait(timeout: .milliseconds(50))
        #expect(ContinuousClock.now - started >= .milliseconds(50))
        #expect(!list.hasWaiters)
    }

    @Test("cancelling a waiting task ends its wait and removes it from the list")
    func cancellationEndsAWait() async {
        let list = WaiterList(0)
        let waiter = Task { await list.wait() }
        while !list.hasWaiters { await Task.yield() }
        waiter.cancel()
        await waiter.value
        #expect(!list.hasWaiters)
    }
}
