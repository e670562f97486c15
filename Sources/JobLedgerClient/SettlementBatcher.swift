import Synchronization

/// Gathers a ``RemoteWorker``'s settlements into as few requests as the
/// round trips allow: with no request of its own in flight a settlement
/// goes at once, alone; those that end while one is in flight go
/// together in the next (at most ``LedgerClient/maxSettlementCount``).
/// So a lone job is reported with no added wait, and a busy worker sends
/// one request for many jobs, which the server commits together.
///
/// A request that gets no answer fails every settlement it carried with
/// its error; the worker's settling loop tries each again, as it would a
/// settlement of its own.
final class SettlementBatcher: Sendable {
    private struct Waiting {
        var settlement: Settlement
        var continuation: CheckedContinuation<SettlementResult, any Error>
    }

    private struct State {
        var queue: [Waiting] = []
        var sending = false
        var requests = 0
    }

    private let client: LedgerClient
    private let state = Mutex(State())

    init(client: LedgerClient) {
        self.client = client
    }

    /// Requests sent so far.
    var requests: Int { state.withLock { $0.requests } }

    /// Settles one attempt, in a request shared with whatever else is
    /// waiting; returns its own result.
    func settle(_ settlement: Settlement) async throws -> SettlementResult {
        try await withCheckedThrowingContinuation { continuation in
            let lead = state.withLock { state in
                state.queue.append(Waiting(settlement: settlement, continuation: continuation))
                if state.sending { return false }
                state.sending = true
                return true
            }
            // Not the caller's task: a batch carries other jobs' settlements,
            // and the caller being cancelled must not cut them off.
            if lead { Task { await self.send() } }
        }
    }

    private func sendAlone(_ waiting: Waiting) async {
        countRequest()
        do {
            let results = try await client.settle([waiting.settlement])
            waiting.continuation.resume(returning: results[0])
        } catch {
            waiting.continuation.resume(throwing: error)
        }
    }

    private func countRequest() {
        state.withLock { $0.requests += 1 }
    }

    /// Sends what waits, batch after batch, until nothing does.
    private func send() async {
        while true {
            let batch: [Waiting] = state.withLock { state in
                let count = min(state.queue.count, LedgerClient.maxSettlementCount)
                guard count > 0 else {
                    state.sending = false
                    return []
                }
                defer { state.queue.removeFirst(count) }
                return Array(state.queue.prefix(count))
            }
            if batch.isEmpty { return }
            countRequest()
            do {
                let results = try await client.settle(batch.map(\.settlement))
                for (waiting, result) in zip(batch, results) { waiting.continuation.resume(returning: result) }
            } catch let problem as LedgerProblem where !problem.isTransient && batch.count > 1 {
                // Refused as a whole (too large a body, say): one settlement
                // must not cost the others theirs, so each goes alone.
                for waiting in batch { await sendAlone(waiting) }
            } catch {
                for waiting in batch { waiting.continuation.resume(throwing: error) }
            }
        }
    }
}
