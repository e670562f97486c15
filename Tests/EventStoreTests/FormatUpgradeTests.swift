import EventStore
import Foundation
import LMDB
import Testing

/// On-disk formats: new ledgers are written in format 2; a format-1 ledger
/// reads as it is, is refused for writing with the command that upgrades
/// it, and is upgraded in place after a checked backup.
@Suite struct FormatUpgradeTests {
    /// A ledger of three events whose format record says `format`, written
    /// with raw LMDB while no store has it open.
    static func ledger(format: UInt8) throws -> TemporaryLedger {
        let ledger = TemporaryLedger()
        do {
            let store = try ledger.open()
            _ = try store.append(to: "s", expectedVersion: .noStream, events: [sampleEvent("a"), sampleEvent("b")])
            _ = try store.append(to: "t", expectedVersion: .noStream, events: [sampleEvent("c")])
        }
        try setFormat(format, of: ledger.path)
        return ledger
    }

    static func setFormat(_ format: UInt8, of path: String) throws {
        let environment = try Environment(path: path)
        let meta = try environment.openDatabase("meta", flags: [])
        try environment.write { txn in try txn.put(Array("format".utf8), [format], in: meta) }
    }

    static var readOnly: EventStoreOptions {
        var options = EventStoreOptions.noSync
        options.readOnly = true
        return options
    }

    static func contents(_ path: String) throws -> Data { try Data(contentsOf: URL(fileURLWithPath: path + "/data.mdb")) }

    @Test func aNewLedgerIsCreatedInTheCurrentFormat() throws {
        let ledger = TemporaryLedger()
        let store = try ledger.open()
        #expect(EventStore.currentFormat == 2)
        #expect(try store.storedFormat() == 2)
    }

    @Test func aFormatOneLedgerReadsAsItIsWhenOpenedReadOnly() throws {
        let ledger = try Self.ledger(format: 1)
        let store = try EventStore.open(at: ledger.path, options: Self.readOnly)
        #expect(try store.storedFormat() == 1)
        #expect(try store.readAll(from: 1, limit: 10).events.map(\.streamID) == ["s", "s", "t"])
        #expect(try store.verifyLog().isClean)
    }

    @Test func aFormatOneLedgerOpenedForWritingIsRefusedWithTheUpgradeCommandAndLeftAlone() throws {
        let ledger = try Self.ledger(format: 1)
        let before = try Self.contents(ledger.path)
        #expect {
            _ = try ledger.open()
        } throws: { error in
            guard let error = error as? EventStoreError, error.code == .formatUpgradeNeeded else { return false }
            let text = error.description
            return error.path == ledger.path && text.contains("'\(ledger.path)' is a format-1 ledger")
                && text.contains("this build writes format 2")
                && text.contains("`jobledger upgrade --db \(ledger.path)`")
                && text.contains("\(ledger.path).format-1-backup")
        }
        #expect(try Self.contents(ledger.path) == before)
    }

    @Test func aLedgerOfANewerFormatIsRefusedNamingThatFormat() throws {
        // Format 3 (a ledger retention archived events from) is the newest read.
        let ledger = try Self.ledger(format: 4)
        for options in [EventStoreOptions.noSync, Self.readOnly] {
            #expect {
                _ = try EventStore.open(at: ledger.path, options: options)
            } throws: { error in
                "\(error)".contains("it uses format 4, newer than format 3 that this build reads")
            }
        }
    }

    @Test func upgradingBacksUpChecksAndRaisesTheFormatInPlace() throws {
        let ledger = try Self.ledger(format: 1)
        let original = try Self.contents(ledger.path)
        let report = try EventStore.upgradeFormat(at: ledger.path)
        let backup = ledger.path + ".format-1-backup"
        #expect(report.upgraded && report.fromFormat == 1 && report.toFormat == 2)
        #expect(report.backupPath == backup && report.backupEvents == 3)
        // The backup is the format-1 ledger as it was: it opens, verifies and
        // has the same head digest as the upgraded ledger.
        let copy = try EventStore.open(at: backup, options: Self.readOnly)
        #expect(try copy.storedFormat() == 1)
        #expect(try copy.verifyLog().isClean)
        #expect(try copy.readAll(from: 1, limit: 10).events.map(\.payload)
            == EventStore.open(at: ledger.path, options: Self.readOnly).readAll(from: 1, limit: 10).events.map(\.payload))
        #expect(report.backupDigest == (try copy.digest()?.digest))
        #expect(try Self.contents(ledger.path) != original)
        // The upgraded ledger opens for writing and takes appends.
        let store = try ledger.open()
        #expect(try store.storedFormat() == 2)
        #expect(try store.digest()?.digest == report.backupDigest)
        _ = try store.append(to: "t", expectedVersion: .exact(1), events: [sampleEvent("d")])
        #expect(try store.verifyLog().events == 4)
    }

    @Test func upgradingACurrentLedgerSaysSoAndTakesNoBackup() throws {
        let ledger = try Self.ledger(format: 1)
        _ = try EventStore.upgradeFormat(at: ledger.path)
        let again = try EventStore.upgradeFormat(at: ledger.path)
        #expect(!again.upgraded && again.fromFormat == 2 && again.toFormat == 2 && again.backupPath == nil)
        let fresh = TemporaryLedger()
        do { _ = try fresh.open() }
        let report = try EventStore.upgradeFormat(at: fresh.path)
        #expect(!report.upgraded && report.backupPath == nil)
        #expect(!FileManager.default.fileExists(atPath: fresh.path + ".format-2-backup"))
    }

    @Test func anExistingBackupRefusesTheUpgradeAndChangesNothing() throws {
        let ledger = try Self.ledger(format: 1)
        let backup = ledger.path + ".format-1-backup"
        try FileManager.default.createDirectory(atPath: backup, withIntermediateDirectories: false)
        let before = try Self.contents(ledger.path)
        #expect {
            _ = try EventStore.upgradeFormat(at: ledger.path)
        } throws: { error in
            guard let error = error as? EventStoreError else { return false }
            return error.code == .upgradeRefused && error.description.contains("'\(backup)' exists already")
        }
        #expect(try Self.contents(ledger.path) == before)
        #expect(try FileManager.default.contentsOfDirectory(atPath: backup).isEmpty)
    }

    @Test func aLedgerOpenInThisProcessIsNotUpgraded() throws {
        let ledger = try Self.ledger(format: 1)
        let store = try EventStore.open(at: ledger.path, options: Self.readOnly)
        #expect {
            _ = try EventStore.upgradeFormat(at: ledger.path)
        } throws: { error in
            (error as? EventStoreError)?.code == .upgradeRefused && "\(error)".contains("open in this process")
        }
        #expect(try store.storedFormat() == 1)
    }
}
