extension EventStore {
    /// A number that changes with every commit this process makes to the
    /// store; read it before looking at the store, then pass it to
    /// ``waitForCommit(after:timeout:)`` so that no commit is missed.
    public var commitGeneration: UInt64 { notifier.generation }

    /// Returns when this process commits after `generation`, when
    /// `timeout` passes (use it to notice other processes' commits), or
    /// when the task is cancelled; at once if a commit already happened.
    public func waitForCommit(after generation: UInt64, timeout: Duration) async {
        await notifier.wait(after: generation, timeout: timeout)
    }
}
