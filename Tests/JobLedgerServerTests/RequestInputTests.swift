import Foundation
import Hummingbird
import HummingbirdTesting
import JobLedger
import JobLedgerServer
import Testing

@Suite("Request input: path segments, cursors and export parameters")
struct RequestInputTests {
    @Test("a cursor that no listing handed out is a 400; a real one continues")
    func nonsenseCursorIsBadInput() async throws {
        let fixture = try ServerFixture()
        try await fixture.withClient { client in
            for id in ["c1", "c2", "c3"] {
                _ = try await client.call(.post, "/v1/jobs", token: fixture.user, body: #"{"id":"\#(id)","type":"email"}"#)
            }
            for cursor in ["00", "zz", "nonsense", "0000000000000000", "%2Bf%2Bf"] {
                let answer = try await client.call(.get, "/v1/jobs?cursor=\(cursor)", token: fixture.user)
                #expect(answer.status == 400, "\(cursor)")
                #expect(answer.problemType == "bad-input", "\(cursor)")
            }
            let first = try await client.call(.get, "/v1/jobs?limit=1", token: fixture.user)
            let cursor = try #require(first.json["next"] as? String)
            let rest = try await client.call(.get, "/v1/jobs?limit=10&cursor=\(cursor)", token: fixture.user)
            #expect(rest.status == 200)
            #expect((rest.json["jobs"] as? [Any])?.count == 2)
        }
    }
}
