import Foundation
import JobLedgerClient
import Testing

/// Settlements of several attempts in one request, through the client and
/// through RemoteWorker, against a live server.
@Suite struct SettlementBatchTests {
    @Test func settleAnswersEachSettlementInOrderAndARefusalLeavesTheOthersSettled() async throws {
        let server = try await LiveServer()
        let owner = try server.client(try server.token("alice", role: .user))
        let worker = owner.authenticated(with: try server.token("w1", role: .worker))
        for id in ["a", "b", "c"] { _ = try await owner.submit(NewJob(id: id, type: "t", maxAttempts: 2)) }
        let claimed = try await worker.claim(upTo: 3, types: ["t"], lease: 600, wait: 1)
        #expect(Set(claimed.map(\.id)) == ["a", "b", "c"])

        let results = try await worker.settle([
            Settlement(jobID: "c", attempt: 1, outcome: .complete(result: .object(["ok": .bool(true)]))),
            Settlement(jobID: "a", attempt: 1, outcome: .fail(error: "retry me", retryable: true)),
            Settlement(jobID: "b", attempt: 9, outcome: .complete(result: nil)),
        ])
        #expect(results.count == 3)
        #expect(results[0] == .settled(state: .completed, attempt: 1))
        #expect(results[1] == .settled(state: .pending, attempt: 1))
        guard case .refused(let problem) = results[2] else {
            Issue.record("the stale attempt was not refused: \(results[2])")
            return
        }
        #expect(problem.status == 409 && problem.outcome == .notLeaseHolder && problem.jobID == "b")
        #expect(!problem.isTransient)
        #expect(try await owner.job("c").result?["ok"] == .bool(true))
        #expect(try await owner.job("b").state == .running)
        #expect(await server.stop() == 0)
    }

    @Test func aBusyRemoteWorkerSettlesManyJobsPerRequestAndLosesNone() async throws {
        let server = try await LiveServer()
        let owner = try server.client(try server.token("alice", role: .user))
        let client = owner.authenticated(with: try server.token("rw", role: .worker))
        let count = 240
        for index in 0..<count { _ = try await owner.submit(NewJob(id: "job-\(index)", type: "t")) }
        let worker = RemoteWorker(client: client, concurrency: 16, lease: 600, claimWait: 0) { _ in .number(1) }
        let statistics = await worker.runUntilIdle()
        #expect(statistics.completed == count)
        #expect(statistics.settlementsRefused == 0 && statistics.settlementsLost == 0)
        // Jobs claimed together end together: they share requests.
        #expect(statistics.settlementRequests < count, "\(statistics.settlementRequests) requests for \(count) jobs")
        for index in stride(from: 0, to: count, by: 37) {
            let job = try await owner.job("job-\(index)")
            #expect(job.state == .completed && job.worker == "rw" && job.result == .number(1))
        }
        #expect(await server.stop() == 0)
    }

    @Test func aBatchRefusedAsAWholeForItsSizeIsSentAgainOneSettlementAtATime() async throws {
        // Each result is half the body limit: two or more in one request
        // are too large, one alone fits.
        let server = try await LiveServer(extraArguments: ["--max-body", "8192"])
        let owner = try server.client(try server.token("alice", role: .user))
        let client = owner.authenticated(with: try server.token("rw", role: .worker))
        let count = 24
        for index in 0..<count { _ = try await owner.submit(NewJob(id: "big-\(index)", type: "t")) }
        let text = String(repeating: "x", count: 4000)
        let worker = RemoteWorker(client: client, concurrency: 8, lease: 600, claimWait: 0) { _ in .string(text) }
        let statistics = await worker.runUntilIdle()
        #expect(statistics.completed == count, "\(statistics)")
        #expect(statistics.settlementsRefused == 0 && statistics.settlementsLost == 0)
        // More requests than jobs: the refused batches went again, one by one.
        #expect(statistics.settlementRequests > count, "\(statistics.settlementRequests) requests for \(count) jobs")
        for index in 0..<count {
            let job = try await owner.job("big-\(index)")
            #expect(job.state == .completed && job.result == .string(text))
        }
        #expect(await server.stop() == 0)
    }

    @Test func aRemoteWorkerNeverRunsMoreHandlersThanItsConcurrencyWhileSettlementsAreUnderWay() async throws {
        let server = try await LiveServer()
        let owner = try server.client(try server.token("alice", role: .user))
        let client = owner.authenticated(with: try server.token("rw", role: .worker))
        let count = 60
        for index in 0..<count { _ = try await owner.submit(NewJob(id: "n-\(index)", type: "t")) }
        // (running now, most at once)
        let running = Shared<(Int, Int)>((0, 0))
        let worker = RemoteWorker(client: client, concurrency: 4, lease: 600, claimWait: 0) { _ in
            running.withLock { value in
                value.0 += 1
                value.1 = max(value.1, value.0)
            }
            try await Task.sleep(for: .milliseconds(5))
            running.withLock { $0.0 -= 1 }
            return nil
        }
        let statistics = await worker.runUntilIdle()
        #expect(statistics.completed == count)
        #expect(running.value.1 <= 4, "at most 4 handlers at once, saw \(running.value.1)")
        #expect(running.value.1 >= 2, "the slots were used together, saw \(running.value.1)")
        #expect(await server.stop() == 0)
    }
}
