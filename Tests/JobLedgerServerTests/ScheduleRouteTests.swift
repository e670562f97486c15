import Foundation
import Hummingbird
import HummingbirdTesting
import JobLedger
import JobLedgerServer
import Testing

/// Recurring schedules over HTTP, against a real server: set and removed
/// by admins and the system, who own the jobs they submit.
@Suite("Schedule routes")
struct ScheduleRouteTests {
    @Test("an admin sets a schedule whose jobs it owns; users and workers are refused; removing twice is 404")
    func schedulesTravelAndBind() async throws {
        let fixture = try ServerFixture()
        try await fixture.withClient { client in
            let body = #"{"type":"report","every":3600,"start":"2026-01-01T00:00:00Z","payload":{"kind":"hourly"},"priority":2}"#
            #expect(try await client.call(.put, "/v1/schedules/hourly", token: fixture.user, body: body).status == 403)
            let set = try await client.call(.put, "/v1/schedules/hourly", token: fixture.admin, body: body)
            #expect(set.status == 200, "\(set.text)")
            #expect(set.json["every"] as? Int == 3600 && set.json["start"] as? String == "2026-01-01T00:00:00.000Z")
            #expect((set.json["payload"] as? [String: Any])?["kind"] as? String == "hourly")

            let listed = try await client.call(.get, "/v1/schedules", token: fixture.user)
            let schedules = try #require(listed.json["schedules"] as? [[String: Any]])
            #expect(schedules.count == 1 && schedules[0]["owner"] as? String == set.json["owner"] as? String)
            #expect(try await client.call(.get, "/v1/schedules", token: fixture.worker).status == 403)

            let paused = try await client.call(.post, "/v1/schedules/hourly/pause", token: fixture.admin)
            #expect(paused.status == 200 && paused.json["paused"] as? Bool == true)
            #expect(try await client.call(.post, "/v1/schedules/hourly/resume", token: fixture.user).status == 403)
            #expect(try await client.call(.post, "/v1/schedules/nowhere/pause", token: fixture.admin).status == 404)
            let resumed = try await client.call(.post, "/v1/schedules/hourly/resume", token: fixture.admin)
            #expect(resumed.json["paused"] as? Bool == false && resumed.json["missed"] as? String == "latest")
            let each = try await client.call(
                .put, "/v1/schedules/catch-up", token: fixture.admin, body: #"{"type":"r","every":60,"missed":"each","start":"2030-01-01T00:00:00Z"}"#)
            #expect(each.json["missed"] as? String == "each")
            #expect(try await client.call(.delete, "/v1/schedules/catch-up", token: fixture.admin).status == 204)

            for bad in [#"{"type":"r","every":60,"missed":"sometimes"}"#, #"{"type":"r"}"#, #"{"type":"r","every":0}"#, #"{"type":"r","every":60,"owner":"x"}"#, #"{"every":60}"#] {
                let answer = try await client.call(.put, "/v1/schedules/other", token: fixture.admin, body: bad)
                #expect(answer.status == 400, "\(bad): \(answer.text)")
            }
        }
        // The job of the last occurrence, owned by the admin who set it.
        let fired = try await fixture.ledger.fireDueSchedules()
        #expect(fired.count == 1 && fired[0].hasPrefix("hourly."))
        let job = try #require(try fixture.ledger.job(fired[0]))
        #expect(job.priority == 2 && job.payload == #"{"kind":"hourly"}"#)
        try await fixture.withClient { client in
            let byUser = try await client.call(.delete, "/v1/schedules/hourly?reason=done", token: fixture.user)
            let byAdmin = try await client.call(.delete, "/v1/schedules/hourly?reason=done", token: fixture.admin)
            let again = try await client.call(.delete, "/v1/schedules/hourly", token: fixture.admin)
            #expect(byUser.status == 403 && byAdmin.status == 204 && again.status == 404)
        }
        #expect(try fixture.ledger.schedules().isEmpty)
    }

    @Test("a cron schedule in a time zone travels both ways with its next occurrence; malformed ones are 400 and change nothing")
    func cronSchedulesTravel() async throws {
        let fixture = try ServerFixture()
        try await fixture.withClient { client in
            let body = #"{"type":"report","cron":"30 2 * * *","timeZone":"Europe/Paris","start":"2026-03-28T12:00:00Z"}"#
            let set = try await client.call(.put, "/v1/schedules/nightly", token: fixture.admin, body: body)
            #expect(set.status == 200, "\(set.text)")
            #expect(set.json["cron"] as? String == "30 2 * * *" && set.json["timeZone"] as? String == "Europe/Paris")
            #expect(set.json["every"] == nil)
            let listed = try await client.call(.get, "/v1/schedules", token: fixture.user)
            let shown = try #require((listed.json["schedules"] as? [[String: Any]])?.first)
            #expect(shown["cron"] as? String == "30 2 * * *" && shown["timeZone"] as? String == "Europe/Paris")
            // The next 02:30 in Paris after now: a whole minute, at 00:30 or 01:30 UTC (01:00 on a spring-forward night).
            let next = try #require(shown["next"] as? String)
            #expect(next.hasSuffix(":00.000Z") && (next.contains("T00:30") || next.contains("T01:30") || next.contains("T01:00")), "\(next)")

            let utc = try await client.call(.put, "/v1/schedules/daily", token: fixture.admin, body: #"{"type":"r","cron":"@daily"}"#)
            #expect(utc.status == 200 && utc.json["timeZone"] as? String == "UTC", "\(utc.text)")
            let start = try #require(utc.json["start"] as? String)
            #expect(start.hasSuffix(".000Z"), "a schedule without a start starts at a whole second: \(start)")

            for (bad, fault) in [
                (#"{"type":"r","cron":"61 * * * *"}"#, "minute"),
                (#"{"type":"r","cron":"0 0 30 2 *"}"#, "never fires"),
                (#"{"type":"r","cron":"0 0 * * *","timeZone":"Nowhere/City"}"#, "timeZone"),
                (#"{"type":"r","cron":"0 0 * * *","every":60}"#, "exactly one"),
                (#"{"type":"r","every":60,"timeZone":"Europe/Paris"}"#, "timeZone"),
                (#"{"type":"r","cron":7}"#, "cron"),
            ] {
                let answer = try await client.call(.put, "/v1/schedules/other", token: fixture.admin, body: bad)
                #expect(answer.status == 400 && answer.text.contains(fault), "\(bad): \(answer.text)")
            }
        }
        #expect(try fixture.ledger.schedules().map(\.name) == ["daily", "nightly"])
        #expect(try fixture.ledger.store.readStream("schedules").count == 2)
    }
}
