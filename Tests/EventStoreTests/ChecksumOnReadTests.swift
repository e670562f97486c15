import EventStore
import Foundation
import JobLedger
import JobLedgerTestSupport
import Testing

/// One payload byte of one stored event changed behind the store's back:
/// every read that reaches the event refuses it with its position and
/// stream, instead of answering with the damaged bytes.
@Suite struct ChecksumOnReadTests {
    /// The position and stream a checksum error names, or `nil` for any
    /// other outcome.
    static func damage(in body: () async throws -> Void) async -> (position: UInt64, stream: String)? {
        do {
            try await body()
            return nil
        } catch let error as EventStoreError {
            return named(by: error)
        } catch let error as JobLedgerError {
            guard let inner = error.underlying else { return nil }
            return named(by: inner)
        } catch {
            return nil
        }
    }

    private static func named(by error: EventStoreError) -> (position: UInt64, stream: String)? {
        guard error.code == .checksumMismatch, let position = error.position, let stream = error.stream,
              error.storedChecksum != error.computedChecksum
        else { return nil }
        return (position, stream)
    }

    /// Expects `body` to fail on the damaged event at `position` of `stream`.
    static func expectRefused(
        _ what: String, position: UInt64, stream: String, sourceLocation: SourceLocation = #_sourceLocation,
        _ body: () async throws -> Void
    ) async {
        let named = await damage(in: body)
        #expect(named?.position == position, "\(what): \(named.map { "\($0)" } ?? "no checksum error")",
                sourceLocation: sourceLocation)
        #expect(named?.stream == stream, "\(what)", sourceLocation: sourceLocation)
    }

    @Test("every read of the event store refuses an event whose bytes fail their checksum")
    func storeReadsRefuseADamagedEvent() async throws {
        let ledger = TemporaryLedger("damaged-store")
        let damagedID = UUID()
        do {
            let store = try ledger.open()
            for index in 0..<10 {
                let id = index == 6 ? damagedID : UUID()
                _ = try await store.append(
                    to: "s\(index % 2)", expectedVersion: .any, events: [sampleEvent("payload-\(index)", id: id)])
            }
        }
        // Position 7 is the event of index 6, the fourth of stream s0.
        try EventDamage.replace("payload-6", with: "payload-9", inEventAt: 7, ledgerAt: ledger.path)
        let store = try ledger.open()

        // Events before the damaged one still read.
        #expect(try store.event(at: 6)?.payloadString == #"{"label":"payload-5"}"#)
        await Self.expectRefused("event(at:)", position: 7, stream: "s0") { _ = try store.event(at: 7) }
        await Self.expectRefused("readStream", position: 7, stream: "s0") { _ = try store.readStream("s0") }
        await Self.expectRefused("readStream backwards", position: 7, stream: "s0") {
            _ = try store.readStream("s0", from: .max, direction: .backwards)
        }
        await Self.expectRefused("readAll", position: 7, stream: "s0") { _ = try store.readAll() }
        await Self.expectRefused("forEachEvent", position: 7, stream: "s0") { try store.forEachEvent { _ in true } }
        for format in ExportFormat.allCases {
            await Self.expectRefused("export \(format)", position: 7, stream: "s0") {
                var text = ""
                try store.exportEvents(to: &text, format: format)
            }
        }
        await Self.expectRefused("export of stream s0", position: 7, stream: "s0") {
            var text = ""
            try store.exportEvents(to: &text, selection: ExportSelection(streamID: "s0"))
        }
        await Self.expectRefused("subscription", position: 7, stream: "s0") {
            for try await event in store.subscribe(after: 0) where event.position >= 10 { return }
        }
        await Self.expectRefused("followEvents", position: 7, stream: "s0") {
            try await store.followEvents(selection: ExportSelection(toPosition: 10)) { _ in }
        }
        // Appending the same event again compares it with the stored one.
        await Self.expectRefused("idempotent append", position: 7, stream: "s0") {
            _ = try await store.append(
                to: "s0", expectedVersion: .any, events: [sampleEvent("payload-6", id: damagedID)])
        }
        // Reads that do not reach the damaged event still answer.
        #expect(try store.readStream("s1").count == 5)
        var tail = ""
        #expect(try store.exportEvents(to: &tail, selection: ExportSelection(fromPosition: 8)) == 3)
        #expect(try store.verifyLog().problems == [LogProblem(position: 7, reason: "checksum mismatch")])
    }

    @Test("every job ledger read that replays a damaged event refuses it")
    func jobLedgerReadsRefuseADamagedEvent() async throws {
        let directory = TemporaryLedger("damaged-jobs")
        let owner = Actor(id: "alice", role: .user, organisation: "acme")
        var position: UInt64 = 0
        var submittedAt = Date()
        do {
            var options = JobLedgerOptions()
            options.store = .noSync
            let jobs = try JobLedger(path: directory.path, options: options)
            for index in 0..<4 {
                _ = try await jobs.submit(
                    JobSubmission(id: "j\(index)", type: "t", payload: #"{"note":"marker-\#(index)"}"#), by: owner)
            }
            let submitted = try #require(try jobs.store.readStream(JobStreams.job("j2")).first)
            position = submitted.position
            submittedAt = submitted.recordedAt
        }
        try EventDamage.replace("marker-2", with: "marker-X", inEventAt: position, ledgerAt: directory.path)
        var options = JobLedgerOptions()
        options.store = .noSync
        let jobs = try JobLedger(path: directory.path, options: options)
        let stream = JobStreams.job("j2")

        await Self.expectRefused("history", position: position, stream: stream) { _ = try jobs.history("j2") }
        await Self.expectRefused("status as of a position", position: position, stream: stream) {
            _ = try jobs.job("j2", asOfPosition: position)
        }
        await Self.expectRefused("status as of a time", position: position, stream: stream) {
            _ = try jobs.job("j2", asOf: submittedAt.addingTimeInterval(1))
        }
        await Self.expectRefused("all jobs as of a time", position: position, stream: stream) {
            _ = try jobs.jobs(asOf: submittedAt.addingTimeInterval(1))
        }
        await Self.expectRefused("replay", position: position, stream: stream) {
            _ = try jobs.replaySteps(of: nil, upTo: position + 10)
        }
        await Self.expectRefused("report", position: position, stream: stream) { _ = try jobs.report() }
        await Self.expectRefused("rebuild", position: position, stream: stream) { _ = try jobs.rebuildProjections() }
        await Self.expectRefused("rebuild --verify", position: position, stream: stream) {
            _ = try jobs.verifyProjections()
        }
        // The failed rebuild changed nothing: the projection still answers.
        #expect(try jobs.job("j2")?.payload == #"{"note":"marker-2"}"#)
    }
}
