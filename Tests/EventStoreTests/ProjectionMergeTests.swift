import EventStore
import Foundation
import JobLedgerTestSupport
import PostgresEventStore
import Testing

/// Applies the operations an event's payload lists, one per line, to the
/// `mergeCounts` table: `a KEY N` adds N, `w KEY WINDOW N` adds N in a
/// window, `p KEY HEX` stores raw bytes, `d KEY` removes, `g KEY` reads the
/// row and copies what it read to `mergeSeen`, so that a read in the
/// middle of a transaction is checked too.
struct MergeOperationsProjection: Projection {
    static let counts = ProjectionTable("mergeCounts")
    static let seen = ProjectionTable("mergeSeen")
    var tables: [ProjectionTable] { [Self.counts, Self.seen] }
    var version: Int { 1 }
    var streamPrefix: String? { nil }

    func apply(_ event: RecordedEvent, to tables: borrowing ProjectionWriter) throws {
        for line in String(decoding: event.payload, as: UTF8.self).split(separator: "\n") {
            let words = line.split(separator: " ").map(String.init)
            let key = Array(words[1].utf8)
            switch words[0] {
            case "a": try tables.merge(Self.counts, key, .add(Int64(words[2])!))
            case "w": try tables.merge(Self.counts, key, .addInWindow(window: Int64(words[2])!, count: Int64(words[3])!))
            case "p": try tables.put(Self.counts, key, Self.bytes(hex: words[2]))
            case "d": try tables.remove(Self.counts, key)
            default: try tables.put(Self.seen, key + Array("@\(event.position)".utf8), try tables.get(Self.counts, key) ?? [])
            }
        }
    }

    /// An event of stream `rS` reads the row `kS` first: a later stream of
    /// the same transaction may name a row an earlier one merged into.
    func rowsRead(forStream streamID: String) -> [ProjectionRow] {
        streamID.hasPrefix("r") ? [ProjectionRow(Self.counts, Array("k\(streamID.dropFirst())".utf8))] : []
    }

    static func bytes(hex: String) -> [UInt8] {
        var bytes: [UInt8] = []
        var index = hex.startIndex
        while index < hex.endIndex {
            let next = hex.index(index, offsetBy: 2)
            bytes.append(UInt8(hex[index..<next], radix: 16)!)
            index = next
        }
        return bytes
    }

    static func event(_ lines: [String]) -> EventData {
        EventData(type: "Merges", payload: Array(lines.joined(separator: "\n").utf8), actor: "tester")
    }

    static func value(_ key: String, in store: any EventStorage) throws -> [UInt8]? {
        try store.readProjections { tables in try tables.get(counts, Array(key.utf8)) }
    }
}

@Suite struct ProjectionMergeTests {
    @Test("a count is read from its first 8 bytes, clamped, added without trapping, and removed at zero")
    func addingFollowsTheCounterRules() {
        let seven = ProjectionMerge.bigEndian(7)
        #expect(ProjectionMerge.add(3).outcome(on: nil) == .store(ProjectionMerge.bigEndian(3)))
        #expect(ProjectionMerge.add(-3).outcome(on: nil) == .unchanged)
        #expect(ProjectionMerge.add(-7).outcome(on: seven) == .remove)
        #expect(ProjectionMerge.add(-9).outcome(on: seven) == .remove)
        #expect(ProjectionMerge.add(-1).outcome(on: [0, 0]) == .remove)
        #expect(ProjectionMerge.add(2).outcome(on: [0, 5]) == .store(ProjectionMerge.bigEndian(7)))
        #expect(ProjectionMerge.add(1).outcome(on: seven + [9, 9]) == .store(ProjectionMerge.bigEndian(8)))
        let huge = [UInt8](repeating: 0xFF, count: 8)
        #expect(ProjectionMerge.add(1).outcome(on: huge) == .store(ProjectionMerge.bigEndian(.max)))
        #expect(ProjectionMerge.add(-1).outcome(on: huge) == .store(ProjectionMerge.bigEndian(.max - 1)))
    }

    @Test("a window count adds within its window, starts again in a later one and leaves a later one alone")
    func windowCountsFollowTheirWindow() {
        let held = ProjectionMerge.windowValue(window: 10, count: 4)
        #expect(ProjectionMerge.addInWindow(window: 10, count: 2).outcome(on: held) == .store(ProjectionMerge.windowValue(window: 10, count: 6)))
        #expect(ProjectionMerge.addInWindow(window: 11, count: 2).outcome(on: held) == .store(ProjectionMerge.windowValue(window: 11, count: 2)))
        #expect(ProjectionMerge.addInWindow(window: 9, count: 2).outcome(on: held) == .unchanged)
        #expect(ProjectionMerge.addInWindow(window: 9, count: 2).outcome(on: [1, 2, 3]) == .store(ProjectionMerge.windowValue(window: 9, count: 2)))
        #expect(ProjectionMerge.addInWindow(window: -5, count: 1).outcome(on: nil) == .store(ProjectionMerge.windowValue(window: -5, count: 1)))
    }

