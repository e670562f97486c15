import Foundation
import JobLedgerClient
import Testing

/// A claim with a count takes several jobs in one request: each at most
/// once across workers, each recorded against the token's worker.
@Suite struct BatchClaimTests {
    // Leases of ten minutes: the jobs are read back at the end, and on a
    // loaded machine the test can outlast a shorter lease, after which the
    // sweeper rightly puts the jobs back in the queue.
    @Test func aClaimWithACountTakesUpToThatManyDistinctJobsAndNeverOneTwiceAcrossWorkers() async throws {
        let server = try await LiveServer()
        let alice = try server.client(try server.token("alice", role: .user))
        let first = alice.authenticated(with: try server.token("w1", role: .worker))
        let second = alice.authenticated(with: try server.token("w2", role: .worker))
        for index in 0..<7 { _ = try await alice.submit(NewJob(id: "small-\(index)", type: "small")) }

        let five = try await first.claim(upTo: 5, types: ["small"], lease: 600, wait: 1)
        #expect(five.count == 5)
        #expect(Set(five.map(\.id)).count == 5)
        #expect(five.allSatisfy { $0.state == .running && $0.worker == "w1" && $0.attempt == 1 })
        let rest = try await first.claim(upTo: 5, types: ["small"], lease: 600, wait: 1)
        #expect(Set(rest.map(\.id)) == Set((0..<7).map { "small-\($0)" }).subtracting(five.map(\.id)))
        #expect(try await first.claim(upTo: 5, types: ["small"], lease: 600, wait: 0).isEmpty)

        // Two workers asking for 16 at a time, 24 times over, while 300 jobs
        // arrive: every job claimed once, by one of them.
        let submitting = Task {
            for index in 0..<300 { _ = try await alice.submit(NewJob(id: "race-\(index)", type: "race")) }
        }
        async let byFirst = claimRepeatedly(first)
        async let bySecond = claimRepeatedly(second)
        try await submitting.value
        let claimed = try await byFirst + bySecond
        var leftover: [LedgerJob] = []
        while true {
            let more = try await first.claim(upTo: 100, types: ["race"], lease: 600, wait: 0)
            if more.isEmpty { break }
            leftover += more
        }
        let ids = (claimed + leftover).map(\.id)
        #expect(ids.count == 300, "claimed \(ids.count) times for 300 jobs")
        #expect(Set(ids) == Set((0..<300).map { "race-\($0)" }))
        for job in claimed.prefix(20) {
            let stored = try await alice.job(job.id)
            #expect(stored.state == .running && stored.worker == job.worker && stored.attempt == 1, "\(stored) vs \(job)")
        }
        #expect(await server.stop() == 0)
    }

    private func claimRepeatedly(_ worker: LedgerClient) async throws -> [LedgerJob] {
        var jobs: [LedgerJob] = []
        for _ in 0..<24 { jobs += try await worker.claim(upTo: 16, types: ["race"], lease: 600, wait: 0.2) }
        return jobs
    }

    @Test func aCountOutsideOneToAHundredIsRefusedWith400AndClaimsNothing() async throws {
        let server = try await LiveServer()
        let alice = try server.client(try server.token("alice", role: .user))
        let worker = alice.authenticated(with: try server.token("w1", role: .worker))
        _ = try await alice.submit(NewJob(id: "only", type: "t"))
        for count in [0, -1, 101] {
            do {
                _ = try await worker.claim(upTo: count, lease: 600)
                Issue.record("count \(count) was accepted")
            } catch let problem as LedgerProblem {
                #expect(problem.status == 400 && problem.detail.contains("count"), "\(count): \(problem)")
            }
        }
        #expect(try await alice.job("only").state == .pending)
        #expect(await server.stop() == 0)
    }
}
