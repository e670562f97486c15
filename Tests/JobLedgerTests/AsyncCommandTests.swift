import Dispatch
import EventStore
import Foundation
import JobLedger
import JobLedgerTestSupport
import Synchronization
import Testing

/// The async forms of the batch kill and the lease sweep, run against
/// writers on threads of their own, and the async path's promise not to
/// hold a thread of the pool while it waits.
@Suite struct AsyncCommandTests {
    @Test func asyncKillBatchKillsEveryJobOnceWhileItsWorkersHeartbeatAndOthersSubmit() async throws {
        let temporary = TemporaryJobLedger()
        let jobs = try temporary.open()
        let batch = "array-9"
        let ids = (0..<20).map { String(format: "kb-%02d", $0) }
        for id in ids { _ = try await jobs.submit(JobSubmission(id: id, type: "sweep", batch: batch), by: alice) }
        var leases: [IncidentLease] = []
        for index in 0..<10 {
            let job = try #require(try await jobs.claim(worker: "hb-\(index)", lease: 120))
            leases.append(IncidentLease(jobID: job.id, worker: "hb-\(index)", attempt: job.attempt))
        }
        let stop = IncidentFlag()
        let problems = IncidentCollector<String>()
        let writers = DispatchGroup()
        // Each running job's worker heartbeats until its job is killed.
        for lease in leases {
            onThread(writers) {
                while !stop.isRaised {
                    do {
                        _ = try jobs.renewLease(lease.jobID, worker: lease.worker, attempt: lease.attempt, lease: 120)
                    } catch {
                        if (try? jobs.job(lease.jobID))?.state != .killed { problems.append("\(lease.jobID): \(error)") }
                        return
                    }
                }
            }
        }
        // Unrelated jobs keep arriving.
        onThread(writers) {
            var count = 0
            while !stop.isRaised {
                count += 1
                do { _ = try jobs.submit(JobSubmission(id: "other-\(count)", type: "other"), by: bob) } catch {
                    problems.append("submit: \(error)")
                    return
                }
            }
        }
        try await Task.sleep(for: .milliseconds(5))
        let admins = [acmeAdmin, Actor(id: "root-2", role: .admin, organisation: "acme")]
        let answers = try await withThrowingTaskGroup(of: [BatchKillResult].self) { group in
            for admin in admins {
                group.addTask { try await jobs.killBatch(batch, by: admin, reason: "array stuck") }
            }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        stop.raise()
        writers.wait()

        #expect(problems.values.isEmpty, "\(problems.values)")
        #expect(answers.count == 2)
        for answer in answers { #expect(answer.map(\.jobID) == ids) }
        // Each kill is one atomic append: one answer killed every job, the
        // other found every job killed already.
        let outcomes = Set(answers.map { Set($0.map(\.outcome)) })
        let expected: Set<Set<JobOutcome>> = [[.killed], [.alreadyKilled]]
        #expect(outcomes == expected)
        for id in ids {
            #expect(try jobs.job(id)?.state == .killed)
            #expect(try jobs.store.readStream(JobStreams.job(id)).filter { $0.type == "JobKilled" }.count == 1)
            let check = try JobHistoryCheck(
                jobID: id, submission: nil, ledger: jobs, policy: jobs.options.retryPolicy, requesters: admins + [alice])
            #expect(check.problems.isEmpty, "\(id): \(check.problems)")
        }
    }

    @Test func asyncSweepersExpireEachEndedLeaseOnceWhileWorkersRaceToComplete() async throws {
        let temporary = TemporaryJobLedger()
        let clock = TestClock()
        let jobs = try temporary.open(clock: clock)
        let ids = (0..<30).map { String(format: "lease-%02d", $0) }
        var leases: [IncidentLease] = []
        for (index, id) in ids.enumerated() {
            _ = try await jobs.submit(JobSubmission(id: id, type: "short"), by: alice)
            let job = try #require(try await jobs.claim(worker: "w-\(index)", lease: 10))
            leases.append(IncidentLease(jobID: job.id, worker: "w-\(index)", attempt: job.attempt))
        }
        clock.advance(11)
        // A third of the workers finish late, racing the sweepers.
        let completed = IncidentSet()
        let writers = DispatchGroup()
        for lease in leases.prefix(10) {
            onThread(writers) {
                if (try? jobs.complete(lease.jobID, worker: lease.worker, attempt: lease.attempt)) != nil {
                    completed.insert(lease.jobID)
                }
            }
        }
        let answers = try await withThrowingTaskGroup(of: [String].self) { group in
            for _ in 0..<4 { group.addTask { try await jobs.expireLeases() } }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        writers.wait()

        let expired = answers.flatMap { $0 }
        #expect(Set(expired).count == expired.count, "a lease expired twice: \(answers)")
        for id in ids {
            let job = try #require(try jobs.job(id))
            let expiries = try jobs.store.readStream(JobStreams.job(id)).filter { $0.type == "LeaseExpired" }.count
            if completed.contains(id) {
                #expect(job.state == .completed && expiries == 0 && !expired.contains(id), "\(id)")
            } else {
                #expect(job.state == .pending && expiries == 1 && expired.contains(id), "\(id): \(job.state)")
            }
            let check = try JobHistoryCheck(
                jobID: id, submission: nil, ledger: jobs, policy: jobs.options.retryPolicy, requesters: [alice])
            #expect(check.problems.isEmpty, "\(id): \(check.problems)")
        }
        #expect(try await jobs.expireLeases().isEmpty)
    }

    @Test func asyncCommandsLosingRacesOnATwoThreadPoolBackOffWithoutHoldingItsThreads() async throws {
        let temporary = TemporaryJobLedger()
        // Waits of 0.2 to 0.6 s: long beside the commands' own work.
        let jobs = try temporary.open { $0.conflictRetry = ConflictRetryPolicy(attempts: 64, backoff: 0.4...0.4) }
        var leases: [IncidentLease] = []
        for index in 0..<16 {
            _ = try await jobs.submit(JobSubmission(id: "hot-\(index)", type: "hot"), by: alice)
            let job = try #require(try await jobs.claim(worker: "w-\(index)", lease: 60))
            leases.append(IncidentLease(jobID: job.id, worker: "w-\(index)", attempt: job.attempt))
        }
        let running = leases
        let pool = TimedExecutor(threads: 2)
        defer { pool.stop() }
        let backOffs = jobs.commandCounters.backOffCount
        let start = ContinuousClock.now
        // Four renewals of each job at once: all but one of each four lose
        // the first race and back off.
        try await withTaskExecutorPreference(pool) {
            try await withThrowingTaskGroup(of: Void.self) { group in
                for lease in running {
                    for _ in 0..<4 {
                        group.addTask {
                            _ = try await jobs.renewLease(lease.jobID, worker: lease.worker, attempt: lease.attempt, lease: 60)
                        }
                    }
                }
                try await group.waitForAll()
            }
        }
        let elapsed = ContinuousClock.now - start
        let waited = jobs.commandCounters.backOffCount - backOffs
        #expect(waited >= 16, "the racing renewals should have backed off")
        for lease in leases { #expect(try jobs.job(lease.jobID)?.version == 6) }
        // Sleeping through the waits would hold a thread for 0.2 s at least
        // each time: waited * 0.2 s of the pool's threads in all. Measured
        // as the time the threads were held, not as the test's wall time,
        // which a loaded machine stretches.
        #expect(pool.longestSlice < .milliseconds(200), "a thread of the pool was held for \(pool.longestSlice)")
        #expect(
            pool.heldInAll < .seconds(Double(waited) * 0.2),
            "\(waited) back-offs held the pool's threads for \(pool.heldInAll) in all (\(elapsed) from start to end)")
    }
}

/// Runs `body` on a thread of its own, in `group`.
private func onThread(_ group: DispatchGroup, _ body: @escaping @Sendable () -> Void) {
    group.enter()
    Thread {
        body()
        group.leave()
    }.start()
}

/// A task executor of a fixed number of threads that records how long the
/// longest piece of work held one of them.
final class TimedExecutor: TaskExecutor, @unchecked Sendable {
    private let condition = NSCondition()
    private var queue: [UnownedJob] = []
    private var stopped = false
    private let longest = Mutex<Duration>(.zero)
    private let total = Mutex<Duration>(.zero)

    init(threads: Int) {
        for index in 0..<threads {
            let thread = Thread { [self] in run() }
            thread.name = "timed-executor-\(index)"
            thread.start()
        }
    }

    /// The longest time one job ran on a thread of this executor.
    var longestSlice: Duration { longest.withLock { $0 } }

    /// The time jobs ran on the threads of this executor, all added up.
    var heldInAll: Duration { total.withLock { $0 } }

    func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        condition.lock()
        queue.append(job)
        condition.signal()
        condition.unlock()
    }

    /// Lets the threads end once the queue is empty.
    func stop() {
        condition.lock()
        stopped = true
        condition.broadcast()
        condition.unlock()
    }

    private func run() {
        while true {
            condition.lock()
            while queue.isEmpty && !stopped { condition.wait() }
            if queue.isEmpty {
                condition.unlock()
                return
            }
            let job = queue.removeFirst()
            condition.unlock()
            let start = ContinuousClock.now
            job.runSynchronously(on: asUnownedTaskExecutor())
            let slice = ContinuousClock.now - start
            longest.withLock { $0 = max($0, slice) }
            total.withLock { $0 += slice }
        }
    }
}