    @Test("counter merges from concurrent writers of two stores give what a replay gives, reads in between included",
          arguments: StorageBackend.allCases)
    func concurrentMergesMatchAReplay(_ backend: StorageBackend) async throws {
        let (store, keep) = try backend.open(projections: [MergeOperationsProjection()])
        defer { withExtendedLifetime(keep) {} }
        let stores = try Self.writers(of: store)
        try await withThrowingTaskGroup(of: Void.self) { group in
            for writer in 0..<8 {
                let target = stores[writer % stores.count]
                group.addTask {
                    var random = SeededRandom(seed: UInt64(writer) &* 7919 &+ 17)
                    for round in 0..<30 {
                        let events = (0..<Int.random(in: 1...3, using: &random)).map { _ in
                            MergeOperationsProjection.event((0..<Int.random(in: 1...4, using: &random)).map { _ in
                                Self.randomOperation(&random)
                            })
                        }
                        _ = try await target.append(to: "w\(writer)-\(round % 3)", expectedVersion: .any, events: events)
                    }
                }
            }
            try await group.waitForAll()
        }
        let differences = try store.verifyProjections(limit: 20)
        #expect(differences.isEmpty, "\(differences)")
        #expect(try store.readProjections { try $0.count(MergeOperationsProjection.counts) } > 0)
    }

    @Test("an addition that would overflow a stored count leaves it, one that fits is made, and a count stops at zero on the way",
          arguments: StorageBackend.allCases)
    func anOverflowingAdditionLeavesTheCount(_ backend: StorageBackend) async throws {
        let (store, keep) = try backend.open(projections: [MergeOperationsProjection()])
        defer { withExtendedLifetime(keep) {} }
        let stores = try Self.writers(of: store)
        let nearTop = ProjectionMerge.bigEndian(.max - 1).map { String(format: "%02x", $0) }.joined()
        let steps = [
            ["p top \(nearTop)", "a low 1"], ["a top 5"], ["a top 1", "a low -2", "a low 3"],
            ["w win 3 9223372036854775807", "a gone -2"], ["w win 3 1"],
        ]
        for (index, lines) in steps.enumerated() {
            // Writers take turns, so that neither remembers the rows.
            let writer = stores[index % stores.count]
            _ = try await writer.append(to: "s", expectedVersion: .any, events: [MergeOperationsProjection.event(lines)])
        }
        #expect(try MergeOperationsProjection.value("top", in: store) == ProjectionMerge.bigEndian(.max))
        #expect(try MergeOperationsProjection.value("win", in: store) == ProjectionMerge.windowValue(window: 3, count: .max))
        #expect(try MergeOperationsProjection.value("gone", in: store) == nil)
        // 1, then 0 (not -1), then 3.
        #expect(try MergeOperationsProjection.value("low", in: store) == ProjectionMerge.bigEndian(3))
        #expect(try store.verifyProjections(limit: 20).isEmpty)
    }

    @Test("a row merged into earlier in an import's transaction and read by a later stream's prefetch keeps the merge",
          arguments: StorageBackend.allCases)
    func aPrefetchAfterAMergeKeepsTheMerge(_ backend: StorageBackend) async throws {
        let (source, keepSource) = try backend.open(projections: [MergeOperationsProjection()])
        defer { withExtendedLifetime(keepSource) {} }
        // Stream r1 adds to k2 without reading it; stream r2 reads k2 first
        // (its prefetch) and then reads it again and adds to it.
        _ = try await source.append(to: "r1", expectedVersion: .any, events: [MergeOperationsProjection.event(["a k2 4"])])
        _ = try await source.append(to: "r2", expectedVersion: .any, events: [MergeOperationsProjection.event(["g k2", "a k2 1"])])
        var exported = ""
        try source.exportEvents(to: &exported)
        let (target, keepTarget) = try backend.open(projections: [MergeOperationsProjection()])
        defer { withExtendedLifetime(keepTarget) {} }
        try target.importEvents(jsonLines: Data(exported.utf8))
        #expect(try MergeOperationsProjection.value("k2", in: target) == ProjectionMerge.bigEndian(5))
        let seen = try target.readProjections { try $0.get(MergeOperationsProjection.seen, Array("k2@2".utf8)) }
        #expect(seen == ProjectionMerge.bigEndian(4))
        #expect(try target.verifyProjections(limit: 20).isEmpty)
    }

    /// `store`, and on PostgreSQL a second store on its database: a second
    /// writer, taking turns with the first on the head row.
    static func writers(of store: any EventStorage) throws -> [any EventStorage] {
        guard let first = store as? PostgresEventStore else { return [store] }
        var options = EventStoreOptions()
        options.projections = [MergeOperationsProjection()]
        return [store, try PostgresEventStore(location: first.location, options: options)]
    }

    /// One operation on a few shared keys, damaged values among them.
    static func randomOperation(_ random: inout SeededRandom) -> String {
        let key = "k\(Int.random(in: 0..<6, using: &random))"
        switch Int.random(in: 0..<20, using: &random) {
        case 0..<8: return "a \(key) \(Int.random(in: -3...3, using: &random))"
        case 8..<13: return "w \(key) \(Int.random(in: 0...3, using: &random)) \(Int.random(in: 1...5, using: &random))"
        case 13..<15: return "g \(key)"
        case 15: return "d \(key)"
        case 16: return "p \(key) 0007"
        case 17: return "p \(key) \(["00000000000000020000000000000003", "ff", "0000000000000001aa"].randomElement(using: &random)!)"
        default: return "a \(key) 1"
        }
    }
}

/// A small seeded generator, so that a failing run can be repeated.
struct SeededRandom: RandomNumberGenerator {
    private var state: UInt64

    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
