import EventStore
import Foundation
import JobLedger

/// The seed inputs, made by the project's own encoders and exporter, so
/// the corpus follows the formats when they change.
///
/// The seeds are committed under `Fixtures/fuzz/<target>/seeds`; a test
/// checks that they are still what this generator makes.
package enum SeedCorpus {
    /// Every seed file: its path under `Fixtures/fuzz` and its bytes.
    package static func files() throws -> [(path: String, bytes: [UInt8])] {
        var files: [(String, [UInt8])] = []
        for (name, bytes) in envelopes() { files.append(("envelope/seeds/\(name).bin", bytes)) }
        for (name, bytes) in try imports() { files.append(("import/seeds/\(name).jsonl", bytes)) }
        for (name, bytes) in try jobPayloads() { files.append(("job-payload/seeds/\(name).txt", bytes)) }
        for (name, bytes) in try jobRecords() { files.append(("job-record/seeds/\(name).bin", bytes)) }
        for (name, bytes) in CommandLineTarget.seeds { files.append(("cli-args/seeds/\(name).txt", bytes)) }
        return files
    }

    /// The n-th fixed id.
    static func id(_ n: Int) -> UUID {
        UUID(uuidString: String(format: "5f0c1a2e-7b1d-4c3a-9e21-%012x", n))!
    }

    /// 2026-11-23T12:00:00Z plus `seconds`, in microseconds.
    static func micros(_ seconds: Double) -> Int64 { 1_795_435_200_000_000 + Int64(seconds * 1_000_000) }

    // MARK: Envelopes

    static func envelopes() -> [(String, [UInt8])] {
        func envelope(
            _ type: String, _ payload: [UInt8], stream: String = "job-1", actor: String = "worker-7",
            correlation: UUID? = nil, causation: UUID? = nil, position: UInt64 = 1, version: UInt64 = 1,
            micros: Int64 = SeedCorpus.micros(0)
        ) -> [UInt8] {
            EnvelopeCodec.encode(
                EventData(id: id(Int(position)), type: type, payload: payload, actor: actor,
                          correlationID: correlation, causationID: causation),
                streamID: stream, position: position, streamVersion: version, recordedAtMicros: micros)
        }
        return [
            ("minimal", envelope("E", [], stream: "s", actor: "")),
            ("job-submitted", envelope(
                "JobSubmitted",
                Array(#"{"id":"1","maxAttempts":3,"organisation":"acme","owner":"alice","payload":"{}","priority":5,"type":"email"}"#.utf8),
                actor: "alice", correlation: id(100))),
            ("job-claimed", envelope(
                "JobClaimed", Array(#"{"attempt":1,"leaseUntil":"2026-11-23T12:00:30.000Z","worker":"worker-7"}"#.utf8),
                correlation: id(100), causation: id(1), position: 2, version: 2, micros: micros(2.5))),
            ("causation-only", envelope("Note", Array("42".utf8), causation: id(3), position: 3, version: 1)),
            ("text-payload", envelope("Note", Array("plain text, with a comma and a \"quote\"\n".utf8), position: 4)),
            ("binary-payload", envelope("Blob", [0xFF, 0x00, 0xC3, 0x28, 0x0A], position: 5)),
            ("unicode", envelope("Ünïcödé", Array("\"Zoë ☃ 𝄞\"".utf8), stream: "job-ä", actor: "Zoë", position: 6)),
            ("far-past", envelope("Edge", Array("{}".utf8), position: 7, micros: -62_135_596_800_000_001)),
            ("far-future", envelope("Edge", Array("[]".utf8), position: 8, micros: 253_402_300_800_000_000)),
            ("large-positions", envelope("Edge", Array("null".utf8), position: 1 << 40, version: 1 << 33)),
            ("large-payload", envelope(
                "Bulk", Array(("{\"items\":[" + (0..<200).map { "\"item-\($0)\"" }.joined(separator: ",") + "]}").utf8),
                position: 9)),
        ]
    }

    // MARK: Imports

    static func imports() throws -> [(String, [UInt8])] {
        [("varied", try export(variedEvents())), ("jobs", try export(jobEvents()))]
    }

    /// Events with payloads of every shape the export tells apart, on
    /// streams that are not job streams.
    static func variedEvents() -> [(String, EventData, Int64)] {
        let payloads: [[UInt8]] = [
            Array(#"{"kind":"email","to":["a@example.com"],"n":1.5e3}"#.utf8),
            Array("{\n  \"pretty\": true\n}".utf8),
            Array("plain text, with a comma and a \"quote\"".utf8),
            [],
            Array(#""just a JSON string""#.utf8),
            Array(#"{"$base64":"not really"}"#.utf8),
            [0xFF, 0x00, 0xC3, 0x28, 0x0A],
            Array("42".utf8),
            Array(" {\"padded\":1}".utf8),
            Array("control \u{01} and tab\t and unicode Zoë ☃ 𝄞".utf8),
            Array(#"{"deep":[[[[[[[[[[{"x":null}]]]]]]]]]]}"#.utf8),
            Array(#"{"bad":}"#.utf8),
        ]
        var events: [(String, EventData, Int64)] = payloads.enumerated().map { index, payload in
            let event = EventData(
                id: id(index + 1), type: index % 2 == 0 ? "Even" : "Odd", payload: payload,
                actor: index % 4 == 0 ? "" : "worker, \"\(index)\"",
                correlationID: index % 2 == 0 ? id(100) : nil, causationID: index == 3 ? id(1) : nil)
            return (index % 3 == 0 ? "order-ä" : "order-\(index % 3)", event, micros(Double(index) * 1.000001))
        }
        for (offset, time) in [-1_500_000 as Int64, -62_135_596_800_000_001, 253_402_300_800_000_000, 0].enumerated() {
            events.append(("edge", EventData(id: id(50 + offset), type: "Edge", payload: Array("{}".utf8)), time))
        }
        return events
    }

    /// The histories of a few jobs, as the commands store them.
    static func jobEvents() throws -> [(String, EventData, Int64)] {
        func at(_ seconds: Double) -> Date { Date(timeIntervalSince1970: Double(micros(seconds)) / 1_000_000) }
        func submitted(_ job: String, batch: String? = nil, priority: Int = 0) -> JobEvent {
            .submitted(.init(
                id: job, type: "email", owner: "alice", organisation: "acme", batch: batch,
                payload: #"{"to":"a@example.com"}"#, priority: priority, maxAttempts: 3))
        }
        let histories: [(String, [(JobEvent, String)])] = [
            ("1", [
                (submitted("1", priority: 5), "alice"),
                (.claimed(.init(worker: "w1", attempt: 1, leaseUntil: at(30))), "w1"),
                (.leaseRenewed(.init(worker: "w1", attempt: 1, leaseUntil: at(60))), "w1"),
                (.completed(.init(worker: "w1", attempt: 1, result: "sent")), "w1"),
            ]),
            ("2", [
                (submitted("2", batch: "nightly"), "alice"),
                (.claimed(.init(worker: "w2", attempt: 1, leaseUntil: at(40))), "w2"),
                (.attemptFailed(.init(worker: "w2", attempt: 1, error: "timeout", retryAt: at(70))), "w2"),
                (.claimed(.init(worker: "w2", attempt: 2, leaseUntil: at(100))), "w2"),
                (.failed(.init(worker: "w2", attempt: 2, error: "bounced", retryable: false)), "w2"),
                (.retried(.init(actor: "root")), "root"),
            ]),
            ("3", [
                (submitted("3", batch: "nightly"), "alice"),
                (.claimed(.init(worker: "w3", attempt: 1, leaseUntil: at(45))), "w3"),
                (.cancelRequested(.init(actor: "alice", reason: "wrong address")), "alice"),
                (.cancelled(.init(actor: "w3", reason: "wrong address")), "w3"),
            ]),
            ("4", [
                (submitted("4"), "alice"),
                (.claimed(.init(worker: "w4", attempt: 1, leaseUntil: at(50))), "w4"),
                (.leaseExpired(.init(worker: "w4", attempt: 1, nextState: .pending, retryAt: at(80))), "sweeper"),
                (.killed(.init(actor: "root", reason: "stuck")), "root"),
            ]),
        ]
        var events: [(String, EventData, Int64)] = []
        var count = 0
        // Interleave the jobs, as concurrent commands would.
        for step in 0..<6 {
            for (job, history) in histories where step < history.count {
                count += 1
                let (event, actor) = history[step]
                events.append((
                    "job-\(job)",
                    EventData(
                        id: id(count), type: event.typeName, payload: try PayloadCodec.encode(event), actor: actor,
                        correlationID: id(1000 + count)),
                    micros(Double(count) * 2.5)))
            }
        }
        return events
    }

    /// The real export of `events` appended in order to an empty ledger.
    static func export(_ events: [(String, EventData, Int64)]) throws -> [UInt8] {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("jobledger-seeds-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let store = try EventStore.open(at: directory.appendingPathComponent("ledger").path, options: .noSync)
        for (stream, event, micros) in events {
            var event = event
            event.recordedAt = Date(timeIntervalSince1970: Double(micros) / 1_000_000)
            _ = try store.append(to: stream, expectedVersion: .any, events: [event])
        }
        var bytes: [UInt8] = []
        try store.exportEvents { bytes.append(contentsOf: $0) }
        return bytes
    }

    // MARK: Job payloads

    static func jobPayloads() throws -> [(String, [UInt8])] {
        var files: [(String, [UInt8])] = []
        var perType: [String: Int] = [:]
        for (_, event, _) in try jobEvents() {
            let file = Array(event.type.utf8) + [0x0A] + event.payload
            guard !files.contains(where: { $0.1 == file }) else { continue }
            perType[event.type, default: 0] += 1
            files.append(("\(event.type)-\(perType[event.type]!)", file))
        }
        return files
    }

    // MARK: Job records

    /// The record of each seed job after each of its events, as the
    /// projection stores it.
    static func jobRecords() throws -> [(String, [UInt8])] {
        var jobs: [String: Job] = [:]
        var versions: [String: UInt64] = [:]
        var files: [(String, [UInt8])] = []
        for (position, (stream, data, micros)) in try jobEvents().enumerated() {
            guard let event = try PayloadCodec.decode(type: data.type, payload: data.payload) else { continue }
            versions[stream, default: 0] += 1
            let context = EventContext(
                position: UInt64(position + 1), version: versions[stream]!,
                recordedAt: Date(timeIntervalSince1970: Double(micros) / 1_000_000))
            guard let job = JobEvolver.evolve(jobs[stream], event, context: context) else { continue }
            jobs[stream] = job
            files.append(("\(stream)-v\(versions[stream]!)-\(job.state.rawValue)", try JobRecordCodec.encode(job)))
        }
        return files
    }
}
