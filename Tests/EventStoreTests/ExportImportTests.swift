import EventStore
import Foundation
import Testing

@Suite struct ExportImportTests {
    // MARK: Helpers

    /// The path of a sample under `Fixtures/import`, found by walking up
    /// from this file to the package root.
    static func fixture(_ name: String, filePath: String = #filePath) throws -> String {
        var directory = URL(fileURLWithPath: filePath).deletingLastPathComponent()
        while !FileManager.default.fileExists(atPath: directory.appendingPathComponent("Package.swift").path) {
            let parent = directory.deletingLastPathComponent()
            try #require(parent.path != directory.path, "no Package.swift above \(filePath)")
            directory = parent
        }
        return directory.appendingPathComponent("Fixtures/import/\(name)").path
    }

    static func fixtureText(_ name: String) throws -> String {
        try String(contentsOfFile: try fixture(name), encoding: .utf8)
    }

    static func export(
        _ store: EventStore, format: ExportFormat = .chainedJSONLines, selection: ExportSelection = .all
    ) throws -> String {
        var text = ""
        try store.exportEvents(to: &text, format: format, selection: selection)
        return text
    }

    static func lines(_ text: String) -> [String] {
        text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
    }

    /// Export lines with their digest chain and closing line added.
    static func sealed(_ lines: [String]) -> [String] {
        ExportSealing.seal(lines)
    }

