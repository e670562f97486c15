import Foundation
import JobLedger
import JobLedgerClient
import Testing

/// Two servers on one PostgreSQL database, one of them killed in the middle
/// of a load: what either acknowledged is in the ledger, and the survivor
/// finishes the work, including the jobs whose worker lost its server.
@Suite(.enabled(if: LiveServer.sharesADatabase, "two servers need a ledger on a shared database"))
struct TwoServersTests {
    @Test func killingOneOfTwoServersMidLoadLosesNoAcknowledgedRequestAndTheOtherFinishesTheWork() async throws {
        let server = try await LiveServer()
        let peer = try #require(server.peer)
        let token = try server.token("alice", role: .user)
        let first = try server.client(token, url: server.url)
        let second = try server.client(token, url: peer.url)
        let ids = (0..<200).map { "spread-\($0)" }
        for (index, id) in ids.enumerated() {
            _ = try await (index % 2 == 0 ? first : second).submit(NewJob(id: id, type: "spread"))
        }
        var workers: [RunningProcess] = []
        for (index, url) in [server.url, peer.url, server.url, peer.url].enumerated() {
            workers.append(try await server.remoteWorkers(
                id: "w\(index)", concurrency: 4, behaviour: "sleep:20", lease: 2, renewInterval: 0.5, claimWait: 2,
                url: url))
        }
        #expect(await workers[1].waitForLines(count: 10) { $0.hasPrefix("settled completed") })
        peer.process.send(SIGKILL)

        let ledger = try server.openLedger()
        let finished = try await eventually(timeout: .seconds(60)) {
            try ids.allSatisfy { try ledger.job($0)?.state == .completed }
        }
        #expect(finished)
        for worker in workers { _ = await worker.terminate() }

        // Every completion a worker saw acknowledged, by either server, is
        // the job's one completion; the others were run again elsewhere.
        let acknowledged = workers.flatMap { $0.lines.compactMap(WorkerLine.init) }
            .filter { $0.kind == "completed" && $0.state == "acknowledged" }
        #expect(Set(acknowledged.map(\.jobID)).count == acknowledged.count)
        for line in acknowledged {
            let job = try #require(try ledger.job(line.jobID))
            #expect(job.state == .completed && job.attempt == line.attempt, "\(line.jobID)")
        }
        #expect(acknowledged.count >= 10)
        #expect(try historyProblems(ledger, ids: ids, requesters: [Actor(id: "alice", role: .user, organisation: "acme")]) == [])
        #expect(try ledger.verifyProjections().isEmpty)
    }
}
