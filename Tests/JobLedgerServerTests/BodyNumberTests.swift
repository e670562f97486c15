import Foundation
import JobLedger
import Testing

@Suite("Request body numbers")
struct BodyNumberTests {
    @Test("a body keeps whole numbers exact past a double's precision, and a whole-number field takes 2.0 but not 1.5 or true")
    func wholeNumbersStayExact() async throws {
        let fixture = try ServerFixture()
        try await fixture.withClient { client in
            let exact = try await client.call(
                .post, "/v1/jobs", token: fixture.user, body: #"{"id":"n1","type":"email","payload":{"n":9007199254740993}}"#)
            #expect(exact.status == 201)
            #expect(try fixture.ledger.job("n1")?.payload == #"{"n":9007199254740993}"#)
            let whole = try await client.call(
                .post, "/v1/jobs", token: fixture.user, body: #"{"id":"n2","type":"email","priority":2.0}"#)
            #expect(whole.status == 201)
            #expect(try fixture.ledger.job("n2")?.priority == 2)
            let fraction = try await client.call(
                .post, "/v1/jobs", token: fixture.user, body: #"{"id":"n3","type":"email","priority":1.5}"#)
            #expect(fraction.status == 400)
            #expect(fraction.json["detail"] as? String == "'priority' must be a whole number")
            let boolean = try await client.call(
                .post, "/v1/jobs", token: fixture.user, body: #"{"id":"n4","type":"email","priority":true}"#)
            #expect(boolean.status == 400)
            #expect(boolean.json["detail"] as? String == "'priority' must be a whole number")
        }
    }
}
