@_spi(Benchmarks) import EventStore
import Foundation

/// What verifying each event's CRC-32C costs a read: full JSON Lines exports
/// of the job log to /dev/null, with the check (as every read does) and
/// without it (the store's unchecked path, kept for this comparison only),
/// in alternating rounds in one process so that both sides see the same
/// page cache and the same drifts of the shared machine.
enum ExportChecksumCost {
    /// Full exports per side.
    static let rounds = 8

    static func measure(_ path: String) throws -> ChildTasks.Outcome {
        let store = try EventStore.open(at: path)
        guard let sink = FileHandle(forWritingAtPath: "/dev/null") else {
            throw BenchError.verification("cannot open /dev/null")
        }
        defer { try? sink.close() }
        let end = try store.lastPosition()
        var exported = 0
        func export(verifying: Bool) -> (Int) throws -> Double {
            { count in
                let stopwatch = Stopwatch()
                for _ in 0..<count {
                    exported = try store.benchmarkExport(
                        format: .jsonLines, selection: .all, from: 1, through: end, header: false,
                        verifyingChecksums: verifying
                    ) { sink.write(Data($0)) }
                }
                return stopwatch.elapsedSeconds
            }
        }
        // One unmeasured export first, so that neither side pays for reading the file in.
        _ = try export(verifying: false)(1)
        let totals = try InterleavedRounds.run(rounds: rounds, sides: [
            .init(total: rounds, body: export(verifying: false)),
            .init(total: rounds, body: export(verifying: true)),
        ])
        guard exported == Int(end) else {
            throw BenchError.verification("an export wrote \(exported) of \(end) events")
        }
        let events = ReportTable.grouped(exported)
        let unchecked = Double(exported) * totals[0].rate
        let checked = Double(exported) * totals[1].rate
        return ChildTasks.Outcome(
            figures: [
                Figure(
                    id: "export-unchecked",
                    workload: "export of \(events) events, checksums NOT verified (comparison only)",
                    value: unchecked, unit: "events/s"),
                Figure(
                    id: "export-checked", workload: "export of \(events) events, every checksum verified",
                    value: checked, unit: "events/s", baselineID: "export-unchecked"),
            ],
            notes: [
                String(
                    format: "export-checksums: %d alternating rounds of one full export per side; verifying costs "
                        + "%.0f ns per event (%.1f%% of the unchecked export's time)",
                    rounds, (1 / checked - 1 / unchecked) * 1e9, (unchecked / checked - 1) * 100)
            ])
    }
}
