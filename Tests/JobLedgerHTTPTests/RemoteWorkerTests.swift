import Foundation
import JobLedgerClient
import Testing

/// RemoteWorker's settlements against a live server, as the in-process
/// Worker's: a return completes, a throw fails (retryable unless
/// permanent), a kill stops the handler and reports nothing, and the
/// worker goes on.
@Suite struct RemoteWorkerTests {
    struct Flaky: Error {}

    @Test func aRemoteWorkerCompletesRetriesFailsForGoodAndStopsAKilledJob() async throws {
        let server = try await LiveServer()
        let owner = try server.client(try server.token("alice", role: .user))
        let admin = owner.authenticated(with: try server.token("root", role: .admin))
        let client = owner.authenticated(with: try server.token("rw", role: .worker))
        _ = try await owner.submit(NewJob(id: "ok", type: "t", payload: .object(["to": .string("bob"), "n": .number(7)])))
        _ = try await owner.submit(NewJob(id: "flaky", type: "t", maxAttempts: 3))
        _ = try await owner.submit(NewJob(id: "broken", type: "t", maxAttempts: 3))
        _ = try await owner.submit(NewJob(id: "stuck", type: "stuck"))

        let attempts = Shared<[String: Int]>([:])
        // A lease far longer than the test: on a loaded machine a completion
        // can take seconds to commit, and a lease that ran out meanwhile
        // would rightly give the job to a second attempt.
        let worker = RemoteWorker(client: client, concurrency: 2, lease: 60, renewInterval: 0.05, claimWait: 0.5) { context in
            attempts.withLock { $0[context.job.id, default: 0] += 1 }
            switch context.job.id {
            case "flaky" where context.attempt == 1: throw Flaky()
            case "broken": throw RemoteWorker.PermanentFailure("the input cannot be parsed")
            case "stuck":
                while true {
                    try context.checkCancellation()
                    try await Task.sleep(for: .milliseconds(10))
                }
            default: return .object(["attempt": .number(Double(context.attempt)), "input": context.payload])
            }
        }
        let running = Task { await worker.run() }
        #expect(try await eventually { try await owner.job("stuck").state == .running })
        #expect(try await admin.kill("stuck", reason: "hung").outcome == .killed)
        #expect(await eventually {
            let statistics = worker.statistics
            return statistics.completed == 2 && statistics.failed == 2 && statistics.cancelled == 1
        })
        running.cancel()
        await running.value
        let ok = try await owner.job("ok")
        #expect(ok.state == .completed)
        // The handler saw the payload the job was submitted with.
        #expect(ok.result?["input"] == .object(["to": .string("bob"), "n": .number(7)]))
        #expect(ok.payload == .object(["to": .string("bob"), "n": .number(7)]))
        let flaky = try await owner.job("flaky")
        #expect(flaky.state == .completed && flaky.attempt == 2 && flaky.result?["attempt"] == .number(2))
        let broken = try await owner.job("broken")
        #expect(broken.state == .failed && broken.attempt == 1)
        #expect(broken.error?.contains("cannot be parsed") == true)
        #expect(try await owner.job("stuck").state == .killed)
        #expect(worker.statistics.renewalsRefused == 1)
        #expect(worker.statistics.settlementsRefused == 0)
        #expect(attempts.value == ["ok": 1, "flaky": 2, "broken": 1, "stuck": 1])
        #expect(await server.stop() == 0)
    }
}
