import Foundation
import Hummingbird
import JobLedger

/// The worker routes: claim (with a long poll), renew, complete, fail and
/// acknowledge a cancel. They need a worker token, and act as its worker
/// id: a body never names the worker.
struct WorkerRoutes {
    let state: ServerState
    var ledger: JobLedger { state.ledger }

    func register(on group: RouterGroup<LedgerRequestContext>) {
        group.post("claims") { request, context in try await claim(request, context) }
        group.post("jobs/{id}/renew") { request, context in try await report(.renew, request, context) }
        group.post("jobs/{id}/complete") { request, context in try await report(.complete, request, context) }
        group.post("jobs/{id}/fail") { request, context in try await report(.fail, request, context) }
        group.post("jobs/{id}/ack-cancel") { request, context in try await report(.ackCancel, request, context) }
    }

    /// Claims a job, waiting up to `wait` seconds for one: woken by every
    /// commit of this process (a submit, a retry, a lease expiry), and by
    /// the ``ClaimWaker`` when a job became claimable otherwise (another
    /// process's submit, a retry time coming due). Nothing runs while it waits.
    ///
    /// With `count`, a worker with several free slots takes up to that many
    /// jobs in one request: the first as above, the others only if they are
    /// claimable at once, by concurrent claims that share a commit.
    func claim(_ request: Request, _ context: LedgerRequestContext) async throws -> Response {
        let worker = try Permissions.requireWorker(try context.caller())
        let fields = try BodyFields(
            try await RequestBodies.bytes(request, limits: state.limits), allowed: ["types", "lease", "wait", "count"])
        let types = try fields.strings("types").flatMap { $0.isEmpty ? nil : Set($0) }
        let lease = try fields.number("lease") ?? 30
        let wait = try fields.number("wait") ?? 0
        guard wait >= 0, wait <= state.limits.maxClaimWait else {
            throw Problem(.badInput, "wait: must be from 0 to \(state.limits.maxClaimWait) seconds, got \(wait)")
        }
        let count = try fields.integer("count")
        if let count, !(1...Self.maxClaimCount).contains(count) {
            throw Problem(.badInput, "count: must be from 1 to \(Self.maxClaimCount), got \(count)")
        }
        guard let count, count > 1 else {
            guard let job = try await claimFirst(worker: worker, types: types, lease: lease, wait: wait) else {
                return Reply.noContent()
            }
            return count == nil ? Reply.job(job) : Reply.jobs([job])
        }
        // Jobs waiting: all of them in one commit. None: wait for the first
        // as a single claim does, then take what else came with it.
        let start = ContinuousClock.now
        let ready = await claimAtOnce(count, worker: worker, types: types, lease: lease)
        if !ready.isEmpty {
            state.metrics.claimWait(ContinuousClock.now - start, claimed: true)
            return Reply.jobs(ready)
        }
        guard let first = try await claimFirst(worker: worker, types: types, lease: lease, wait: wait) else {
            return Reply.noContent()
        }
        let more = await claimAtOnce(count - 1, worker: worker, types: types, lease: lease)
        return Reply.jobs([first] + more)
    }

    /// The most jobs one claim may ask for.
    static let maxClaimCount = 100

    /// Up to `count` more jobs claimable now, claimed concurrently so that
    /// the group commit writes them together. A claim that fails takes no
    /// job, so its failure only makes the answer shorter: the jobs already
    /// claimed are never lost to the worker.
    private func claimAtOnce(_ count: Int, worker: String, types: Set<String>?, lease: Double) async -> [Job] {
        guard count > 0 else { return [] }
        let ledger = self.ledger
        return await withTaskGroup(of: Job?.self) { group in
            for _ in 0..<count {
                group.addTask { try? await ledger.claim(worker: worker, types: types, lease: lease) }
            }
            var jobs: [Job] = []
            for await job in group {
                if let job { jobs.append(job) }
            }
            return jobs
        }
    }

    /// One job, waiting up to `wait` seconds for it; nil when none came.
    private func claimFirst(worker: String, types: Set<String>?, lease: Double, wait: Double) async throws -> Job? {
        let start = ContinuousClock.now
        // The first try needs no slot: most claims find a job at once.
        var generation = ledger.store.commitGeneration
        if let job = try await ledger.claim(worker: worker, types: types, lease: lease) {
            state.metrics.claimWait(ContinuousClock.now - start, claimed: true)
            return job
        }
        if wait == 0 || state.gate.isShuttingDown { return nil }
        guard state.longPolls.acquire() else {
            state.metrics.refusedOverLimit("long-polls")
            throw Problem(.busy, "too many claims are waiting (\(state.longPolls.maximum)); try again", retryAfter: 1)
        }
        defer { state.longPolls.release() }
        let deadline = start + .milliseconds(Int64(wait * 1000))
        while true {
            let now = ContinuousClock.now
            if now >= deadline || state.gate.isShuttingDown { break }
            await waitForWork(after: generation, atMost: deadline - now)
            if state.gate.isShuttingDown { break }
            generation = ledger.store.commitGeneration
            if let job = try await ledger.claim(worker: worker, types: types, lease: lease) {
                state.metrics.claimWait(ContinuousClock.now - start, claimed: true)
                return job
            }
        }
        state.metrics.claimWait(ContinuousClock.now - start, claimed: false)
        return nil
    }

    /// Returns on a commit after `generation`, a wake of the claim waker,
    /// after `atMost`, or when the server shuts down.
    private func waitForWork(after generation: UInt64, atMost: Duration) async {
        let store = ledger.store
        let gate = state.gate
        let waker = state.claimWaker
        await withTaskGroup(of: Void.self) { group in
            group.addTask { await store.waitForCommit(after: generation, timeout: atMost) }
            group.addTask { await gate.wait() }
            group.addTask { await waker.wait() }
            await group.next()
            group.cancelAll()
        }
    }

    enum Report: String {
        case renew, complete, fail
        case ackCancel = "ack-cancel"

        /// The settlement the route reports; `nil` for a renewal.
        var settlement: Settlement.Kind? { Settlement.Kind(rawValue: rawValue) }
    }

    func report(_ kind: Report, _ request: Request, _ context: LedgerRequestContext) async throws -> Response {
        let worker = try Permissions.requireWorker(try context.caller())
        let id = try context.pathParameter("id")
        let allowed = Set(["attempt"]).union(kind.settlement?.fields ?? ["lease"])
        let fields = try BodyFields(try await RequestBodies.bytes(request, limits: state.limits), allowed: allowed)
        let start = ContinuousClock.now
        let response: Response
        if let settling = kind.settlement {
            let settlement = try Settlement(id: id, kind: settling, fields: fields)
            response = Reply.job(try await settlement.run(on: ledger, worker: worker))
        } else {
            let attempt = try fields.attempt()
            let renewal = try await ledger.renewLease(id, worker: worker, attempt: attempt, lease: try fields.number("lease") ?? 30)
            response = Reply.renewal(renewal)
        }
        state.metrics.command(kind.rawValue, duration: ContinuousClock.now - start)
        return response
    }
}
