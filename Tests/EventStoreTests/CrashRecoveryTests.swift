import EventStore
import Foundation
import Testing

/// A writer process killed with SIGKILL at a random moment, again and again,
/// on the same ledger.
///
/// After every kill the ledger must hold each multi-stream transaction wholly
/// or not at all, must hold every transaction the writer acknowledged at the
/// positions it acknowledged, and must still have dense positions and stream
/// versions. Each new writer continues on the ledger its killed predecessor
/// left behind, so the next writer also has to recover LMDB's writer lock if
/// the kill landed inside a write transaction.
@Suite struct CrashRecoveryTests {
    static let eventsPerTransaction = 50

    /// The payload of every `StoreProbe big-appends` event.
    struct Part: Decodable {
        let txn: Int
        let events: Int
        let part: Int
    }

    /// `ack <txn> <firstPosition> <lastPosition>`, printed after an append returned.
    struct Ack: Equatable {
        let transaction: Int
        let first: UInt64
        let last: UInt64

        init?(_ line: String) {
            let words = line.split(separator: " ")
            guard words.count == 4, words[0] == "ack", let transaction = Int(words[1]),
                  let first = UInt64(words[2]), let last = UInt64(words[3]) else { return nil }
            self.transaction = transaction
            self.first = first
            self.last = last
        }
    }

    @Test("a writer killed at random moments leaves only whole transactions and keeps every acknowledged one",
          .timeLimit(.minutes(3)))
    func killedWriterLeavesWholeTransactionsAndKeepsAcknowledgedOnes() async throws {
        let ledger = TemporaryLedger("crash-recovery")
        let kills = 10
        var acknowledged: [Int: Ack] = [:]
        var survived = 0
        var stored = 0

        for round in 0..<kills {
            for ack in try await Self.startAndKillWriter(ledger: ledger, round: round) {
                acknowledged[ack.transaction] = ack
            }
            stored = try Self.checkLedger(at: ledger.path, acknowledged: acknowledged, round: round)
            survived += 1
        }
        #expect(survived == kills)
        // Transactions that committed but were killed before their ack was
        // printed are allowed; they show the kills landed at varied moments.
        print("CrashRecoveryTests: survived \(survived) SIGKILLs; \(stored) transactions "
            + "of \(Self.eventsPerTransaction) events in the ledger, \(acknowledged.count) of them acknowledged")
    }

    @Test("a writer killed while other processes wait for the write lock does not stall or harm them",
          .timeLimit(.minutes(3)))
    func killedWriterDoesNotStallOtherWriters() async throws {
        let ledger = TemporaryLedger("crash-among-writers")
        // Peers append single events until told to stop, so they are
        // certainly running, and often queued on LMDB's writer lock behind
        // the durable big writer, whenever it is killed.
        let peerCount = 3
        var peers: [ChildProcess] = []
        for index in 0..<peerCount {
            peers.append(try ChildProcess(
                probe: ["append", ledger.path, "\(index)", "0", "nosync", "--until-stopped"], name: "peer-\(index)"))
        }

        var acknowledged: [Int: Ack] = [:]
        for round in 0..<4 {
            for ack in try await Self.startAndKillWriter(ledger: ledger, round: round) {
                acknowledged[ack.transaction] = ack
            }
            for peer in peers {
                #expect(await peer.waitForExit(timeout: .zero) == .stillRunning,
                        "round \(round): \(peer.name) ended early; stderr: \(peer.errorText)")
            }
        }

