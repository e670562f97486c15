import Foundation
import Hummingbird
import HummingbirdTesting
import JobLedger
import JobLedgerServer
import Synchronization
import Testing

/// Scheduling, timeouts and dependencies over HTTP, against a real server
/// on a ledger whose clock the test moves.
@Suite("Job feature routes")
struct JobFeatureRouteTests {
    final class Clock: Sendable {
        let now = Mutex(Date(timeIntervalSince1970: 1_800_000_000))
        func advance(_ seconds: TimeInterval) { now.withLock { $0 += seconds } }
    }

    @Test("a submit takes runAt, delay, timeout and after; list takes scheduled; a renewal past the timeout says timedOut")
    func newFieldsTravelBothWays() async throws {
        let clock = Clock()
        let fixture = try ServerFixture(clock: { clock.now.withLock { $0 } })
        try await fixture.withClient { client in
            let first = try await client.call(.post, "/v1/jobs", token: fixture.user, body: #"{"id":"first","type":"t","timeout":10}"#)
            #expect(first.status == 201)
            let firstJob = try #require(first.json["job"] as? [String: Any])
            #expect(firstJob["timeout"] as? Double == 10)
            let later = try await client.call(
                .post, "/v1/jobs", token: fixture.user, body: #"{"id":"later","type":"t","runAt":"2027-01-15T09:00:00Z"}"#)
            #expect((later.json["job"] as? [String: Any])?["runAt"] as? String == "2027-01-15T09:00:00.000Z")
            let next = try await client.call(.post, "/v1/jobs", token: fixture.user, body: #"{"id":"next","type":"t","after":["first"]}"#)
            #expect((next.json["job"] as? [String: Any])?["waitingFor"] as? [String] == ["first"])
            let both = try await client.call(
                .post, "/v1/jobs", token: fixture.user, body: #"{"type":"t","runAt":"2027-01-15T09:00:00Z","delay":5}"#)
            #expect(both.status == 400)
            let unknown = try await client.call(.post, "/v1/jobs", token: fixture.user, body: #"{"type":"t","after":["nowhere"]}"#)
            #expect(unknown.status == 400)

            let scheduled = try await client.call(.get, "/v1/jobs?scheduled=true", token: fixture.admin)
            #expect((scheduled.json["jobs"] as? [[String: Any]])?.compactMap { $0["id"] as? String } == ["later"])
            #expect(try await client.call(.get, "/v1/jobs?scheduled=maybe", token: fixture.admin).status == 400)

            let claimed = try await client.call(.post, "/v1/claims", token: fixture.worker, body: #"{"lease":60}"#)
            #expect((claimed.json["job"] as? [String: Any])?["id"] as? String == "first")
            clock.advance(10)
            let renewal = try await client.call(.post, "/v1/jobs/first/renew", token: fixture.worker, body: #"{"attempt":1,"lease":60}"#)
            #expect(renewal.status == 200)
            #expect(renewal.json["timedOut"] as? Bool == true)
            #expect(renewal.json["cancelRequested"] as? Bool == false)
            #expect((renewal.json["job"] as? [String: Any])?["state"] as? String == "pending")
        }
    }
}
