import EventStore
import Foundation
import JobLedger

/// Runs a sample of import inputs through real imports into a job ledger
/// (with its projection) in a temporary directory.
///
/// Properties: a dry run and the import agree; an import the reader
/// refused is refused with the same error; a refused import leaves the log
/// byte-identical; an accepted one writes exactly what its report says,
/// keeps what was there, changes nothing when repeated, and leaves the
/// projection equal to a replay.
package final class LedgerImportCheck {
    /// Every how many import inputs one is imported for real.
    package let sampleEvery: Int
    /// Inputs imported for real so far.
    package private(set) var checked = 0
    /// Of those, the ones the ledger accepted.
    package private(set) var accepted = 0

    private let directory: URL
    private let base: [UInt8]
    private var ledger: JobLedger?
    private var generation = 0
    private var seen = 0

    /// The ledger grows with accepted imports; past this many events it
    /// starts again from `base`.
    private static let eventsBeforeReset: UInt64 = 2000

    /// A check whose ledger starts from the import of `base`.
    package init(base: [UInt8], sampleEvery: Int) {
        self.base = base
        self.sampleEvery = max(1, sampleEvery)
        directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("jobledger-fuzz-\(UUID().uuidString)")
    }

    deinit {
        ledger = nil
        try? FileManager.default.removeItem(at: directory)
    }

    /// Imports `input` for real when its turn in the sample has come.
    /// `parsed` is what the import's reader made of it.
    func check(_ input: [UInt8], parsed: Result<[ImportedLine], ImportError>) throws(PropertyViolation) {
        seen += 1
        guard seen % sampleEvery == 0 else { return }
        checked += 1
        let ledger = try openLedger()
        let store = ledger.store
        let data = Data(input)
        let dryRun = Result { () throws(ImportError) in try store.importEvents(jsonLines: data, dryRun: true) }
        let before = try fingerprint(store)
        let real = Result { () throws(ImportError) in try store.importEvents(jsonLines: data) }
        switch real {
        case .failure(let error):
            guard error.line != nil else { throw PropertyViolation("the import failed without naming a line: \(error)") }
            guard try fingerprint(store) == before else {
                throw PropertyViolation("a refused import changed the ledger (\(error))")
            }
            guard case .failure(let dryError) = dryRun, dryError == error else {
                throw PropertyViolation("the import was refused with \(error) but its dry run gave \(dryRun)")
            }
            if case .failure(let readError) = parsed, readError != error {
                throw PropertyViolation("the import was refused with \(error) but its reader with \(readError)")
            }
        case .success(let report):
            accepted += 1
            guard case .success(let events) = parsed else {
                throw PropertyViolation("the import accepted text its reader refused")
            }
            try checkAccepted(report, dryRun: dryRun, events: events.count, before: before, ledger: ledger, data: data)
        }
    }

    private func checkAccepted(
        _ report: ImportReport, dryRun: Result<ImportReport, ImportError>, events: Int, before: Fingerprint,
        ledger: JobLedger, data: Data
    ) throws(PropertyViolation) {
        let store = ledger.store
        let expectedDryRun = ImportReport(
            imported: report.imported, skipped: report.skipped, lastPosition: report.lastPosition, dryRun: true)
        guard case .success(let dry) = dryRun, dry == expectedDryRun, !report.dryRun else {
            throw PropertyViolation("the import reported \(report) but its dry run \(dryRun)")
        }
        guard report.imported + report.skipped == events else {
            throw PropertyViolation("the import read \(events) events but imported and skipped \(report)")
        }
        let after = try fingerprint(store)
        guard after.lastPosition == before.lastPosition + UInt64(report.imported),
              after.lastPosition == report.lastPosition,
              after.export.starts(with: before.export)
        else {
            throw PropertyViolation("the import's report \(report) does not match what the ledger holds")
        }
        let again = Result { () throws(ImportError) in try store.importEvents(jsonLines: data) }
        guard case .success(let repeated) = again, repeated.imported == 0, repeated.skipped == events else {
            throw PropertyViolation("importing the same text again gave \(again)")
        }
        let mismatches: [ProjectionMismatch]
        do { mismatches = try ledger.verifyProjections() } catch {
            throw PropertyViolation("the projection could not be verified after an import: \(error)")
        }
        guard mismatches.isEmpty else {
            throw PropertyViolation("after an import the projection differs from a replay: \(mismatches.prefix(3))")
        }
        if after.lastPosition > Self.eventsBeforeReset { self.ledger = nil }
    }

    /// What must not change when an import is refused.
    private struct Fingerprint: Equatable {
        let lastPosition: UInt64
        let export: [UInt8]
    }

    private func fingerprint(_ store: any EventStorage) throws(PropertyViolation) -> Fingerprint {
        do {
            var export: [UInt8] = []
            try store.exportEvents { export.append(contentsOf: $0) }
            return Fingerprint(lastPosition: try store.lastPosition(), export: export)
        } catch {
            throw PropertyViolation("the ledger could not be exported: \(error)")
        }
    }

    /// The ledger, opened afresh from `base` when there is none.
    private func openLedger() throws(PropertyViolation) -> JobLedger {
        if let ledger { return ledger }
        generation += 1
        let path = directory.appendingPathComponent("ledger-\(generation)").path
        try? FileManager.default.removeItem(at: directory.appendingPathComponent("ledger-\(generation - 1)"))
        do {
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            var options = JobLedgerOptions()
            options.store = .noSync
            let ledger = try JobLedger(path: path, options: options)
            try ledger.store.importEvents(jsonLines: Data(base))
            self.ledger = ledger
            return ledger
        } catch {
            throw PropertyViolation("the base ledger could not be made: \(error)")
        }
    }
}
