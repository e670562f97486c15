import EventStore
import Foundation
import JobLedger
import JobLedgerClient
import Synchronization
import Testing

/// The five incidents of the project's incident file, over HTTP: a real
/// server on a loopback port, operators calling it through the client
/// library, and remote workers in processes of their own.
@Suite struct HTTPIncidentTests {
    let alice = Actor(id: "alice", role: .user, organisation: "acme")
    let root = Actor(id: "root", role: .admin, organisation: "acme")
    let eve = Actor(id: "eve", role: .admin, organisation: "globex")

    @Test func incident1_everyCancelOverHTTPLandsWithItsAuditEntryWhileRemoteWorkersRenew() async throws {
        let server = try await LiveServer()
        let owner = try server.client(try server.token("alice", role: .user))
        let admin = owner.authenticated(with: try server.token("root", role: .admin))
        let stranger = owner.authenticated(with: try server.token("eve", role: .admin, org: "globex"))

        let ids = (0..<10).map { "hung-\($0)" }
        for id in ids { _ = try await owner.submit(NewJob(id: id, type: "hung")) }
        // Six jobs run in a worker process that renews every 50 ms; four stay queued.
        let workers = try await server.remoteWorkers(
            id: "w1", concurrency: 6, behaviour: "until-cancelled", lease: 10, renewInterval: 0.05)
        #expect(await workers.waitForLines(count: 6) { $0.hasPrefix("claimed ") })

        struct Answer: Sendable { var job: String; var actor: String; var outcome: String }
        let answers = Shared<[Answer]>([])
        try await withThrowingTaskGroup(of: Void.self) { group in
            for (client, actor) in [(owner, "alice"), (admin, "root"), (stranger, "eve")] {
                group.addTask {
                    for id in ids.shuffled() {
                        do {
                            let answer = try await client.cancel(id, reason: "hung")
                            answers.withLock { $0.append(Answer(job: id, actor: actor, outcome: answer.outcome.rawValue)) }
                        } catch let problem as LedgerProblem {
                            // A refusal is an answer too, never a 500.
                            #expect(problem.status < 500, "\(problem)")
                            answers.withLock { $0.append(Answer(job: id, actor: actor, outcome: problem.outcome?.rawValue ?? "\(problem.status)")) }
                        }
                    }
                }
            }
            try await group.waitForAll()
        }
        let all = answers.withLock { $0 }
        #expect(all.count == 30)
        #expect(all.filter { $0.actor == "eve" }.allSatisfy { $0.outcome == "forbidden" })
        let allowed: Set<String> = ["cancelled", "cancel_requested", "already_cancelled"]
        #expect(all.filter { $0.actor != "eve" }.allSatisfy { allowed.contains($0.outcome) }, "\(all)")

        // The worker stops each job whose cancel was requested while it ran
        // and acknowledges it: the six it held, and any queued job it
        // claimed in a slot freed before that job's cancel arrived.
        let requested = Set(all.filter { $0.outcome == "cancel_requested" }.map(\.job))
        #expect(requested.count >= 6)
        #expect(await workers.waitForLines(count: requested.count) {
            $0.hasPrefix("settled cancelAcknowledged ") && $0.hasSuffix(" acknowledged")
        })
        for id in ids { #expect(try await admin.job(id).state == .cancelled) }
        #expect(await workers.terminate() == 0)
        #expect(await server.stop() == 0)

        // Every answer has its audit entry, with actor, role, organisation,
        // reason and outcome; nothing else was audited as a cancel.
        let ledger = try server.openLedger()
        for id in ids {
            let audited = try auditEntries(ledger, id).filter { $0.action == "cancel" }
                .map { "\($0.actor)/\($0.role.rawValue)/\($0.organisation)/\($0.reason ?? "-")/\($0.outcome.rawValue)" }
            let roles = ["alice": "user/acme", "root": "admin/acme", "eve": "admin/globex"]
            let answered = all.filter { $0.job == id }.map { "\($0.actor)/\(roles[$0.actor]!)/hung/\($0.outcome)" }
            #expect(audited.sorted() == answered.sorted(), "\(id)")
        }
        #expect(try historyProblems(ledger, ids: ids, requesters: [alice, root, eve]) == [])
    }

    @Test func incident2_sixteenRemoteWorkersInSeparateProcessesClaimEveryJobExactlyOnce() async throws {
        let server = try await LiveServer()
        let owner = try server.client(try server.token("alice", role: .user))
        var workers: [RunningProcess] = []
        try await withThrowingTaskGroup(of: RunningProcess.self) { group in
            for index in 0..<16 {
                group.addTask { try await server.remoteWorkers(id: "w\(index)", behaviour: "sleep:2", claimWait: 10) }
            }
            for try await worker in group { workers.append(worker) }
        }

        // 120 jobs, each submitted twice at once: one submit creates it.
        let ids = (0..<120).map { "job-\($0)" }
        let created = Shared(0)
        try await withThrowingTaskGroup(of: Void.self) { group in
            for slice in 0..<8 {
                group.addTask {
                    for (index, id) in ids.enumerated() where index % 8 == slice {
                        async let first = owner.submit(NewJob(id: id, type: "report"))
                        async let second = owner.submit(NewJob(id: id, type: "report"))
                        let answers = try await [first, second]
                        created.withLock { $0 += answers.filter(\.created).count }
                    }
                }
            }
            try await group.waitForAll()
        }
        #expect(created.withLock { $0 } == ids.count)

        // A minute: on PostgreSQL under a loaded run 119 of 120 had settled
        // after the default 20 s; what is checked below is unchanged.
        let settled = await eventually(timeout: .seconds(60)) {
            workers.reduce(0) { $0 + $1.lines.filter { $0.hasPrefix("settled completed") }.count } >= ids.count
        }
        // Should a job be left behind, say where the ledger has it: pending
        // (no worker took it) or running (a claim whose answer was lost).
        if !settled {
            let ledger = try server.openLedger()
            let done = Set(workers.flatMap(\.lines).compactMap(WorkerLine.init).filter { $0.kind == "completed" }.map(\.jobID))
            let left = try ids.filter { !done.contains($0) }.map { id in
                let job = try ledger.job(id)
                return "\(id): \(job.map { "\($0.state) attempt \($0.attempt)" } ?? "missing"), \(try ledger.history(id).count) events"
            }
            Issue.record("unsettled after a minute: \(left.joined(separator: "; ")); claimable now: \(try ledger.hasClaimableJob())")
        }
        for worker in workers { #expect(await worker.terminate() == 0) }
        let lines = workers.flatMap { $0.lines.compactMap(WorkerLine.init) }
        let claims = lines.filter { $0.word == "claimed" }
        #expect(claims.count == ids.count)
        #expect(Set(claims.map(\.jobID)) == Set(ids))
        #expect(claims.allSatisfy { $0.attempt == 1 })
        #expect(lines.filter { $0.kind == "completed" && $0.state == "acknowledged" }.count == ids.count)
        // The work spread over the processes.
        #expect(workers.filter { $0.lines.contains { $0.hasPrefix("claimed ") } }.count >= 8)
        #expect(await server.stop() == 0)
        let ledger = try server.openLedger()
        for id in ids { #expect(try ledger.job(id)?.state == .completed) }
        #expect(try historyProblems(ledger, ids: ids, requesters: [alice]) == [])
    }

    @Test func incident3_aRemoteWorkerAcknowledgesACancelAndGoesOnClaiming() async throws {
        let server = try await LiveServer()
        let owner = try server.client(try server.token("alice", role: .user))
        let worker = try await server.remoteWorkers(
            id: "w1", behaviour: "sleep:50", lease: 5, renewInterval: 0.05, typeBehaviours: ["hung": "until-cancelled"])

        _ = try await owner.submit(NewJob(id: "first", type: "hung"))
        #expect(await worker.waitForLines(count: 1) { $0 == "claimed first 1" })
        #expect(try await owner.cancel("first", reason: "wrong address").outcome == .cancelRequested)
        #expect(await worker.waitForLines(count: 1) { $0 == "settled cancelAcknowledged first 1 acknowledged" })
        #expect(try await owner.job("first").state == .cancelled)

        // The same worker takes the next jobs and completes them.
        for index in 0..<3 { _ = try await owner.submit(NewJob(id: "next-\(index)", type: "mail")) }
        #expect(await worker.waitForLines(count: 3) { $0.hasPrefix("settled completed next-") && $0.hasSuffix(" acknowledged") })
        for index in 0..<3 { #expect(try await owner.job("next-\(index)").state == .completed) }
        #expect(await worker.terminate() == 0)
        #expect(await server.stop() == 0)
        #expect(try historyProblems(try server.openLedger(), ids: ["first", "next-0", "next-1", "next-2"], requesters: [alice]) == [])
    }

    @Test func incident4_aBatchKillOverHTTPIsOneAtomicAppendThatLeavesFinishedJobsAlone() async throws {
        let server = try await LiveServer()
        let owner = try server.client(try server.token("alice", role: .user))
        let admin = owner.authenticated(with: try server.token("root", role: .admin))
        let user = owner.authenticated(with: try server.token("bob", role: .user))
        let ids = (0..<10).map { "task-\($0)" }
        // Two jobs finish first, through a worker process that stops when idle.
        for id in ids.prefix(2) { _ = try await owner.submit(NewJob(id: id, type: "quick", batch: "array-7")) }
        let quick = try await server.remoteWorkers(id: "wq", types: ["quick"], untilIdle: true)
        #expect(await quick.waitForExit() == 0)
        // Three run in another process; five stay queued.
        for id in ids.dropFirst(2) { _ = try await owner.submit(NewJob(id: id, type: "slow", batch: "array-7")) }
        let slow = try await server.remoteWorkers(
            id: "ws", concurrency: 3, behaviour: "until-cancelled", lease: 10, renewInterval: 0.05, types: ["slow"])
        #expect(await slow.waitForLines(count: 3) { $0.hasPrefix("claimed ") })

        // A user may not kill: each job answers forbidden and nothing changes.
        let refused = try await user.killBatch("array-7", reason: "stuck")
        #expect(refused.allSatisfy { $0.outcome == .forbidden || $0.outcome.rawValue.hasPrefix("already_") }, "\(refused)")

        let results = try await admin.killBatch("array-7", reason: "stuck")
        let outcomes = Dictionary(uniqueKeysWithValues: results.map { ($0.id, $0.outcome) })
        #expect(outcomes.count == 10)
        for id in ids.prefix(2) { #expect(outcomes[id] == .alreadyCompleted) }
        for id in ids.dropFirst(2) { #expect(outcomes[id] == .killed) }
        // The running handlers hear of it from their next renewal and report nothing.
        #expect(await slow.waitForLines(count: 3) { $0.hasPrefix("settled stopped ") })
        #expect(await slow.terminate() == 0)
        #expect(await server.stop() == 0)

        let ledger = try server.openLedger()
        for id in ids.dropFirst(2) { #expect(try ledger.job(id)?.state == .killed) }
        // One request, one append: the eight kills and their audit entries
        // are adjacent in the log (historyProblems reports scattered requests).
        #expect(try historyProblems(ledger, ids: ids, requesters: [alice, root, Actor(id: "bob", role: .user, organisation: "acme")]) == [])
        // One audit entry per job of the batch, under one request, with the
        // outcome the answer gave; the finished jobs did not change.
        let kills = try ids.map { try auditEntries(ledger, $0).filter { $0.action == "kill" && $0.actor == "root" } }
        #expect(Set(kills.flatMap { $0.map(\.requestID) }).count == 1)
        #expect(zip(ids, kills).allSatisfy { id, entries in entries.map(\.outcome.rawValue) == [outcomes[id]?.rawValue] })
        for id in ids.prefix(2) { #expect(try ledger.job(id)?.state == .completed) }
    }

    @Test func incident5_aCancelRacingCompletionOverHTTPAnswersAlreadyCompletedNeverNotFound() async throws {
        let server = try await LiveServer()
        let owner = try server.client(try server.token("alice", role: .user))
        let ids = (0..<40).map { "race-\($0)" }
        let workers = try await server.remoteWorkers(id: "w1", concurrency: 4, behaviour: "sleep:3", claimWait: 5)
        let outcomes = Shared<[String: Outcome]>([:])
        try await withThrowingTaskGroup(of: Void.self) { group in
            for id in ids {
                group.addTask {
                    _ = try await owner.submit(NewJob(id: id, type: "export"))
                    try await Task.sleep(for: .milliseconds(Int.random(in: 0...12)))
                    let answer = try await owner.cancel(id, reason: "raced")
                    outcomes.withLock { $0[id] = answer.outcome }
                }
            }
            try await group.waitForAll()
        }
        let answered = outcomes.withLock { $0 }
        let allowed: Set<Outcome> = [.cancelled, .cancelRequested, .alreadyCompleted]
        #expect(answered.values.allSatisfy { allowed.contains($0) }, "\(answered)")
        // Wait for every job to settle, then ask again: a finished job answers
        // what became of it, never "not found".
        #expect(try await eventually {
            var done = 0
            for id in ids where try await owner.job(id).state.isTerminal { done += 1 }
            return done == ids.count
        })
        for id in ids {
            let state = try await owner.job(id).state
            let again = try await owner.cancel(id, reason: "again").outcome
            #expect(again == (state == .completed ? .alreadyCompleted : .alreadyCancelled), "\(id) \(state)")
        }
        await #expect(throws: LedgerProblem.self) { _ = try await owner.cancel("never-submitted", reason: "x") }
        do {
            _ = try await owner.cancel("never-submitted", reason: "x")
        } catch let problem as LedgerProblem {
            #expect(problem.status == 404)
            #expect(problem.outcome == .notFound)
        }
        #expect(await workers.terminate() == 0)
        #expect(await server.stop() == 0)
        #expect(try historyProblems(try server.openLedger(), ids: ids, requesters: [alice]) == [])
    }

    @Test func aStaleWorkerWhoseLeaseExpiredAndWhoseJobWasClaimedAgainIsRefused() async throws {
        let server = try await LiveServer()
        let owner = try server.client(try server.token("alice", role: .user))
        let stale = owner.authenticated(with: try server.token("stale", role: .worker))
        _ = try await owner.submit(NewJob(id: "slow-1", type: "render"))
        let first = try #require(try await stale.claim(types: ["render"], lease: 0.2))
        #expect(first.attempt == 1)

        // The server's sweeper expires the lease; a worker in another process
        // claims the job again (attempt 2) and holds it.
        let other = try await server.remoteWorkers(id: "fresh", behaviour: "sleep:1500", lease: 10, renewInterval: 0.1, claimWait: 5)
        #expect(await other.waitForLines(count: 1, timeout: .seconds(10)) { $0 == "claimed slow-1 2" })

        for report in ["renew", "complete", "fail", "ack-cancel"] {
            do {
                switch report {
                case "renew": _ = try await stale.renew("slow-1", attempt: 1)
                case "complete": try await stale.complete("slow-1", attempt: 1, result: .object(["stale": .bool(true)]))
                case "fail": try await stale.fail("slow-1", attempt: 1, error: "late", retryable: true)
                default: try await stale.acknowledgeCancel("slow-1", attempt: 1)
                }
                Issue.record("the stale worker's \(report) was accepted")
            } catch let problem as LedgerProblem {
                #expect(problem.status == 409, "\(report): \(problem)")
                #expect(problem.kind == .notAllowed, "\(report): \(problem)")
            }
        }
        // The fresh worker's result stands.
        #expect(await other.waitForLines(count: 1) { $0 == "settled completed slow-1 2 acknowledged" })
        let job = try await owner.job("slow-1")
        #expect(job.state == .completed)
        #expect(job.result?["stale"] == nil)
        #expect(await other.terminate() == 0)
        #expect(await server.stop() == 0)
        #expect(try historyProblems(try server.openLedger(), ids: ["slow-1"], requesters: [alice]) == [])
    }
}
