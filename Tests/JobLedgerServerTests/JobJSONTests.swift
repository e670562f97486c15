import Foundation
import JobLedger
import Testing

@Suite("JSON of jobs")
struct JobJSONTests {
    @Test("the direct JOB writer gives the very bytes of the general serializer, for every state and awkward text")
    func directWriterMatchesTheSerializer() async throws {
        let fixture = try ServerFixture()
        let ledger = fixture.ledger
        let alice = Actor(id: "alice", role: .user, organisation: "acme")
        _ = try await ledger.submit(JobSubmission(
            id: "plain", type: "email", payload: #"{"z":[1,2.5,"x/y"],"A":{"é":true,"n":null}}"#, priority: -3, batch: "b-1"), by: alice)
        _ = try await ledger.submit(JobSubmission(id: "done", type: "email"), by: alice)
        _ = try await ledger.submit(JobSubmission(id: "broken", type: "email", maxAttempts: 1), by: alice)
        _ = try await ledger.submit(JobSubmission(id: "text", type: "email"), by: alice)
        let first = try #require(try await ledger.claim(worker: "w1", types: nil, lease: 30))
        _ = try await ledger.complete(first.id, worker: "w1", attempt: first.attempt, result: #"{"B":1,"a":[1.5,"x/y"],"é":null}"#)
        let second = try #require(try await ledger.claim(worker: "w1", types: nil, lease: 30))
        _ = try await ledger.fail(second.id, worker: "w1", attempt: second.attempt, error: "quote \" slash \\ tab\t é", retryable: false)
        let third = try #require(try await ledger.claim(worker: "w1", types: nil, lease: 30))
        _ = try await ledger.complete(third.id, worker: "w1", attempt: third.attempt, result: "12")
        for id in ["plain", "done", "broken", "text"] {
            let job = try #require(try ledger.job(id))
            #expect(JobJSON.jobData(job) == JobJSON.data(JobJSON.job(job)), "\(id)")
        }
        let running = try #require(try await ledger.claim(worker: "w2", types: nil, lease: 30))
        #expect(JobJSON.jobData(running) == JobJSON.data(JobJSON.job(running)))
    }

    @Test("a page of jobs written directly is the very bytes of the general serializer, with and without a next cursor")
    func directPageMatchesTheSerializer() async throws {
        let fixture = try ServerFixture()
        let ledger = fixture.ledger
        let alice = Actor(id: "alice", role: .user, organisation: "acme")
        _ = try await ledger.submit(JobSubmission(id: "a", type: "email", payload: #"{"to":"x/y","é":[1,2]}"#), by: alice)
        _ = try await ledger.submit(JobSubmission(id: "b", type: "email", maxAttempts: 2), by: alice)
        _ = try await ledger.submit(JobSubmission(id: "c", type: "email", payload: #"{"n":3}"#, tags: ["t1"]), by: alice)
        let claimed = try #require(try await ledger.claim(worker: "w1", types: nil, lease: 30))
        _ = try await ledger.fail(claimed.id, worker: "w1", attempt: claimed.attempt, error: "tab\t quote \"", retryable: true)
        let first = try ledger.list(limit: 2)
        #expect(first.next != nil)
        #expect(JobJSON.pageData(first) == JobJSON.data(JobJSON.page(first)))
        let rest = try ledger.list(limit: 2, after: first.next)
        #expect(rest.next == nil)
        #expect(JobJSON.pageData(rest) == JobJSON.data(JobJSON.page(rest)))
        let empty = try ledger.list(JobQuery(type: "none"))
        #expect(empty.jobs.isEmpty)
        #expect(JobJSON.pageData(empty) == JobJSON.data(JobJSON.page(empty)))
    }
}