    /// The event lines of a chained export, without digests or closing line.
    static func plain(_ text: String) -> [String] {
        lines(text).filter { !$0.isEmpty && !$0.hasPrefix(#"{"count":"#) }.map { line in
            guard let range = line.range(of: #","digest":""#, options: .backwards) else { return line }
            return String(line[..<range.lowerBound]) + "}"
        }
    }

    static func date(_ micros: Int64) -> Date {
        Date(timeIntervalSince1970: Double(micros) / 1_000_000)
    }

    static func allEvents(_ store: EventStore) throws -> [RecordedEvent] {
        var events: [RecordedEvent] = []
        try store.forEachEvent { event in
            events.append(event)
            return true
        }
        return events
    }

    /// A ledger holding payloads of every shape the export distinguishes.
    static func variedStore(_ ledger: TemporaryLedger) throws -> EventStore {
        let store = try ledger.open()
        let base: Int64 = 1_794_988_800_123_456  // 2026-11-18T08:00:00.123456Z
        let correlation = UUID()
        let first = UUID()
        let payloads: [[UInt8]] = [
            Array(#"{"kind":"email","to":["a@example.com"],"n":1.5e3}"#.utf8),
            Array("{\n  \"pretty\": true\n}".utf8),  // JSON with line breaks: exported as a string
            Array("plain text, with a comma and a \"quote\"".utf8),
            [],
            Array(#""just a JSON string""#.utf8),
            Array(#"{"$base64":"not really"}"#.utf8),
            [0xFF, 0x00, 0xC3, 0x28, 0x0A],  // not UTF-8
            Array("42".utf8),
            Array(" {\"padded\":1}".utf8),
            Array("control \u{01} and tab\t and unicode Zoë ☃ 𝄞".utf8),
            Array(#"{"deep":[[[[[[[[[[{"x":null}]]]]]]]]]]}"#.utf8),
            Array(#"{"bad":}"#.utf8),
        ]
        for (index, payload) in payloads.enumerated() {
            let stream = index % 3 == 0 ? "job-ä" : "job-\(index % 3)"
            let event = EventData(
                id: index == 0 ? first : UUID(), type: index % 2 == 0 ? "Even" : "Odd", payload: payload,
                actor: index % 4 == 0 ? "" : "worker, \"\(index)\"",
                correlationID: index % 2 == 0 ? correlation : nil, causationID: index == 3 ? first : nil,
                recordedAt: date(base + Int64(index) * 1_000_001))
            _ = try store.append(to: stream, expectedVersion: .any, events: [event])
        }
        // Times at the edges of the ledger's range still round-trip.
        for micros in [1_500_000 as Int64, LedgerTimeRange.micros.upperBound - 1, 946_684_800_000_001, 0] {
            _ = try store.append(
                to: "edge", expectedVersion: .any,
                events: [EventData(type: "Edge", payload: Array("{}".utf8), recordedAt: date(micros))])
        }
        return store
    }

    /// Splits RFC 4180 CSV text into records of fields.
    static func parseCSV(_ text: String) -> [[String]] {
        var records: [[String]] = []
        var record: [String] = []
        var field = ""
        var quoted = false
        var characters = Array(text)[...]
        while let character = characters.popFirst() {
            if quoted {
                if character == "\"" {
                    if characters.first == "\"" {
                        field.append("\"")
                        characters.removeFirst()
                    } else {
                        quoted = false
                    }
                } else {
                    field.append(character)
                }
            } else if character == "\"" {
                quoted = true
            } else if character == "," {
                record.append(field)
                field = ""
            } else if character == "\r\n" || character == "\n" {
                record.append(field)
                records.append(record)
                record = []
                field = ""
            } else {
                field.append(character)
            }
        }
        if !field.isEmpty || !record.isEmpty {
            record.append(field)
            records.append(record)
        }
        return records
    }

    // MARK: Round trips

    @Test func jsonLinesRoundTripIsByteIdentical() throws {
        let sourceLedger = TemporaryLedger()
        let source = try Self.variedStore(sourceLedger)
        let exported = try Self.export(source)
        // 16 events, the closing line and the empty string after the last line feed
        #expect(Self.lines(exported).count == 18)
        #expect(Self.lines(exported)[16].hasPrefix(#"{"count":16,"digest":""#))

        let targetLedger = TemporaryLedger()
        let target = try targetLedger.open()
        let report = try target.importEvents(lines: Self.lines(exported))
        #expect(report.imported == 16)
        #expect(report.skipped == 0)
        #expect(report.lastPosition == 16)
        #expect(!report.dryRun)

        #expect(try Self.export(target) == exported)
        let before = try Self.allEvents(source)
        let after = try Self.allEvents(target)
        #expect(after == before)
        #expect(after.map(\.position) == Array(1...16))
        #expect(after.map(\.id) == before.map(\.id))
        #expect(after.map(\.recordedAt) == before.map(\.recordedAt))
        #expect(after.map(\.actor) == before.map(\.actor))
        #expect(after.map(\.correlationID) == before.map(\.correlationID))
        #expect(after.map(\.causationID) == before.map(\.causationID))
        #expect(after.map(\.payload) == before.map(\.payload))
        #expect(try target.streamVersion("job-ä") == 4)
    }

    @Test func exportLinesHaveTheFixedShape() throws {
        let ledger = TemporaryLedger()
        let store = try ledger.open()
        let id = try #require(UUID(uuidString: "0A1B2C3D-0000-4000-8000-00000000ABCD"))
        let correlation = try #require(UUID(uuidString: "C0FFEE00-0000-4000-8000-00000000C001"))
        _ = try store.append(
            to: "job-7", expectedVersion: .noStream,
            events: [EventData(
                id: id, type: "JobSubmitted", payload: Array(#"{"k":[1,true]}"#.utf8), actor: "ann",
                correlationID: correlation, recordedAt: Self.date(1_795_435_200_123_456))])
        _ = try store.append(
            to: "job-7", expectedVersion: .exact(1),
            events: [EventData(id: id.advancedForTest, type: "Note", payload: Array("a \"b\"\n".utf8))])
        let lines = Self.lines(try Self.export(store, format: .jsonLines))
        #expect(lines[0] == #"{"position":1,"stream":"job-7","version":1,"eventId":"0a1b2c3d-0000-4000-8000-00000000abcd","type":"JobSubmitted","recordedAt":"2026-11-23T12:00:00.123456Z","actor":"ann","correlationId":"c0ffee00-0000-4000-8000-00000000c001","causationId":null,"data":{"k":[1,true]}}"#)
        #expect(lines[1].hasSuffix(#","actor":"","correlationId":null,"causationId":null,"data":"a \"b\"\n"}"#))
        #expect(lines[2] == "")
    }

    @Test func validFixtureImportsAndExportsToTheSameBytes() throws {
        let ledger = TemporaryLedger()
        let store = try ledger.open()
        let report = try store.importEvents(fromFile: try Self.fixture("valid.jsonl"))
        #expect(report == ImportReport(imported: 6, skipped: 0, lastPosition: 6, dryRun: false))
        #expect(try Self.export(store) == (try Self.fixtureText("valid.jsonl")))

        let claimed = try #require(try store.event(at: 3))
        #expect(claimed.streamID == "job-1")
        #expect(claimed.streamVersion == 2)
        #expect(claimed.id == UUID(uuidString: "5f0c1a2e-7b1d-4c3a-9e21-000000000003"))
        #expect(claimed.actor == "worker-7")
        #expect(claimed.correlationID == UUID(uuidString: "c0ffee00-0000-4000-8000-00000000c001"))
        #expect(claimed.causationID == UUID(uuidString: "5f0c1a2e-7b1d-4c3a-9e21-000000000001"))
        #expect(claimed.recordedAt == Self.date(1_795_435_202_500_000))
        #expect(claimed.payloadString == #"{"worker":"worker-7","leaseSeconds":30}"#)
        let failed = try #require(try store.event(at: 5))
        #expect(failed.payloadString == "plain text, not JSON: \"quoted\"\ttab")
        #expect(try store.streamVersion("job-1") == 3)
    }

    @Test func timesAtTheEdgesOfTheLedgerRangeRoundTripToTheMicrosecond() throws {
        let times = [
            "1970-01-01T00:00:00.000000Z", "2000-02-29T00:00:00.000000Z", "2199-12-31T23:59:59.999999Z",
        ]
        func line(_ index: Int, _ time: String) -> String {
            #"{"position":\#(index),"stream":"times","version":\#(index),"eventId":"00000000-0000-4000-8000-00000000000\#(index)","type":"T","recordedAt":"\#(time)","actor":"","correlationId":null,"causationId":null,"data":{}}"#
        }
        let text = Self.sealed(times.enumerated().map { line($0.offset + 1, $0.element) }).map { $0 + "\n" }.joined()
        let ledger = TemporaryLedger()
        let store = try ledger.open()
        #expect(try store.importEvents(jsonLines: Data(text.utf8)).imported == times.count)
        #expect(try Self.export(store) == text)
        #expect(try store.importEvents(jsonLines: Data(text.utf8)).skipped == times.count)

        // Shorter fractions are read and written back with six digits.
        let short = Self.sealed([line(4, "2026-11-23T12:00:00Z"), line(5, "2026-11-23T12:00:00.5Z")])
        #expect(try store.importEvents(lines: short).imported == 2)
        let exported = Self.lines(try Self.export(store, selection: ExportSelection(fromPosition: 4)))
        #expect(exported[0].contains(#""recordedAt":"2026-11-23T12:00:00.000000Z""#))
        #expect(exported[1].contains(#""recordedAt":"2026-11-23T12:00:00.500000Z""#))
        #expect(try store.event(at: 5)?.recordedAt == Self.date(1_795_435_200_500_000))
    }

    @Test(arguments: [
        "0001-01-01T00:00:00.000000Z", "9999-12-31T23:59:59.999999Z", "1969-12-31T23:59:59.999999Z",
        "2200-01-01T00:00:00.000000Z", "-290308-12-21T19:59:05.224192Z",
    ])
    func timesOutsideTheLedgerRangeAreRefused(time: String) throws {
        let line = #"{"position":1,"stream":"times","version":1,"eventId":"00000000-0000-4000-8000-000000000001","type":"T","recordedAt":"\#(time)","actor":"","correlationId":null,"causationId":null,"data":{}}"#
        let ledger = TemporaryLedger()
        let store = try ledger.open()
        let error = #expect(throws: ImportError.self) { try store.importEvents(lines: Self.sealed([line])) }
        guard case .malformedLine(1, let reason) = error else {
            Issue.record("expected line 1 refused, got \(String(describing: error))")
            return
        }
        #expect(reason.contains(LedgerTimeRange.description))
        #expect(try store.lastPosition() == 0)
    }

    // MARK: CSV

    @Test func csvHasAHeaderAndQuotesCommasQuotesAndLineBreaks() throws {
        let ledger = TemporaryLedger()
        let store = try ledger.open()
        let payload = "{\"text\":\"a, \\\"quoted\\\" word\",\n\"n\":1}"  // JSON with a raw line break
        _ = try store.append(
            to: "csv", expectedVersion: .noStream,
            events: [
                EventData(type: "Plain", payload: Array(#"{"a":1}"#.utf8), actor: "x"),
                EventData(
                    type: "Tricky", payload: Array(payload.utf8), actor: "last, \"first\"",
                    correlationID: UUID(), recordedAt: Self.date(1_795_435_200_000_001)),
                EventData(type: "Text", payload: Array("line one\nline two, \"end\"".utf8)),
            ])
        let csv = try Self.export(store, format: .csv)
        #expect(csv.hasPrefix("position,stream,version,eventId,type,recordedAt,actor,correlationId,causationId,data\r\n"))
        #expect(csv.contains(#",x,,,"{""a"":1}""#))
        #expect(csv.contains(#","last, ""first""","#))

        let records = Self.parseCSV(csv)
        #expect(records.count == 4)
        #expect(records.allSatisfy { $0.count == 10 })
        #expect(records[0] == ["position", "stream", "version", "eventId", "type", "recordedAt", "actor",
                               "correlationId", "causationId", "data"])
        #expect(records[1][9] == #"{"a":1}"#)
        #expect(records[1][7] == "" && records[1][8] == "")
        #expect(records[2][6] == "last, \"first\"")
        #expect(records[2][5] == "2026-11-23T12:00:00.000001Z")
        #expect(records[2][7].count == 36)
        // A payload with a raw line break is carried as a JSON string.
        let tricky = try JSONSerialization.jsonObject(with: Data(records[2][9].utf8), options: .fragmentsAllowed)
        #expect(tricky as? String == payload)
        let text = try JSONSerialization.jsonObject(with: Data(records[3][9].utf8), options: .fragmentsAllowed)
        #expect(text as? String == "line one\nline two, \"end\"")
    }

    @Test func anEmptyLogExportsOnlyTheCSVHeader() throws {
        let ledger = TemporaryLedger()
        let store = try ledger.open()
        #expect(try Self.export(store, format: .csv) == "position,stream,version,eventId,type,recordedAt,actor,correlationId,causationId,data\r\n")
        #expect(try Self.export(store, format: .jsonLines) == "")
        #expect(try Self.export(store) == #"{"count":0,"digest":"\#(String(repeating: "0", count: 64))"}"# + "\n")
    }

    // MARK: Selections

    @Test func selectionsFilterByStreamTypePositionAndTime() throws {
        let ledger = TemporaryLedger()
        let store = try ledger.open()
        let start: Int64 = 1_795_435_200_000_000
        for index in 0..<12 {
            _ = try store.append(
                to: "s\(index % 3)", expectedVersion: .any,
                events: [EventData(
                    type: index % 2 == 0 ? "Even" : "Odd", payload: Array("{\"i\":\(index)}".utf8),
                    recordedAt: Self.date(start + Int64(index) * 60_000_000))])
        }
        func positions(_ selection: ExportSelection) throws -> [UInt64] {
            try Self.lines(try Self.export(store, format: .jsonLines, selection: selection)).filter { !$0.isEmpty }.map { line in
                let field = try #require(line.split(separator: ",").first)
                return try #require(UInt64(field.dropFirst(#"{"position":"#.count)))
            }
        }
        #expect(try positions(.all) == Array(1...12))
        #expect(try positions(ExportSelection(streamID: "s1")) == [2, 5, 8, 11])
        #expect(try positions(ExportSelection(streamID: "missing")) == [])
        #expect(try positions(ExportSelection(types: ["Odd"])) == [2, 4, 6, 8, 10, 12])
        #expect(try positions(ExportSelection(fromPosition: 4, toPosition: 7)) == [4, 5, 6, 7])
        #expect(try positions(ExportSelection(fromPosition: 11)) == [11, 12])
        #expect(try positions(ExportSelection(fromPosition: 13)) == [])
        #expect(try positions(ExportSelection(fromPosition: 5, toPosition: 4)) == [])
        #expect(try positions(ExportSelection(toPosition: 2)) == [1, 2])
        #expect(try positions(ExportSelection(fromPosition: 3, toPosition: 11, streamID: "s1")) == [5, 8, 11])
        #expect(try positions(ExportSelection(streamID: "s0", types: ["Even"])) == [1, 7])
        // since is inclusive, until exclusive
        let since = Self.date(start + 3 * 60_000_000)
        let until = Self.date(start + 6 * 60_000_000)
        #expect(try positions(ExportSelection(since: since, until: until)) == [4, 5, 6])
        #expect(try positions(ExportSelection(since: until)) == [7, 8, 9, 10, 11, 12])
        #expect(try positions(ExportSelection(until: since)) == [1, 2, 3])
        #expect(try positions(ExportSelection(streamID: "s2", since: since)) == [6, 9, 12])
        // Bounds beyond the times the ledger stores select everything, or nothing.
        let farPast = Date(timeIntervalSince1970: -1e15), farFuture = Date(timeIntervalSince1970: 1e15)
        #expect(try positions(ExportSelection(since: farPast, until: farFuture)).count == 12)
        #expect(try positions(ExportSelection(since: farFuture)) == [])
        #expect(try store.exportEvents(format: .jsonLines, selection: ExportSelection(types: ["Even"])) { _ in } == 6)
    }

    @Test func largeExportsAreWrittenInPiecesEndingAtLineBoundaries() throws {
        let ledger = TemporaryLedger()
        let store = try ledger.open()
        let payload = Array(("{\"blob\":\"" + String(repeating: "x", count: 900) + "\"}").utf8)
        for batch in 0..<10 {
            _ = try store.append(
                to: "big-\(batch)", expectedVersion: .noStream,
                events: (0..<500).map { _ in EventData(type: "Big", payload: payload) })
        }
        var pieces = 0
        var total = Data()
        let count = try store.exportEvents { bytes in
            pieces += 1
            #expect(bytes.last == 0x0A)
            total.append(contentsOf: bytes)
        }
        #expect(count == 5000)
        #expect(pieces > 1)
        #expect(String(decoding: total, as: UTF8.self) == (try Self.export(store)))
        #expect(total.split(separator: 0x0A).count == 5001)  // and the closing line
    }

    // MARK: Import refusals

    @Test func importingTheSameFileTwiceChangesNothing() throws {
        let ledger = TemporaryLedger()
        let store = try ledger.open()
        let path = try Self.fixture("valid.jsonl")
        #expect(try store.importEvents(fromFile: path).imported == 6)
        let exported = try Self.export(store)
        let again = try store.importEvents(fromFile: path)
        #expect(again == ImportReport(imported: 0, skipped: 6, lastPosition: 6, dryRun: false))
        #expect(try store.lastPosition() == 6)
        #expect(try Self.export(store) == exported)
    }

    @Test func importingAfterNewerEventsSkipsTheKnownOnesAndAddsTheRest() throws {
        let ledger = TemporaryLedger()
        let store = try ledger.open()
        let lines = Self.plain(try Self.fixtureText("valid.jsonl"))
        #expect(try store.importEvents(lines: Self.sealed(Array(lines.prefix(3)))).imported == 3)
        let report = try store.importEvents(lines: Self.sealed(lines))
        #expect(report.imported == 3)
        #expect(report.skipped == 3)
        #expect(try Self.export(store) == (try Self.fixtureText("valid.jsonl")))
    }

    @Test func aMalformedLineInTheMiddleImportsNothing() throws {
        let ledger = TemporaryLedger()
        let store = try ledger.open()
        let error = #expect(throws: ImportError.self) {
            try store.importEvents(fromFile: try Self.fixture("malformed-line3.jsonl"))
        }
        guard case .malformedLine(3, let reason) = error else {
            Issue.record("expected a malformed line 3, got \(String(describing: error))")
            return
        }
        #expect(reason.contains("column"))
        #expect(error?.line == 3)
        #expect(error?.description.hasPrefix("line 3: ") == true)
        #expect(try store.lastPosition() == 0)
    }

    @Test func aVersionGapNamesItsLineAndImportsNothing() throws {
        let ledger = TemporaryLedger()
        let store = try ledger.open()
        let error = #expect(throws: ImportError.self) {
            try store.importEvents(fromFile: try Self.fixture("version-gap.jsonl"))
        }
        #expect(error == .versionGap(line: 4, stream: "job-1", expected: 3, found: 4))
        #expect(try store.lastPosition() == 0)
        #expect(try store.streamVersion("job-1") == 0)
    }

    @Test func aVersionAlreadyTakenByAnotherEventIsAGap() throws {
        let ledger = TemporaryLedger()
        let store = try ledger.open()
        _ = try store.append(to: "job-1", expectedVersion: .noStream, events: [sampleEvent("mine")])
        let error = #expect(throws: ImportError.self) {
            try store.importEvents(fromFile: try Self.fixture("valid.jsonl"))
        }
        #expect(error == .versionGap(line: 1, stream: "job-1", expected: 2, found: 1))
        #expect(try store.lastPosition() == 1)
    }

    @Test func aConflictingEventIDNamesItsLineAndImportsNothing() throws {
        let ledger = TemporaryLedger()
        let store = try ledger.open()
        try store.importEvents(fromFile: try Self.fixture("valid.jsonl"))
        let before = try Self.export(store)
        let error = #expect(throws: ImportError.self) {
            try store.importEvents(fromFile: try Self.fixture("conflict.jsonl"))
        }
        guard case .eventIDConflict(2, let id, let reason) = error else {
            Issue.record("expected an id conflict on line 2, got \(String(describing: error))")
            return
        }
        #expect(id == UUID(uuidString: "5f0c1a2e-7b1d-4c3a-9e21-000000000003"))
        #expect(reason.contains("other content"))
        #expect(try store.lastPosition() == 6)
        #expect(try store.streamVersion("job-4") == 0)
        #expect(try Self.export(store) == before)
    }

    @Test func theSameIDWithAnotherTimeOrActorIsAConflict() throws {
        let ledger = TemporaryLedger()
        let store = try ledger.open()
        let lines = Self.plain(try Self.fixtureText("valid.jsonl"))
        try store.importEvents(lines: Self.sealed(lines))
        let otherTime = lines[0].replacingOccurrences(of: "12:00:00.123456Z", with: "12:00:00.123457Z")
        let error = #expect(throws: ImportError.self) { try store.importEvents(lines: Self.sealed([otherTime])) }
        guard case .eventIDConflict(1, _, let reason) = error else {
            Issue.record("expected an id conflict on line 1, got \(String(describing: error))")
            return
        }
        #expect(reason.contains("recordedAt 2026-11-23T12:00:00.123456Z, not 2026-11-23T12:00:00.123457Z"))

        let otherActor = lines[0].replacingOccurrences(of: #""actor":"alice""#, with: #""actor":"mallory""#)
        let actorError = #expect(throws: ImportError.self) { try store.importEvents(lines: Self.sealed(["", otherActor])) }
        #expect(actorError?.line == 2)
        #expect(try store.lastPosition() == 6)
    }

    @Test func aTruncatedFileIsRefusedAtItsLastLine() throws {
        let ledger = TemporaryLedger()
        let store = try ledger.open()
        let error = #expect(throws: ImportError.self) {
            try store.importEvents(fromFile: try Self.fixture("truncated.jsonl"))
        }
        guard case .malformedLine(4, let reason) = error else {
            Issue.record("expected a malformed line 4, got \(String(describing: error))")
            return
        }
        #expect(reason.contains("unterminated string"))
        #expect(try store.lastPosition() == 0)
    }

    @Test(arguments: [
        ("bad-uuid.jsonl", "is not a UUID"),
        ("bad-time.jsonl", "day 30 is out of range"),
        ("missing-field.jsonl", "missing field 'type'"),
    ])
    func brokenSamplesNameLineTwo(file: String, expected: String) throws {
        let ledger = TemporaryLedger()
        let store = try ledger.open()
        let error = #expect(throws: ImportError.self) {
            try store.importEvents(fromFile: try Self.fixture(file))
        }
        guard case .malformedLine(2, let reason) = error else {
            Issue.record("expected a malformed line 2, got \(String(describing: error))")
            return
        }
        #expect(reason.contains(expected), "\(reason)")
        #expect(try store.lastPosition() == 0)
    }

    @Test func malformedLinesAreDescribed() throws {
        let ledger = TemporaryLedger()
        let store = try ledger.open()
        let valid = Self.plain(try Self.fixtureText("valid.jsonl"))[0]
        let cases: [(String, String)] = [
            ("not json", "expected '{'"),
            (valid + " x", "unexpected text after the event object"),
            (valid.replacingOccurrences(of: #""version":1"#, with: #""version":0"#), "must be at least 1"),
            (valid.replacingOccurrences(of: #""version":1"#, with: #""version":"1""#), "expected a whole number"),
            (valid.replacingOccurrences(of: #""actor":"alice""#, with: #""actor":"alice","extra":1"#), "unknown field 'extra'"),
            (valid.replacingOccurrences(of: #""actor":"alice""#, with: #""actor":"alice","actor":"bob""#), "appears twice"),
            (valid.replacingOccurrences(of: ".123456Z", with: ".123456+01:00"), "must be UTC"),
            (valid.replacingOccurrences(of: ".123456Z", with: ".1234567Z"), "more than six fractional digits"),
            (valid.replacingOccurrences(of: #""data":{"kind""#, with: #""data":{kind""#), "quoted field name"),
            (valid.replacingOccurrences(of: #""causationId":null"#, with: #""causationId":nul"#), "a UUID string or null"),
        ]
        for (line, expected) in cases {
            let error = #expect(throws: ImportError.self) { try store.importEvents(lines: Self.sealed([line])) }
            guard case .malformedLine(1, let reason) = error else {
                Issue.record("expected a malformed line 1 for \(expected), got \(String(describing: error))")
                continue
            }
            #expect(reason.contains(expected), "\(reason)")
        }
        let invalid = valid.replacingOccurrences(of: #""stream":"job-1""#, with: #""stream":"""#)
        let error = #expect(throws: ImportError.self) { try store.importEvents(lines: Self.sealed([invalid])) }
        #expect(error?.line == 1)
        guard case .invalidEvent(1, .invalidStreamID) = error else {
            Issue.record("expected an invalid stream id, got \(String(describing: error))")
            return
        }
        let orderError = #expect(throws: ImportError.self) { try store.importEvents(lines: Self.sealed(["", "", valid, valid])) }
        #expect(orderError?.line == 4)
        #expect(try store.lastPosition() == 0)
    }

    @Test func aDryRunChecksEverythingAndWritesNothing() throws {
        let ledger = TemporaryLedger()
        let store = try ledger.open()
        let path = try Self.fixture("valid.jsonl")
        let report = try store.importEvents(fromFile: path, dryRun: true)
        #expect(report == ImportReport(imported: 6, skipped: 0, lastPosition: 6, dryRun: true))
        #expect(try store.lastPosition() == 0)
        let error = #expect(throws: ImportError.self) {
            try store.importEvents(fromFile: try Self.fixture("version-gap.jsonl"), dryRun: true)
        }
        #expect(error?.line == 4)
        #expect(try store.importEvents(fromFile: path).imported == 6)
    }

    @Test func anUnreadableFileIsReported() throws {
        let ledger = TemporaryLedger()
        let store = try ledger.open()
        let error = #expect(throws: ImportError.self) {
            try store.importEvents(fromFile: ledger.path + "-missing.jsonl")
        }
        guard case .unreadableInput = error else {
            Issue.record("expected unreadable input, got \(String(describing: error))")
            return
        }
        #expect(error?.line == nil)
    }

    @Test func anEmptyExportImportsNothingAndEmptyInputIsCutShort() throws {
        let ledger = TemporaryLedger()
        let store = try ledger.open()
        let empty = try Self.export(store)
        #expect(empty == #"{"count":0,"digest":"\#(String(repeating: "0", count: 64))"}"# + "\n")
        #expect(try store.importEvents(lines: Self.lines(empty)) == ImportReport(imported: 0, skipped: 0, lastPosition: 0, dryRun: false))
        #expect(throws: ImportError.missingClosingLine(line: 1)) { try store.importEvents(lines: [String]()) }
        #expect(throws: ImportError.missingClosingLine(line: 3)) { try store.importEvents(jsonLines: Data("\n\n".utf8)) }
    }

    @Test func crlfLinesImportToo() throws {
        let ledger = TemporaryLedger()
        let store = try ledger.open()
        let text = try Self.fixtureText("valid.jsonl").replacingOccurrences(of: "\n", with: "\r\n")
        #expect(try store.importEvents(jsonLines: Data(text.utf8)).imported == 6)
        #expect(try Self.export(store) == (try Self.fixtureText("valid.jsonl")))
    }
}

/// The digest chain of exports: every line's digest covers the line and the
/// digest before it, a closing line carries the count and the last digest,
/// and the import refuses any file whose chain does not hold.
@Suite struct ExportDigestChainTests {
    typealias Helpers = ExportImportTests

    @Test func aFileWithoutItsClosingLineIsRefusedAsCutShort() throws {
        let ledger = TemporaryLedger()
        let store = try ledger.open()
        let error = #expect(throws: ImportError.self) {
            try store.importEvents(fromFile: try Helpers.fixture("cut-short.jsonl"))
        }
        #expect(error == .missingClosingLine(line: 7))
        #expect(error?.description.contains("cut short") == true)
        #expect(try store.lastPosition() == 0)
    }

    @Test func anEditedFieldBreaksTheChainAtItsLine() throws {
        let ledger = TemporaryLedger()
        let store = try ledger.open()
        let error = #expect(throws: ImportError.self) {
            try store.importEvents(fromFile: try Helpers.fixture("edited.jsonl"))
        }
        guard case .brokenChain(4, _) = error else {
            Issue.record("expected the chain broken on line 4, got \(String(describing: error))")
            return
        }
        #expect(try store.lastPosition() == 0)
    }

    @Test func removedReorderedOrAddedLinesAreRefused() throws {
        let ledger = TemporaryLedger()
        let store = try ledger.open()
        let lines = Helpers.lines(try Helpers.fixtureText("valid.jsonl")).filter { !$0.isEmpty }
        #expect(lines.count == 7)
        var removedLast = lines
        removedLast.remove(at: 5)  // the last event of the file, the closing line kept
        #expect(throws: ImportError.brokenChain(
            line: 6, reason: "the closing line counts 6 events but the file holds 5")) {
            try store.importEvents(lines: removedLast)
        }
        var removedMiddle = lines
        removedMiddle.remove(at: 2)
        #expect((#expect(throws: ImportError.self) { try store.importEvents(lines: removedMiddle) })?.line == 3)
        var swapped = lines
        swapped.swapAt(1, 2)
        #expect((#expect(throws: ImportError.self) { try store.importEvents(lines: swapped) })?.line == 2)
        var withTail = lines
        withTail.append(lines[0])
        let tailError = #expect(throws: ImportError.self) { try store.importEvents(lines: withTail) }
        guard case .malformedLine(8, let reason) = tailError else {
            Issue.record("expected line 8 after the closing line refused, got \(String(describing: tailError))")
            return
        }
        #expect(reason.contains("after the closing line"))
        #expect(try store.lastPosition() == 0)
    }

    @Test func aLineWithoutADigestIsRefused() throws {
        let ledger = TemporaryLedger()
        let store = try ledger.open()
        let plain = Helpers.plain(try Helpers.fixtureText("valid.jsonl"))
        let error = #expect(throws: ImportError.self) { try store.importEvents(lines: plain) }
        guard case .malformedLine(1, let reason) = error else {
            Issue.record("expected line 1 refused, got \(String(describing: error))")
            return
        }
        #expect(reason.contains("no digest"))
    }

    @Test func theLedgerDigestIsTheExportsDigestAtEveryPosition() throws {
        let ledger = TemporaryLedger()
        let store = try ledger.open()
        try store.importEvents(fromFile: try Helpers.fixture("valid.jsonl"))
        let lines = Helpers.lines(try Helpers.export(store)).filter { !$0.isEmpty }
        for position in 1...6 {
            let digest = try #require(try store.digest(at: UInt64(position)))
            #expect(digest.events == UInt64(position))
            #expect(lines[position - 1].hasSuffix(#","digest":"\#(digest.digest)"}"#))
        }
        let head = try #require(try store.digest())
        #expect(lines[6] == #"{"count":6,"digest":"\#(head.digest)"}"#)
        #expect(try store.digest(at: 0)?.digest == String(repeating: "0", count: 64))
        #expect(try store.digest(at: 7) == nil)
        // An event appended later leaves the digest of the earlier head as it was.
        _ = try store.append(to: "later", expectedVersion: .noStream, events: [EventData(type: "Later", payload: [])])
        #expect(try store.digest(at: 6) == head)
        #expect(try store.digest()?.digest != head.digest)
    }

    @Test func aHugeFieldIsQuotedShortInTheError() throws {
        let ledger = TemporaryLedger()
        let store = try ledger.open()
        let valid = Helpers.plain(try Helpers.fixtureText("valid.jsonl"))[0]
        let huge = String(repeating: "z", count: 1 << 20)
        let line = valid.replacingOccurrences(
            of: "5f0c1a2e-7b1d-4c3a-9e21-000000000001", with: huge)
        let error = #expect(throws: ImportError.self) { try store.importEvents(lines: Helpers.sealed([line])) }
        let message = try #require(error?.description)
        #expect(message.contains("is not a UUID"))
        #expect(message.contains("bytes in all"))
        #expect(message.utf8.count < 1000)
    }
}

extension UUID {
    /// Another fixed id, derived from this one.
    fileprivate var advancedForTest: UUID {
        var bytes = uuid
        bytes.15 &+= 1
        return UUID(uuid: bytes)
    }
}
