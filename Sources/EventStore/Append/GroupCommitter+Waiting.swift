import Dispatch

extension GroupCommitter {
    /// Queues `appends` and suspends until they are committed or refused.
    package func append(_ appends: [StreamAppend]) async -> Result<AppendResult, EventStoreError> {
        await withCheckedContinuation { (continuation: CheckedContinuation<Result<AppendResult, EventStoreError>, Never>) in
            submit(.init(appends: appends) { continuation.resume(returning: $0) })
        }
    }

    /// Commits `appends` and blocks the calling thread until they are
    /// committed or refused (never call it from async code): on this
    /// thread when no commit is under way, else by the writer thread.
    package func appendBlocking(_ appends: [StreamAppend]) -> Result<AppendResult, EventStoreError> {
        let box = ResultBox()
        submitOrLead(.init(appends: appends) { box.set($0) })
        return box.wait()
    }
}

/// A one-shot slot a blocked thread waits on.
private final class ResultBox: Sendable {
    private let value = PlainLock<Result<AppendResult, EventStoreError>?>(nil)
    private let ready = DispatchSemaphore(value: 0)

    func set(_ result: Result<AppendResult, EventStoreError>) {
        value.withLock { $0 = result }
        ready.signal()
    }

    func wait() -> Result<AppendResult, EventStoreError> {
        ready.wait()
        return value.withLock { $0! }
    }
}
