import EventStore
import Foundation
import JobLedger
import Testing

/// The import as a restore of a valid ledger: a history the commands could
/// not have written is refused, naming its line, and nothing is written.
@Suite struct ImportValidationTests {
    static let alice = Actor(id: "alice", role: .user, organisation: "acme")
    static let admin = Actor(id: "root", role: .admin, organisation: "acme")

    /// A ledger where job `a` completed, `b` failed for good and was retried,
    /// `c` was cancelled while pending, `d` was killed while running and `e`
    /// had its lease expire; with its chained export.
    static func exported() throws -> (ledger: TemporaryJobLedger, text: String) {
        let temporary = TemporaryJobLedger()
        let clock = TestClock()
        let jobs = try temporary.open(clock: clock)
        for id in ["a", "b", "c", "d", "e"] {
            _ = try jobs.submit(JobSubmission(id: id, type: "t", payload: #"{"n":1}"#, maxAttempts: 1), by: alice)
        }
        let a = try #require(try jobs.claim(worker: "w1", lease: 30))
        _ = try jobs.complete(a.id, worker: "w1", attempt: a.attempt, result: #"{"ok":true}"#)
        let b = try #require(try jobs.claim(worker: "w1", lease: 30))
        _ = try jobs.fail(b.id, worker: "w1", attempt: b.attempt, error: "boom", retryable: false)
        _ = try jobs.retry(b.id, by: alice)
        _ = try jobs.cancel("c", by: alice, reason: "not needed")
        _ = try jobs.cancel("c", by: alice, reason: "again")  // an audit entry with no job event
        let d = try #require(try jobs.claim(worker: "w2", lease: 30))
        _ = try jobs.kill(d.id, by: admin, reason: "stuck")
        _ = try jobs.kill("e", by: alice, reason: "not allowed")  // forbidden, audited
        _ = try #require(try jobs.claim(worker: "w3", lease: 5))
        clock.advance(60)
        _ = try jobs.expireLeases()
        var text = ""
        try jobs.store.exportEvents(to: &text)
        return (temporary, text)
    }

    /// The event lines of an export, without digests or the closing line.
    static func plain(_ text: String) -> [String] {
        text.split(separator: "\n").map(String.init).filter { !$0.hasPrefix(#"{"count":"#) }.map { line in
            let range = line.range(of: #","digest":""#, options: .backwards)!
            return String(line[..<range.lowerBound]) + "}"
        }
    }

    /// Imports `lines`, chained afresh, into a new ledger.
    static func importing(_ lines: [String]) throws -> (TemporaryJobLedger, Result<ImportReport, ImportError>) {
        let temporary = TemporaryJobLedger()
        let jobs = try temporary.open()
        let text = ExportSealing.seal(lines).map { $0 + "\n" }.joined()
        let result = Result { () throws(ImportError) in try jobs.importEvents(jsonLines: Data(text.utf8)) }
        #expect(try jobs.store.lastPosition() == (try? result.get())?.lastPosition ?? 0)
        return (temporary, result)
    }

    /// The line number of the refusal, and its message.
    static func refusal(_ lines: [String]) throws -> (line: Int?, message: String) {
        let (_, result) = try importing(lines)
        guard case .failure(let error) = result else {
            Issue.record("the import was accepted")
            return (nil, "")
        }
        return (error.line, error.description)
    }

    static func index(of needle: String, in lines: [String]) throws -> Int {
        try #require(lines.firstIndex { $0.contains(needle) })
    }

    @Test func aRealLedgersHistoryRestoresWithTheSameProjection() throws {
        let (_, text) = try Self.exported()
        let temporary = TemporaryJobLedger()
        let jobs = try temporary.open()
        let report = try jobs.importEvents(jsonLines: Data(text.utf8))
        #expect(report.imported == Self.plain(text).count)
        var again = ""
        try jobs.store.exportEvents(to: &again)
        #expect(again == text)
        #expect(try jobs.verifyProjections().isEmpty)
        let states = try ["a", "b", "c", "d", "e"].map { try jobs.job($0)?.state }
        #expect(Set(states.compactMap { $0 }) == [.completed, .pending, .cancelled, .killed, .failed])
    }

    @Test func aJobRetriedAfterItsCompletionIsRefused() throws {
        var lines = Self.plain(try Self.exported().text)
        let completed = try Self.index(of: #""type":"JobCompleted""#, in: lines)
        // The completed job's id and version, read off its line.
        let id = try #require(lines[completed].firstMatch(of: /"stream":"job-([a-e])","version":(\d+)/))
        let job = String(id.output.1)
        let version = try #require(Int(id.output.2)) + 1
        let request = "11111111-2222-4333-8444-555555555555"
        let time = "2027-01-15T08:10:00.000000Z"
        let last = lines.count
        lines.append(#"{"position":\#(last + 1),"stream":"job-\#(job)","version":\#(version),"eventId":"aaaaaaaa-0000-4000-8000-000000000001","type":"JobRetried","recordedAt":"\#(time)","actor":"alice","correlationId":"\#(request)","causationId":null,"data":{"actor":"alice"}}"#)
        lines.append(#"{"position":\#(last + 2),"stream":"audit-\#(job)","version":99,"eventId":"aaaaaaaa-0000-4000-8000-000000000002","type":"AuditRecorded","recordedAt":"\#(time)","actor":"alice","correlationId":"\#(request)","causationId":null,"data":{"action":"retry","actor":"alice","jobID":"\#(job)","organisation":"acme","outcome":"retried","requestID":"\#(request.uppercased())","role":"user"}}"#)
        #expect(completed < last)
        let refusal = try Self.refusal(lines)
        #expect(refusal.line == last + 1, "\(refusal.message)")
        #expect(refusal.message.contains("state completed"), "\(refusal.message)")

        // The same line with no audit entry after it is refused too.
        let (line, message) = try Self.refusal(Array(lines.dropLast()))
        #expect(line == last + 1)
        #expect(message.contains("no audit entry"), "\(message)")
    }

    @Test func aJobEventWithoutItsAuditEntryIsRefused() throws {
        var lines = Self.plain(try Self.exported().text)
        let claimed = try Self.index(of: #""type":"JobClaimed""#, in: lines)
        #expect(lines[claimed + 1].contains(#""type":"AuditRecorded""#))
        lines.remove(at: claimed + 1)
        // Positions only order the lines, so the gap left is allowed; the missing entry is not.
        let (line, message) = try Self.refusal(lines)
        #expect(line == claimed + 1)
        #expect(message.contains("no audit entry"), "\(message)")
    }

    @Test func aSubmissionNamingAnotherJobThanItsStreamIsRefused() throws {
        var lines = Self.plain(try Self.exported().text)
        let first = try Self.index(of: #""type":"JobSubmitted""#, in: lines)
        lines[first] = lines[first].replacingOccurrences(of: #""id":"a""#, with: #""id":"other""#)
        let (line, message) = try Self.refusal(lines)
        #expect(line == first + 1)
        #expect(message.contains("names job 'other'"), "\(message)")
    }

    @Test(arguments: [
        (#""stream":"job-a""#, #""stream":"job-a b""#, "job id"),
        (#""owner":"alice""#, #""owner":"ali\nce""#, "owner"),
        (#""owner":"alice""#, #""owner":"ali\u001bce""#, "owner"),
        (#""maxAttempts":1"#, #""maxAttempts":0"#, "maxAttempts"),
        (#""maxAttempts":1"#, #""maxAttempts":-5"#, "maxAttempts"),
        (#""payload":"{\"n\":1}""#, #""payload":"{n:1""#, "payload"),
    ])
    func aSubmissionWithAFieldCommandsRefuseIsRefused(from: String, to: String, field: String) throws {
        var lines = Self.plain(try Self.exported().text)
        let first = try Self.index(of: #""type":"JobSubmitted""#, in: lines)
        lines[first] = lines[first].replacingOccurrences(of: from, with: to)
        let (line, message) = try Self.refusal(lines)
        #expect(line == first + 1, "\(message)")
        #expect(message.contains(field), "\(message)")
    }

    @Test(arguments: [
        ("eventId", "00000000-0000-0000-0000-000000000000", "nil UUID"),
        ("recordedAt", "0001-01-01T00:00:00.000000Z", "outside"),
        ("recordedAt", "9999-12-31T23:59:59.000000Z", "outside"),
    ])
    func envelopeFieldsOutsideTheLedgersRulesAreRefused(field: String, value: String, expected: String) throws {
        var lines = Self.plain(try Self.exported().text)
        let line = lines[0]
        let start = try #require(line.range(of: "\"\(field)\":\""))
        let end = try #require(line[start.upperBound...].firstIndex(of: "\""))
        lines[0] = String(line[..<start.upperBound]) + value + String(line[end...])
        let (number, message) = try Self.refusal(lines)
        #expect(number == 1)
        #expect(message.contains(expected), "\(message)")
    }

    @Test func aClaimForAnAttemptTheJobIsNotAtIsRefused() throws {
        var lines = Self.plain(try Self.exported().text)
        let claimed = try Self.index(of: #""type":"JobClaimed""#, in: lines)
        lines[claimed] = lines[claimed].replacingOccurrences(of: #""attempt":1"#, with: #""attempt":2"#)
        let (line, message) = try Self.refusal(lines)
        #expect(line == claimed + 1, "\(message)")
    }

    @Test func aFileContinuingAStoredStreamIsCheckedFromTheStoredState() throws {
        let (_, text) = try Self.exported()
        let lines = Self.plain(text)
        let temporary = TemporaryJobLedger()
        let jobs = try temporary.open()
        let completed = try Self.index(of: #""type":"JobCompleted""#, in: lines)
        try jobs.importEvents(jsonLines: Data(ExportSealing.seal(Array(lines[..<completed])).map { $0 + "\n" }.joined().utf8))
        // The rest of the file, alone, continues the streams the ledger holds.
        let rest = Array(lines[completed...])
        #expect(try jobs.importEvents(jsonLines: Data(ExportSealing.seal(rest).map { $0 + "\n" }.joined().utf8)).imported == rest.count)
        #expect(try jobs.verifyProjections().isEmpty)
    }
}
