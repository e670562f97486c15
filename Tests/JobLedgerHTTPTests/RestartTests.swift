import Foundation
import JobLedger
import JobLedgerClient
import Synchronization
import Testing

/// A server stopped with SIGTERM in the middle of a load and started again
/// on the same ledger: every request it acknowledged is there, and every
/// job's history is valid.
@Suite struct RestartTests {
    @Test func sigtermDuringClaimsAndCompletionsLosesNoAcknowledgedRequestAndHistoriesStayValid() async throws {
        let server = try await LiveServer()
        let owner = try server.client(try server.token("alice", role: .user))
        let ids = (0..<240).map { "load-\($0)" }
        for id in ids.prefix(120) { _ = try await owner.submit(NewJob(id: id, type: "load")) }
        let acknowledgedSubmits = Shared(Set(ids.prefix(120)))
        let workers = [
            try await server.remoteWorkers(id: "w1", concurrency: 8, behaviour: "sleep:5", lease: 2, renewInterval: 0.5, claimWait: 2),
            try await server.remoteWorkers(id: "w2", concurrency: 8, behaviour: "sleep:5", lease: 2, renewInterval: 0.5, claimWait: 2),
        ]
        // Submits go on during the stop; those answered are acknowledged.
        let submitter = Task {
            for id in ids.dropFirst(120) {
                do {
                    _ = try await owner.submit(NewJob(id: id, type: "load"))
                    acknowledgedSubmits.withLock { _ = $0.insert(id) }
                } catch {
                    try? await Task.sleep(for: .milliseconds(20))
                }
            }
        }
        let completedSome = await workers[0].waitForLines(count: 20) { $0.hasPrefix("settled completed") }
        #expect(completedSome)
        #expect(await server.stop() == 0, "\(server.process.errorTail)")
        try await server.restart()
        await submitter.value

        // Whatever was not acknowledged is submitted again; submit is idempotent.
        for id in ids where !acknowledgedSubmits.withLock({ $0.contains(id) }) {
            _ = try await owner.submit(NewJob(id: id, type: "load"))
        }
        let allDone = try await eventually(timeout: .seconds(30)) {
            let page = try await owner.jobs(JobFilter(state: .completed), limit: 1000)
            return page.jobs.count == ids.count
        }
        #expect(allDone)
        for worker in workers { #expect(await worker.terminate() == 0) }
        #expect(await server.stop() == 0)

        let ledger = try server.openLedger()
        let lines = workers.flatMap { $0.lines.compactMap(WorkerLine.init) }
        // Every completion the server acknowledged stands, for that attempt.
        for line in lines where line.kind == "completed" && line.state == "acknowledged" {
            let job = try #require(try ledger.job(line.jobID))
            #expect(job.state == .completed && job.attempt == line.attempt, "\(line)")
        }
        for id in acknowledgedSubmits.withLock({ $0 }) { #expect(try ledger.job(id) != nil, "\(id)") }
        #expect(try historyProblems(ledger, ids: ids, requesters: [Actor(id: "alice", role: .user, organisation: "acme")]) == [])
    }
}
