import EventStore
import Foundation
import Testing

/// Several real processes appending to one ledger directory at once.
///
/// LMDB serialises writers across processes with a lock in the shared lock
/// file; these tests check that the store's position and version bookkeeping
/// (read inside each write transaction) holds up when the writers are
/// different processes, each with its own group committer. Commits are not
/// fsynced: durability has no bearing on the order in which concurrent
/// writers are serialised, and skipping fsync keeps the test quick.
@Suite struct MultiProcessAppendTests {
    static let processCount = 8
    static let eventsPerProcess = 1_000
    static let sharedStreams = (0..<4).map { "shared-\($0)" }

    /// The payload every `StoreProbe append` event carries.
    struct ProbePayload: Decodable {
        let process: Int
        let seq: Int
    }

    /// How big the memory map starts out in every child.
    enum InitialMap: Sendable, CustomTestStringConvertible {
        /// The default size: nobody grows the map.
        case roomy
        /// 64 KiB: the map fills up again and again, so processes grow it
        /// while the others go on appending and must adopt the new size.
        case tiny

        var probeArguments: [String] {
            switch self {
            case .roomy: return []
            case .tiny: return ["--map-size=65536"]
            }
        }

        var testDescription: String {
            switch self {
            case .roomy: return "default map size"
            case .tiny: return "64 KiB map that the processes grow while appending"
            }
        }
    }

    @Test("eight processes appending at once leave dense positions and dense stream versions",
          .timeLimit(.minutes(3)), arguments: [InitialMap.roomy, .tiny])
    func concurrentProcessesKeepPositionsAndVersionsDense(_ initialMap: InitialMap) async throws {
        let ledger = TemporaryLedger("multi-process")
        let processCount = Self.processCount
        let eventsPerProcess = Self.eventsPerProcess

        // Start every child, let each open the ledger, then release them all
        // at once so their appends really interleave.
        var children: [ChildProcess] = []
        for index in 0..<processCount {
            children.append(try ChildProcess(
                probe: ["append", ledger.path, "\(index)", "\(eventsPerProcess)", "nosync", "--wait-for-go"]
                    + initialMap.probeArguments,
                name: "append-\(index)"))
        }
        for child in children {
            let first = await child.nextLine(timeout: .seconds(20))
            try #require(first == .line("ready"), "\(child.name): \(first); stderr: \(child.errorText)")
        }
        for child in children { try child.send("go") }

        // Each child reports how many events it put in each stream.
        var reported: [String: Int] = [:]
        var growths = 0
        for (index, child) in children.enumerated() {
            let exit = await child.waitForExit(timeout: .seconds(45))
            #expect(exit == .exited(0), "\(child.name) \(exit); stderr: \(child.errorText)")
            let (lines, complete) = await child.remainingLines(timeout: .seconds(5))
            #expect(complete)
            let report = try #require(lines.last.flatMap(Self.parseReport), "\(child.name) printed \(lines)")
            #expect(report["process"] == index)
            #expect(report["events"] == eventsPerProcess)
            #expect(report["own-\(index)"] == eventsPerProcess / 2)
            for (key, count) in report where key.hasPrefix("shared-") || key.hasPrefix("own-") {
                reported[key, default: 0] += count
            }
            growths += report["growths"] ?? 0
        }
        if initialMap == .tiny {
            #expect(growths > 0, "no process had to grow the map")
        }

        let store = try ledger.open()
        let total = UInt64(processCount * eventsPerProcess)
        #expect(try store.lastPosition() == total)

        // Walk the whole log once: positions must run 1, 2, 3, ... with no
        // gap or repeat; each stream's versions must run 1, 2, 3, ... in
        // position order; and each process's events must appear in the order
        // it appended them, since each append returned before the next began.
        var expectedPosition: UInt64 = 1
        var versions: [String: UInt64] = [:]
        var lastSequence = [Int](repeating: -1, count: processCount)
        var problems: [String] = []
        let decoder = JSONDecoder()
        let walked = try store.forEachEvent { event in
            if event.position != expectedPosition {
                problems.append("found position \(event.position) where \(expectedPosition) was expected")
            }
            expectedPosition = event.position + 1
            let previous = versions[event.streamID, default: 0]
            if event.streamVersion != previous + 1 {
                problems.append("\(event.streamID) version \(event.streamVersion) follows \(previous) at position \(event.position)")
            }
            versions[event.streamID] = event.streamVersion
            if let payload = try? decoder.decode(ProbePayload.self, from: Data(event.payload)),
               lastSequence.indices.contains(payload.process) {
                if payload.seq <= lastSequence[payload.process] {
                    problems.append("process \(payload.process) seq \(payload.seq) at position \(event.position) follows seq \(lastSequence[payload.process])")
                }
                lastSequence[payload.process] = payload.seq
            } else {
                problems.append("unreadable payload at position \(event.position): \(event.payloadString)")
            }
            return problems.count < 20
        }
        #expect(problems.isEmpty, "\(problems.joined(separator: "\n"))")
        #expect(walked == Int(total))
        #expect(lastSequence == [Int](repeating: eventsPerProcess - 1, count: processCount))

        // Every stream's stored version matches the events found in the log
        // and the counts the children reported.
        let ownStreams = (0..<processCount).map { "own-\($0)" }
        #expect(Set(versions.keys) == Set(ownStreams + Self.sharedStreams))
        for stream in ownStreams {
            #expect(versions[stream] == UInt64(eventsPerProcess / 2), "\(stream)")
            #expect(try store.streamVersion(stream) == UInt64(eventsPerProcess / 2), "\(stream)")
        }
        var sharedTotal: UInt64 = 0
        for stream in Self.sharedStreams {
            let version = try store.streamVersion(stream)
            #expect(versions[stream] == version, "\(stream)")
            #expect(reported[stream].map(UInt64.init) == version, "\(stream)")
            sharedTotal += version
        }
        #expect(sharedTotal == UInt64(processCount * eventsPerProcess / 2))

        // The stream index agrees with the log: reading one process's own
        // stream gives its events in the order it appended them.
        let own = try store.readStream("own-3")
        #expect(own.map(\.streamVersion) == Array(1...UInt64(eventsPerProcess / 2)))
        let sequences = own.compactMap { try? decoder.decode(ProbePayload.self, from: Data($0.payload)).seq }
        #expect(sequences == Array(stride(from: 1, to: eventsPerProcess, by: 2)))
        #expect(own.map(\.position) == own.map(\.position).sorted())
    }

    /// Parses `done process=3 events=1000 own-3=500 shared-0=125 ...`.
    static func parseReport(_ line: String) -> [String: Int]? {
        let words = line.split(separator: " ")
        guard words.first == "done" else { return nil }
        var values: [String: Int] = [:]
        for word in words.dropFirst() {
            let parts = word.split(separator: "=")
            guard parts.count == 2, let value = Int(parts[1]) else { return nil }
            values[String(parts[0])] = value
        }
        return values
    }
}
