import ArgumentParser
import Dispatch
import Foundation
import JobLedgerClient
import Synchronization

/// A process that runs remote workers against a `jobledger serve` server,
/// for the multi-process HTTP tests and the benchmark.
///
/// It prints `ready` once its workers run, `claimed ID ATTEMPT` when a
/// handler starts, `settled KIND ID ATTEMPT acknowledged|refused|lost` for
/// every settlement, and at the end one `summary {JSON}` line with the
/// worker's counts, the elapsed seconds and the latencies of claims and
/// completions. SIGTERM or SIGINT stops it: handlers in hand end, their
/// jobs are settled, the summary is printed, exit 0.
@main
struct RemoteWorkerProbe: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "RemoteWorkerProbe",
        abstract: "Runs remote workers against a jobledger server.",
        discussion: "Example: RemoteWorkerProbe --url http://127.0.0.1:8080 --token jl_... --concurrency 4 --behaviour sleep:50")

    @Option(help: "The server's base URL.") var url: String
    @Option(help: "A worker token (default: $JOBLEDGER_TOKEN).") var token: String?
    @Option(help: "Jobs in hand at once.") var concurrency: Int = 1
    @Option(help: "noop, sleep:MS, fail, permanent or until-cancelled.") var behaviour: String = "noop"
    @Option(help: "TYPE=BEHAVIOUR: another behaviour for the jobs of one type (repeatable).") var typeBehaviour: [String] = []
    @Option(help: "Seconds each claim and renewal holds a job.") var lease: Double = 30
    @Option(help: "Seconds between renewals (default: a third of the lease).") var renewInterval: Double?
    @Option(help: "Seconds the server may hold a claim waiting for a job.") var claimWait: Double = 20
    @Option(help: "Job types to claim, comma-separated (default: any).") var types: String?
    @Flag(help: "Stop when a claim finds no job at once.") var untilIdle = false
    @Flag(help: "Print no line per job, only ready and the summary.") var quiet = false

    func validate() throws {
        guard concurrency >= 1, concurrency <= 1024 else { throw ValidationError("--concurrency must be from 1 to 1024") }
        guard ProbeBehaviour(behaviour) != nil else {
            throw ValidationError("--behaviour: '\(behaviour)' is not noop, sleep:MS, fail, permanent or until-cancelled")
        }
        for rule in typeBehaviour {
            let parts = rule.split(separator: "=", maxSplits: 1).map(String.init)
            guard parts.count == 2, !parts[0].isEmpty, ProbeBehaviour(parts[1]) != nil else {
                throw ValidationError("--type-behaviour: '\(rule)' is not TYPE=BEHAVIOUR")
            }
        }
        guard lease > 0, claimWait >= 0, renewInterval.map({ $0 > 0 }) ?? true else {
            throw ValidationError("--lease and --renew-interval must be positive, --claim-wait not negative")
        }
    }

    func run() async throws {
        guard let token = token ?? ProcessInfo.processInfo.environment["JOBLEDGER_TOKEN"] else {
            throw ValidationError("--token or $JOBLEDGER_TOKEN is required")
        }
        var settings = LedgerClientConfiguration()
        settings.maximumConnections = concurrency * 2 + 4
        settings.requestTimeout = .seconds(10)
        let client = try LedgerClient(baseURL: url, token: token, configuration: settings)
        let latencies = Mutex((claims: LatencySamples(), completions: LatencySamples()))
        let quiet = self.quiet
        let behaviour = ProbeBehaviour(behaviour)!.handler()
        var byType: [String: RemoteWorker.Handler] = [:]
        for rule in typeBehaviour {
            let parts = rule.split(separator: "=", maxSplits: 1).map(String.init)
            byType[parts[0]] = ProbeBehaviour(parts[1])!.handler()
        }
        let handlers = byType
        let worker = RemoteWorker(
            client: client, types: types.map { $0.split(separator: ",").map(String.init) }, concurrency: concurrency,
            lease: lease, renewInterval: renewInterval, claimWait: claimWait,
            onSettled: { settlement in
                if settlement.kind == .completed, settlement.acknowledged {
                    latencies.withLock { $0.completions.add(settlement.duration) }
                }
                if quiet { return }
                let state = settlement.acknowledged ? "acknowledged" : settlement.refusal == nil ? "lost" : "refused"
                ProbeOutput.line("settled \(settlement.kind.rawValue) \(settlement.jobID) \(settlement.attempt) \(state)")
            },
            handler: { context in
                latencies.withLock { $0.claims.add(context.claimDuration) }
                if !quiet { ProbeOutput.line("claimed \(context.job.id) \(context.attempt)") }
                return try await (handlers[context.job.type] ?? behaviour)(context)
            })

        let started = ContinuousClock.now
        let untilIdle = self.untilIdle
        let running = Task {
            if untilIdle { await worker.runUntilIdle() } else { await worker.run() }
        }
        let signals = StopSignals { running.cancel() }
        ProbeOutput.line("ready")
        await running.value
        signals.stop()
        let elapsed = ContinuousClock.now - started
        let statistics = worker.statistics
        let samples = latencies.withLock { $0 }
        let summary: [String: Any] = [
            "completed": statistics.completed, "failed": statistics.failed, "cancelled": statistics.cancelled,
            "settlementsRefused": statistics.settlementsRefused, "settlementsLost": statistics.settlementsLost,
            "renewalsRefused": statistics.renewalsRefused, "errorCount": statistics.errorCount,
            "errors": statistics.errors, "seconds": Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18,
            "claim": samples.claims.summary(), "complete": samples.completions.summary(),
        ]
        let json = (try? JSONSerialization.data(withJSONObject: summary, options: [.sortedKeys])) ?? Data("{}".utf8)
        ProbeOutput.line("summary " + String(decoding: json, as: UTF8.self))
        try? await client.close()
    }
}

/// Calls `action` on SIGTERM or SIGINT instead of ending the process.
final class StopSignals {
    private let sources: [any DispatchSourceSignal]

    init(_ action: @escaping @Sendable () -> Void) {
        sources = [SIGTERM, SIGINT].map { number in
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler(handler: action)
            source.resume()
            return source
        }
    }

    func stop() {
        for source in sources { source.cancel() }
    }
}
