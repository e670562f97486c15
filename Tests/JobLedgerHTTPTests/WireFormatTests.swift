import Foundation
import NIOCore
import Testing

@testable import JobLedgerClient

/// The client's reading of what the server sends: times, problems, jobs,
/// lines and server-sent events, pieces arriving cut anywhere.
@Suite struct WireFormatTests {
    @Test func timesWithMillisecondsAndMicrosecondsReadExactly() throws {
        let milliseconds = try #require(LedgerTimestamp.parse("2026-11-23T12:00:00.123Z"))
        #expect(abs(milliseconds.timeIntervalSince1970 - 1_795_435_200.123) < 1e-6)
        let microseconds = try #require(LedgerTimestamp.parse("2026-11-23T12:00:00.123456Z"))
        #expect(abs(microseconds.timeIntervalSince1970 - 1_795_435_200.123456) < 1e-6)
        #expect(LedgerTimestamp.parse("1970-01-01T00:00:00Z") == Date(timeIntervalSince1970: 0))
        #expect(LedgerTimestamp.format(milliseconds) == "2026-11-23T12:00:00.123Z")
        #expect(LedgerTimestamp.format(Date(timeIntervalSince1970: -0.5)) == "1969-12-31T23:59:59.500Z")
        for bad in ["2026-11-23 12:00:00Z", "2026-13-01T00:00:00Z", "2026-11-23T12:00:00.Z", "2026-11-23T12:00:00+01:00", ""] {
            #expect(LedgerTimestamp.parse(bad) == nil, "\(bad)")
        }
    }

