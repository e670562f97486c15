import ArgumentParser
import EventStore
import Foundation
import JobLedger

struct Info: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Where the ledger is, its size and free pages, its readers, last position and projection state.",
        discussion: """
            The oldest reader is the one holding the oldest snapshot, in any process: while it is held, \
            pages freed since cannot be reused and the file grows instead.
            Example: jobledger info --json
            """)

    @OptionGroup var ledger: LedgerOptions

    func run() throws {
        try runReportingErrors {
            let jobs = try ledger.openForReading()
            // First, while this process holds no snapshot of its own.
            // The figures below are those of an embedded (LMDB) ledger, which `--db` opens.
            guard let embedded = jobs.embeddedStore else { return try printSharedLedgerInfo(jobs) }
            let storage = try embedded.storageInfo()
            // With every reader slot taken, what needs a snapshot is unknown.
            let versions = try unlessReadersFull { () throws(EventStoreError) in try jobs.store.projectionVersions() }
            let lastPosition = try unlessReadersFull { () throws(EventStoreError) in try jobs.store.lastPosition() }
            let archived = try unlessReadersFull { () throws(EventStoreError) in try embedded.archivedPositionCount() }
            let fileSize = (try? FileManager.default.attributesOfItem(atPath: ledger.path + "/data.mdb")[.size] as? Int) ?? 0
            let facts: [(String, Any)] = [
                ("path", ledger.path), ("lastPosition", lastPosition.orNull),
                ("archivedPositions", archived.orNull), ("fileBytes", fileSize), ("mapBytes", storage.mapSize),
                ("usedBytes", storage.filePages * storage.pageSize), ("pageSize", storage.pageSize),
                ("filePages", storage.filePages), ("usedPages", storage.usedPages.orNull),
                ("freePages", storage.freePages.orNull), ("reusableFreePages", storage.reusableFreePages.orNull),
                ("readerSlots", storage.readerSlots), ("readerSlotsUsed", storage.readerSlotsInUse),
                ("staleReaderSlotsCleared", storage.staleReadersCleared),
                ("growthLastHour", storage.growthLastHour.map(Self.json).orNull),
                ("growthLastDay", storage.growthLastDay.map(Self.json).orNull),
                ("oldestReader", storage.oldestReader.map(Self.json).orNull),
                ("projectionVersion", versions.map { $0.stored ?? "" }.orNull),
                ("projectionsCurrent", versions.map { $0.stored == $0.current }.orNull),
            ]
            if ledger.json {
                Output.printJSON(Dictionary(uniqueKeysWithValues: facts))
            } else {
                for (key, value) in facts {
                    let text =
                        switch key {
                        case "oldestReader": Self.text(storage.oldestReader)
                        case "growthLastHour": Self.text(storage.growthLastHour, span: 3600)
                        case "growthLastDay": Self.text(storage.growthLastDay, span: 86_400)
                        default: value is NSNull ? "unknown" : "\(value)"
                        }
                    print(key.padding(toLength: 24, withPad: " ", startingAt: 0) + TerminalText.escaped(text))
                }
            }
        }
    }

    /// What is known of a ledger on a database server: where it is, its
    /// last position and its projections' state.
    private func printSharedLedgerInfo(_ jobs: JobLedger) throws {
        let versions = try jobs.store.projectionVersions()
        let facts: [(String, Any)] = [
            ("backend", "postgresql"), ("location", jobs.store.locationDescription),
            ("lastPosition", try jobs.store.lastPosition()),
            ("projectionVersion", versions.stored ?? ""), ("projectionsCurrent", versions.stored == versions.current),
        ]
        if ledger.json {
            Output.printJSON(Dictionary(uniqueKeysWithValues: facts))
        } else {
            for (key, value) in facts {
                print(key.padding(toLength: 24, withPad: " ", startingAt: 0) + TerminalText.escaped("\(value)"))
            }
        }
    }

    /// `body`'s result, or `nil` when no reader slot was free for it.
    private func unlessReadersFull<T>(_ body: () throws(EventStoreError) -> T) throws(EventStoreError) -> T? {
        do {
            return try body()
        } catch where error.code == .readersFull {
            return nil
        }
    }

    static func json(_ reader: OldestReader) -> [String: Any] {
        [
            "pid": reader.processID, "snapshot": reader.snapshotTransactionID, "commitsBehind": reader.commitsBehind,
            "heldAtLeastSeconds": (reader.heldFor.map { rounded($0.atLeastSeconds) }).orNull,
            "heldAtMostSeconds": (reader.heldFor?.atMostSeconds.map(rounded)).orNull,
            "ageExact": reader.heldFor?.exact ?? false,
        ]
    }

    static func json(_ growth: StorageGrowth) -> [String: Any] {
        ["bytes": growth.bytes, "overSeconds": rounded(growth.overSeconds)]
    }

    /// `+1048576 bytes`, or `+1048576 bytes over the last 1520.0 s (...)`
    /// when the record of sizes is shorter than `span` seconds.
    static func text(_ growth: StorageGrowth?, span: Double) -> String {
        guard let growth else { return "unknown (no record of sizes)" }
        let text = "+\(growth.bytes) bytes"
        if growth.overSeconds >= span { return text }
        return text + " over the last " + seconds(growth.overSeconds) + " (the record of sizes begins then)"
    }

    /// `pid 4242, 310 commits behind, held at least 12.5 s (at most 14.0 s)`.
    static func text(_ reader: OldestReader?) -> String {
        guard let reader else { return "none" }
        var text = "pid \(reader.processID), \(reader.commitsBehind) commits behind"
        guard let age = reader.heldFor else { return text + ", held for an unknown time" }
        if age.exact {
            text += ", held \(seconds(age.atLeastSeconds))"
        } else {
            text += ", held at least \(seconds(age.atLeastSeconds))"
            if let most = age.atMostSeconds { text += " (at most \(seconds(most)))" }
        }
        return text
    }

    private static func rounded(_ seconds: Double) -> Double { (seconds * 1000).rounded() / 1000 }

    private static func seconds(_ value: Double) -> String { String(format: "%.1f s", value) }
}
