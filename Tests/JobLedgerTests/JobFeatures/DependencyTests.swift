import EventStore
import Foundation
@testable import JobLedger
import Testing

/// Jobs that wait for other jobs: claimable once every one of them has
/// completed, cancelled with the reason when one ends any other way.
@Suite struct DependencyTests {
    /// Submits `link-0` to `link-<count - 1>`, each waiting for the one before.
    static func submitChain(of count: Int, to jobs: JobLedger) throws {
        _ = try jobs.submit(JobSubmission(id: "link-0", type: "chain"), by: alice)
        for index in 1..<count {
            _ = try jobs.submit(JobSubmission(id: "link-\(index)", type: "chain", after: ["link-\(index - 1)"]), by: alice)
        }
    }

    @Test func aChainOfAThousandDependentJobsRunsInOrderOnWorkerThreads() throws {
        let ledger = TemporaryJobLedger()
        let jobs = try ledger.open()
        let count = 1000
        try Self.submitChain(of: count, to: jobs)
        #expect(try jobs.list(JobQuery(state: .pending), limit: 2000).jobs.filter { $0.waitingFor.isEmpty }.map(\.id) == ["link-0"])
        let outcome = ClaimingThreads.run(
            jobs, threads: 4, type: "chain", until: count, idleMicros: TestBackend.current == .postgres ? 2000 : 200
        ) { job, _ in
            // Nothing is claimed before the job it waits for completed.
            if let dependency = job.dependencies.first, try jobs.job(dependency)?.state != .completed {
                throw ClaimingThreads.CheckFailed(description: "\(job.id) claimed before \(dependency) completed")
            }
        }
        #expect(outcome.finished)
        #expect(outcome.failures == [])
        // Threads note their completions in whatever order they get to it;
        // the order that counts is the log's: each claim comes after the
        // completion it waited for, so the chain ran in order.
        #expect(Set(outcome.completed) == Set((0..<count).map { "link-\($0)" }))
        var previousCompletion: UInt64 = 0
        for index in 0..<count {
            let history = try jobs.history("link-\(index)")
            let claim = try #require(history.first { $0.type == "JobClaimed" })
            let completion = try #require(history.first { $0.type == "JobCompleted" })
            #expect(claim.position > previousCompletion, "link-\(index)")
            previousCompletion = completion.position
        }
        #expect(try jobs.verifyProjections().isEmpty)
    }

    @Test func failingOneJobOfAChainCancelsEveryJobAfterItWithTheReason() throws {
        let ledger = TemporaryJobLedger()
        let jobs = try ledger.open()
        let count = 1000
        try Self.submitChain(of: count, to: jobs)
        for index in 0..<500 {
            let job = try #require(try jobs.claim(worker: "w1", lease: 30))
            #expect(job.id == "link-\(index)")
            _ = try jobs.complete(job.id, worker: "w1", attempt: job.attempt)
        }
        let doomed = try #require(try jobs.claim(worker: "w1", lease: 30))
        #expect(doomed.id == "link-500")
        #expect(try jobs.fail("link-500", worker: "w1", attempt: 1, error: "disk full", retryable: false).state == .failed)
        for index in 501..<count {
            let job = try #require(try jobs.job("link-\(index)"))
            #expect(job.state == .cancelled, "link-\(index)")
            #expect(job.stopReason == "dependency 'link-500' failed", "link-\(index)")
            #expect(job.stopRequestedBy == "system")
        }
        #expect(try jobs.claim(worker: "w1", lease: 30) == nil)
        #expect(try jobs.job("link-499")?.state == .completed)
        #expect(try jobs.verifyProjections().isEmpty)
    }

    @Test func aJobWaitingForTwoRunsOnlyAfterBothCompleted() async throws {
        let ledger = TemporaryJobLedger()
        let jobs = try ledger.open()
        _ = try await jobs.submit(JobSubmission(id: "a", type: "t"), by: alice)
        _ = try await jobs.submit(JobSubmission(id: "b", type: "t"), by: alice)
        let join = try await jobs.submit(JobSubmission(id: "join", type: "t", priority: 9, after: ["a", "b", "a"]), by: alice).job
        #expect(join.dependencies == ["a", "b"])
        #expect(join.waitingFor == ["a", "b"])
        let first = try #require(try await jobs.claim(worker: "w1", lease: 30))
        #expect(first.id == "a")
        _ = try await jobs.complete("a", worker: "w1", attempt: 1)
        #expect(try jobs.job("join")?.waitingFor == ["b"])
        let second = try #require(try await jobs.claim(worker: "w1", lease: 30))
        #expect(second.id == "b")
        _ = try await jobs.complete("b", worker: "w1", attempt: 1)
        #expect(try await jobs.claim(worker: "w1", lease: 30)?.id == "join")
    }