    @Test func aProblemKeepsItsKindDetailAndOutcomeAndAnUnknownKindStaysItself() {
        let body = Data(#"""
            {"type":"https://jobledger.dev/problems/not-allowed","title":"Not allowed in the job's state","status":409,
             "detail":"job 'a' is completed","jobId":"a","outcome":"not_lease_holder"}
            """#.utf8)
        let problem = LedgerProblem(status: 409, body: body, retryAfterHeader: nil, request: "POST /v1/jobs/a/complete")
        #expect(problem.kind == .notAllowed)
        #expect(problem.status == 409)
        #expect(problem.detail == "job 'a' is completed")
        #expect(problem.jobID == "a")
        #expect(problem.outcome == .notLeaseHolder)
        #expect(!problem.isTransient)
        #expect(problem.description.contains("POST /v1/jobs/a/complete"))

        let newer = LedgerProblem(
            status: 429, body: Data(#"{"type":"https://jobledger.dev/problems/slow-down","title":"Slow down","status":429,"detail":"x"}"#.utf8),
            retryAfterHeader: "2", request: "GET /v1/jobs")
        #expect(newer.kind.rawValue == "slow-down")
        #expect(newer.retryAfter == 2)
        #expect(newer.isTransient)

        let proxy = LedgerProblem(status: 502, body: Data("<html>bad gateway</html>".utf8), retryAfterHeader: nil, request: "GET /v1/jobs")
        #expect(proxy.kind == .internal)
        #expect(proxy.title == "Bad Gateway")
        #expect(proxy.detail.contains("bad gateway"))
    }

    @Test func aProblemKeepsTheLedgerAndStoreErrorCodesItNames() {
        let busy = LedgerProblem(
            status: 503,
            body: Data(#"{"type":"https://jobledger.dev/problems/busy","title":"Busy, try again","status":503,"detail":"x","errorCode":"store","storeErrorCode":"readers_full"}"#.utf8),
            retryAfterHeader: "1", request: "GET /v1/jobs")
        #expect(busy.errorCode == "store")
        #expect(busy.storeErrorCode == "readers_full")
        let older = LedgerProblem(
            status: 404, body: Data(#"{"type":"https://jobledger.dev/problems/not-found","title":"Not found","status":404,"detail":"x"}"#.utf8),
            retryAfterHeader: nil, request: "GET /v1/jobs/a")
        #expect(older.errorCode == nil && older.storeErrorCode == nil)
    }

    @Test func aJobInTheCommandLineShapeDecodesAndANewStateDoesNotBreakIt() throws {
        let text = #"""
            {"attempt":1,"batch":null,"error":null,"id":"invoice-7","leaseUntil":"2026-11-23T13:26:39.818Z","maxAttempts":3,
             "org":"acme","owner":"alice","priority":0,"result":{"sent":true},"state":"paused","submittedAt":"2026-11-23T13:25:39.787Z",
             "type":"email","updatedAt":"2026-11-23T13:25:39.818Z","version":2,"worker":"w1"}
            """#
        let job = try LedgerJSON.decoder().decode(LedgerJob.self, from: Data(text.utf8))
        #expect(job.id == "invoice-7")
        #expect(job.state.rawValue == "paused")
        #expect(!job.state.isTerminal)
        #expect(job.result?["sent"] == .bool(true))
        #expect(job.worker == "w1")
        #expect(job.batch == nil)
        #expect(job.leaseUntil.map(LedgerTimestamp.format) == "2026-11-23T13:26:39.818Z")
    }

    @Test func linesSurviveBeingCutAnywhereIncludingInsideACharacter() {
        let text = "first line\r\nsecond é line\n\nlast without end"
        let bytes = Array(text.utf8)
        for cut in 1..<bytes.count {
            var splitter = LineSplitter()
            var lines: [String] = []
            for piece in [bytes[..<cut], bytes[cut...]] {
                splitter.append(ByteBuffer(bytes: piece))
                while let line = splitter.nextLine() { lines.append(line) }
            }
            if let rest = splitter.finish() { lines.append(rest) }
            #expect(lines == ["first line", "second é line", "", "last without end"], "cut at \(cut)")
        }
    }

    @Test func serverSentEventsJoinDataLinesAndSkipComments() {
        var parser = ServerSentEventParser()
        let lines = [
            ": stream after 0", "", "id: 1", "event: JobSubmitted", "data: {\"a\":1}", "",
            ": keep-alive", "", "id: 2", "data: first", "data: second", "retry: 10", "",
            "data", "",
        ]
        var events: [ServerSentEvent] = []
        for line in lines {
            if let event = parser.take(line) { events.append(event) }
        }
        #expect(events == [
            ServerSentEvent(id: "1", event: "JobSubmitted", data: "{\"a\":1}"),
            ServerSentEvent(id: "2", event: "message", data: "first\nsecond"),
            ServerSentEvent(id: nil, event: "message", data: ""),
        ])
        #expect(events[0].position == 1)
    }

    @Test func anExportLineDecodesIntoAnEvent() throws {
        let line = #"{"position":12,"stream":"job-a","version":3,"eventId":"0b0e2c8e-6c1a-4a52-9a8e-2f6f1c3d4e5f","type":"JobClaimed","recordedAt":"2026-11-23T12:00:00.123456Z","actor":"w1","correlationId":null,"causationId":null,"data":{"attempt":1}}"#
        let event = try LedgerEvent(line: line)
        #expect(event.position == 12)
        #expect(event.type == "JobClaimed")
        #expect(event.data?["attempt"] == .number(1))
        #expect(event.correlationId == nil)
    }

    @Test func aBaseURLWithAPathOrAnotherSchemeIsRefused() async throws {
        for bad in ["ftp://127.0.0.1:1", "127.0.0.1:8080", "http://127.0.0.1:8080/v1", ""] {
            #expect(throws: LedgerClientError.self, "\(bad)") { _ = try LedgerClient(baseURL: bad, token: nil) }
        }
        let client = try LedgerClient(baseURL: "http://127.0.0.1:8080/", token: nil)
        #expect(client.baseURL == "http://127.0.0.1:8080")
        try await client.close()
    }
}
