import ArgumentParser
import Foundation

/// The `jobledger-bench` command: runs the write and read workloads against
/// fresh ledgers and prints their figures next to raw LMDB baselines
/// measured in the same run.
@main
struct BenchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "jobledger-bench",
        abstract: "Measures the event store against raw LMDB baselines.",
        discussion: """
            Every workload writes to a fresh directory under --dir, removed afterwards. \
            Appends are durable (fsync on) except when filling the log for the read workload. \
            The read workload runs in a child process so that its peak RSS is its own.
            """)

    @Flag(help: "Small counts, so the whole run takes a few seconds.")
    var quick = false

    @Flag(help: "Print one JSON document on standard output instead of the table.")
    var json = false

    @Option(help: "Events in the log the read workload scans (default 1,000,000; 100,000 with --quick).")
    var events: Int?

    @Option(
        help: ArgumentHelp(
            "Run only this workload (repeatable); the baseline of its ratio runs too.",
            valueName: "workload"))
    var only: [WorkloadName] = []

    @Option(help: "Parent directory for the scratch ledgers (default: the system temporary directory).")
    var dir: String?

    mutating func validate() throws {
        if let events, events < 1 { throw ValidationError("--events must be at least 1") }
    }

    func run() async throws {
        let counts = BenchCounts.make(quick: quick, events: events)
        let selection = WorkloadName.selection(for: only)
        let parent = dir ?? FileManager.default.temporaryDirectory.path
        let scratch = try ScratchDirectory(parent: parent)
        defer { scratch.remove() }

        var report: BenchReport
        if selection == [.read] {
            // Alone (as in the child process): measure in this process.
            report = try await ReadWorkload.run(scratch: scratch, counts: counts)
        } else {
            report = BenchReport(machine: .current(directory: scratch.path), counts: counts)
            try await runWrites(selection, counts: counts, scratch: scratch, into: &report)
            if selection.contains(.read) {
                Progress.note("read: starting a child process for \(counts.readEvents) events")
                report.merge(try await ReadChildProcess.run(parentDirectory: parent, events: counts.readEvents))
            }
        }
        report.finalize()
        print(json ? try report.json() : ReportTable.render(report))
    }

    /// Runs the selected write workloads and their baselines, in order.
    private func runWrites(
        _ selection: Set<WorkloadName>, counts: BenchCounts, scratch: ScratchDirectory, into report: inout BenchReport
    ) async throws {
        let events = BenchEvents(payloadBytes: counts.payloadBytes)

        if selection.contains(.rawCommit) || selection.contains(.single) {
            let withSingle = selection.contains(.single)
            Progress.note(
                "A: raw LMDB, \(counts.singleCommits) durable commits of 1 put"
                    + (withSingle ? "; single: 1 client, \(counts.singleCommits) durable appends of 1 event, "
                        + "alternating with A in \(counts.singleRounds) rounds" : ""))
            let rawPath = scratch.directory(for: "raw-commit")
            let singlePath = withSingle ? scratch.directory(for: "single") : nil
            let (raw, single, batches) = try await DedicatedThread.run("jobledger-bench.single") {
                let baseline = try RawLMDBBaseline(
                    at: rawPath, valueBytes: counts.payloadBytes, expectedPuts: counts.singleCommits)
                let client = try singlePath.map { try SingleClientAppend(at: $0, events: events) }
                let (raw, single) = try InterleavedRounds.run(
                    total: counts.singleCommits, rounds: counts.singleRounds,
                    first: { try baseline.commit($0, putsPerCommit: 1) },
                    second: client.map { client in { try client.append($0) } })
                return (raw, single, try client?.finish())
            }
            report.figures.append(Figure(
                id: "A", workload: "A raw LMDB, 1 put per durable commit", value: raw.rate, unit: "commits/s"))
            if let batches {
                report.figures.append(Figure(
                    id: "single", workload: "EventStore 1 client, 1 event per durable append",
                    value: single.rate, unit: "events/s", baselineID: "A",
                    target: Target(subject: .ratio, comparison: .atLeast, threshold: 0.8)))
                report.groupCommit.append(batches)
            }
        }

        if selection.contains(.rawBatch) {
            Progress.note("B: raw LMDB, \(counts.rawBatchCommits) durable commits of \(counts.putsPerBatchCommit) puts")
            let path = scratch.directory(for: "raw-batch")
            let seconds = try await DedicatedThread.run("jobledger-bench.raw-batch") {
                let baseline = try RawLMDBBaseline(
                    at: path, valueBytes: counts.payloadBytes,
                    expectedPuts: counts.rawBatchCommits * counts.putsPerBatchCommit)
                return try baseline.commit(counts.rawBatchCommits, putsPerCommit: counts.putsPerBatchCommit)
            }
            report.figures.append(Figure(
                id: "B", workload: "B raw LMDB, \(ReportTable.grouped(counts.putsPerBatchCommit)) puts per durable commit",
                value: Double(counts.rawBatchCommits * counts.putsPerBatchCommit) / max(seconds, 1e-9),
                unit: "puts/s"))
        }

        if selection.contains(.concurrent) {
            let clients = counts.clients
            Progress.note(
                "C: raw LMDB, \(counts.appendsPerClient) durable store-shaped commits of \(clients) events; "
                    + "concurrent: \(clients) client threads x \(counts.appendsPerClient) durable appends of 1 event, "
                    + "alternating with C in \(counts.concurrentRounds) rounds")
            let rawPath = scratch.directory(for: "store-shaped")
            let storePath = scratch.directory(for: "concurrent")
            let envelopeBytes = events.envelopeBytes(streamID: "job-client-\(clients - 1)")
            let (shaped, concurrent, batches) = try await DedicatedThread.run("jobledger-bench.concurrent") {
                let baseline = try StoreShapedBaseline(at: rawPath, streams: clients, envelopeBytes: envelopeBytes)
                let workload = try ConcurrentAppend(at: storePath, clients: clients, events: events)
                let (shaped, concurrent) = try InterleavedRounds.run(
                    total: counts.appendsPerClient, rounds: counts.concurrentRounds,
                    first: { try baseline.commit($0) },
                    second: { try workload.append(perClient: $0) })
                return (shaped, concurrent, try workload.finish())
            }
            report.figures.append(Figure(
                id: "C", workload: "C raw LMDB, \(clients) store-shaped events per durable commit",
                value: Double(shaped.operations * clients) / max(shaped.seconds, 1e-9), unit: "events/s"))
            report.figures.append(Figure(
                id: "clients", workload: "EventStore \(clients) clients, 1 event per durable append",
                value: Double(concurrent.operations * clients) / max(concurrent.seconds, 1e-9), unit: "events/s",
                baselineID: "C", target: Target(subject: .value, comparison: .atLeast, threshold: 100_000)))
            report.groupCommit.append(batches)
        }
    }
}