    @Test func aDependencyThatEndedBeforeTheSubmissionIsResolvedAtOnce() throws {
        let ledger = TemporaryJobLedger()
        let jobs = try ledger.open()
        _ = try jobs.submit(JobSubmission(id: "done", type: "t"), by: alice)
        _ = try jobs.claim(worker: "w1", lease: 30)
        _ = try jobs.complete("done", worker: "w1", attempt: 1)
        _ = try jobs.submit(JobSubmission(id: "killed", type: "t"), by: alice)
        _ = try jobs.kill("killed", by: acmeAdmin, reason: "wrong input")
        let ready = try jobs.submit(JobSubmission(id: "ready", type: "t", after: ["done"]), by: alice)
        #expect(ready.created && ready.job.waitingFor.isEmpty && ready.job.state == .pending)
        let orphan = try jobs.submit(JobSubmission(id: "orphan", type: "t", after: ["done", "killed"]), by: alice)
        #expect(orphan.job.state == .cancelled)
        #expect(orphan.job.stopReason == "dependency 'killed' killed")
        #expect(try jobs.claim(worker: "w1", lease: 30)?.id == "ready")
    }

    @Test func cancellingAWaitedForJobCancelsItsDependentsAndARetryByHandRunsOneAtOnce() throws {
        let ledger = TemporaryJobLedger()
        let jobs = try ledger.open()
        _ = try jobs.submit(JobSubmission(id: "first", type: "t"), by: alice)
        _ = try jobs.submit(JobSubmission(id: "second", type: "t", after: ["first"]), by: alice)
        #expect(try jobs.cancel("first", by: alice, reason: "changed my mind").outcome == .cancelled)
        let second = try #require(try jobs.job("second"))
        #expect(second.state == .cancelled && second.stopReason == "dependency 'first' cancelled")
        #expect(try jobs.retry("second", by: alice).outcome == .retried)
        #expect(try jobs.claim(worker: "w1", lease: 30)?.id == "second")
        #expect(try jobs.verifyProjections().isEmpty)
    }

    @Test func aDependencyOnAJobThatDoesNotExistIsRefusedAndNothingIsStored() throws {
        let ledger = TemporaryJobLedger()
        let jobs = try ledger.open()
        #expect {
            _ = try jobs.submit(JobSubmission(id: "x", type: "t", after: ["nowhere"]), by: alice)
        } throws: { error in
            (error as? JobLedgerError)?.code == .invalidInput && "\(error)".contains("nowhere")
        }
        #expect {
            _ = try jobs.submit(JobSubmission(id: "y", type: "t", after: ["bad id!"]), by: alice)
        } throws: { error in
            (error as? JobLedgerError)?.code == .invalidInput && "\(error)".contains("after")
        }
        #expect(try jobs.job("x") == nil && jobs.job("y") == nil)
    }

    @Test func aResolutionLostWhenAProcessStoppedIsMadeByTheSweep() throws {
        // The completion is appended without the ledger's follow-up, as a
        // process that stopped right after it would leave it.
        let ledger = TemporaryJobLedger()
        let jobs = try ledger.open()
        _ = try jobs.submit(JobSubmission(id: "first", type: "t"), by: alice)
        _ = try jobs.submit(JobSubmission(id: "second", type: "t", after: ["first"]), by: alice)
        _ = try jobs.claim(worker: "w1", lease: 30)
        _ = try jobs.execute(try jobs.jobCommand("first", .complete(worker: "w1", attempt: 1, result: nil), actor: .worker("w1")) { $0 })
        #expect(try jobs.job("second")?.waitingFor == ["first"])
        #expect(try jobs.claim(worker: "w1", lease: 30) == nil)
        #expect(try jobs.resolveDependencies() == ["second"])
        #expect(try jobs.resolveDependencies().isEmpty)
        #expect(try jobs.claim(worker: "w1", lease: 30)?.id == "second")
    }
}