        var reported: [String: Int] = [:]
        for peer in peers {
            try peer.send("stop")
        }
        for (index, peer) in peers.enumerated() {
            let exit = await peer.waitForExit(timeout: .seconds(20))
            #expect(exit == .exited(0), "\(peer.name) \(exit); stderr: \(peer.errorText)")
            let (lines, _) = await peer.remainingLines(timeout: .seconds(5))
            let report = try #require(lines.last.flatMap(MultiProcessAppendTests.parseReport),
                                      "\(peer.name) printed \(lines)")
            #expect(report["process"] == index)
            #expect((report["events"] ?? 0) > 0, "\(peer.name) appended nothing")
            for (key, count) in report where key.hasPrefix("shared-") || key.hasPrefix("own-") {
                reported[key, default: 0] += count
            }
        }

        let transactions = try Self.checkLedger(at: ledger.path, acknowledged: acknowledged, round: 4)
        let store = try ledger.open()
        for (stream, count) in reported {
            #expect(try store.streamVersion(stream) == UInt64(count), "\(stream)")
        }
        print("CrashRecoveryTests: \(peerCount) peers appended \(reported.values.reduce(0, +)) events "
            + "around 4 killed writers, which left \(transactions) whole transactions")
    }

    /// Starts a durable big writer, waits for a few of its acks, kills it
    /// after a random delay, and returns every ack it printed.
    static func startAndKillWriter(ledger: TemporaryLedger, round: Int) async throws -> [Ack] {
        // Far more transactions than it can write before the kill.
        let child = try ChildProcess(
            probe: ["big-appends", ledger.path, "1000000", "\(eventsPerTransaction)"],
            name: "big-appends-\(round)")
        var acks: [Ack] = []

        // Wait for a few acknowledgements, then kill after a random delay so
        // the kill lands at varying points of an append.
        let acksBeforeKill = Int.random(in: 1...4)
        while acks.count < acksBeforeKill {
            let line = await child.nextLine(timeout: .seconds(20))
            guard case .line(let text) = line, let ack = Ack(text) else {
                child.kill()
                Issue.record("round \(round): expected an ack, got \(line); stderr: \(child.errorText)")
                return acks
            }
            acks.append(ack)
        }
        let (rest, context) = try await child.killAfterRandomDelay(
            upTo: 15_000, context: "round \(round), after ack \(acks.count)")
        // Acks printed between the last one read and the kill count too.
        for line in rest {
            acks.append(try #require(Ack(line), "\(context): unexpected output '\(line)'"))
        }
        return acks
    }

    /// Checks the ledger after a kill; returns the number of transactions in
    /// it. Events other than the big writer's are checked only for dense
    /// positions and stream versions.
    static func checkLedger(at path: String, acknowledged: [Int: Ack], round: Int) throws -> Int {
        // Nothing keeps the store of the previous round alive, so this opens
        // the ledger afresh after every kill, as a restarted service would.
        let store = try EventStore.open(at: path, options: .noSync)

        var positions: [Int: [UInt64]] = [:]
        var declared: [Int: Int] = [:]
        var streamPositions: [String: [UInt64]] = [:]
        var problems: [String] = []
        var expectedPosition: UInt64 = 1
        let decoder = JSONDecoder()
        try store.forEachEvent { event in
            if event.position != expectedPosition {
                problems.append("position \(event.position) where \(expectedPosition) was expected")
            }
            expectedPosition = event.position + 1
            let versionBefore = UInt64(streamPositions[event.streamID]?.count ?? 0)
            if event.streamVersion != versionBefore + 1 {
                problems.append("\(event.streamID) version \(event.streamVersion) follows \(versionBefore)")
            }
            streamPositions[event.streamID, default: []].append(event.position)
            guard event.type == "LedgerEntry" else { return problems.count < 20 }
            guard let part = try? decoder.decode(Part.self, from: Data(event.payload)) else {
                problems.append("unreadable payload at position \(event.position)")
                return problems.count < 20
            }
            positions[part.txn, default: []].append(event.position)
            if let previous = declared.updateValue(part.events, forKey: part.txn), previous != part.events {
                problems.append("transaction \(part.txn) declares both \(previous) and \(part.events) events")
            }
            return problems.count < 20
        }
        #expect(problems.isEmpty, "round \(round):\n\(problems.joined(separator: "\n"))")

        // Whole or absent: every transaction found has all its events, at
        // consecutive positions.
        for (transaction, found) in positions.sorted(by: { $0.key < $1.key }) {
            let expected = declared[transaction] ?? 0
            #expect(found.count == expected,
                    "round \(round): transaction \(transaction) has \(found.count) of its \(expected) events")
            // Positions arrive in increasing order, so the span tells.
            if let first = found.first, let last = found.last {
                #expect(last - first + 1 == UInt64(found.count),
                        "round \(round): transaction \(transaction) is spread over \(first)...\(last)")
            }
        }
        // Each writer numbers its transactions after the last one stored, so
        // the numbers present are 1...n without gaps.
        #expect(positions.keys.sorted() == Array(1..<positions.count + 1),
                "round \(round): transaction numbers are not dense")

        // Acknowledged means stored, at exactly the acknowledged positions.
        for ack in acknowledged.values.sorted(by: { $0.transaction < $1.transaction }) {
            let found = positions[ack.transaction] ?? []
            let matches = found.first == ack.first && found.last == ack.last && ack.last >= ack.first
                && UInt64(found.count) == ack.last - ack.first + 1
            #expect(matches, """
                round \(round): transaction \(ack.transaction) was acknowledged at \(ack.first)...\(ack.last) \
                but \(found.count) of its events are at \(found.first.map(String.init) ?? "-")...\(found.last.map(String.init) ?? "-")
                """)
        }

        // The stream index agrees with the log for every stream.
        for (stream, expected) in streamPositions {
            #expect(try store.streamVersion(stream) == UInt64(expected.count), "round \(round): \(stream)")
            #expect(try store.readStream(stream).map(\.position) == expected, "round \(round): \(stream)")
        }
        #expect(try store.lastPosition() == expectedPosition - 1)
        return positions.count
    }
}
