import ArgumentParser
import EventStore
import Foundation
import JobLedger
import JobLedgerCLI
import JobLedgerServer
import Logging
import PostgresEventStore

/// `jobledger-server`, which `jobledger serve` runs: the HTTP server lives in
/// an executable of its own so that the command line does not load it (and
/// its networking stack) for every `status` or `claim`.
@main
struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "jobledger serve",
        abstract: "Serve the ledger over HTTP (JSON API under /v1, bearer tokens).",
        discussion: """
            Prints one line, 'listening on http://HOST:PORT', once it accepts requests (port 0 picks a free port). \
            SIGTERM or SIGINT: waiting claims answer 204, requests in flight finish, the ledger closes, exit 0. \
            Logs go to stderr, one line per request.

            Example:
              jobledger token create --db ./jobs.db --actor ops --role system --org acme --json
              jobledger serve --db ./jobs.db --listen 127.0.0.1:8080
              curl -H "Authorization: Bearer jl_..." http://127.0.0.1:8080/v1/jobs
            """)

    @OptionGroup var options: ServeOptions

    /// Usage errors exit 2, like the command line's. `jobledger-server
    /// command ARGS...` runs a `jobledger` command instead, for a ledger on
    /// PostgreSQL: `jobledger` itself links no database client and runs
    /// this executable in its place when given `--postgres`.
    static func main() async {
        let arguments = Array(CommandLine.arguments.dropFirst())
        SharedLedgerBackend.install(Self.openShared)
        if arguments.first == "command" {
            await JobLedgerCommand.runAsExecutable(arguments: Array(arguments.dropFirst()))
        } else {
            await runAsExecutable()
        }
    }

    /// Opens a ledger on PostgreSQL, its store's errors as the ledger's.
    @Sendable static func openShared(url: String, options: JobLedgerOptions) throws -> JobLedger {
        try JobLedger(options: options) { (storeOptions) throws(EventStoreError) in
            try PostgresEventStore.open(url: url, options: storeOptions)
        }
    }

    func run() async throws {
        let maxBody = options.maxBody ?? ServeOptions.defaultMaxBody
        let maxLongPolls = options.maxLongPolls ?? ServeOptions.defaultMaxLongPolls
        let maxStreams = options.maxStreams ?? ServeOptions.defaultMaxStreams
        let logLevel = options.logLevel ?? "info"
        let address = options.listen ?? ProcessInfo.processInfo.environment["JOBLEDGER_LISTEN"] ?? "127.0.0.1:8080"
        guard let (host, port) = ServerConfiguration.parseListen(address) else {
            throw ValidationError("--listen: '\(address)' is not HOST:PORT (port 0 to 65535)")
        }
        guard maxBody >= 1024, maxLongPolls >= 1, maxStreams >= 1 else {
            throw ValidationError("--max-body must be at least 1024, --max-long-polls and --max-streams at least 1")
        }
        guard let level = Logger.Level(rawValue: logLevel) else {
            throw ValidationError("--log-level: '\(logLevel)' is not a log level")
        }
        let environment = ProcessInfo.processInfo.environment
        let path = options.db ?? environment["JOBLEDGER_DB"] ?? "./jobledger.db"
        let url = options.postgres ?? (options.db == nil ? environment["JOBLEDGER_POSTGRES"].flatMap { $0.isEmpty ? nil : $0 } : nil)
        guard options.db == nil || options.postgres == nil else {
            throw ValidationError("give --db or --postgres, not both")
        }
        var ledgerOptions = JobLedgerOptions()
        if environment["JOBLEDGER_NOSYNC"] == "1" {
            ledgerOptions.store.durability = .noSyncForTestsAndBenchmarks
        }
        let jobs: JobLedger
        do {
            if let url {
                jobs = try Self.openShared(url: url, options: ledgerOptions)
            } else {
                jobs = try JobLedger(path: path, options: ledgerOptions)
            }
        } catch {
            OutputWrites.standardError("error: \(error)\n")
            throw ExitCode((error as? JobLedgerError)?.isBadInput == true ? 2 : 1)
        }
        var limits = ServerLimits()
        limits.maxBodyBytes = maxBody
        limits.maxLongPolls = maxLongPolls
        limits.maxEventStreams = maxStreams
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = level
            return handler
        }
        var logger = Logger(label: "jobledger.serve")
        logger.logLevel = level
        var configuration = ServerConfiguration(host: host, port: port, limits: limits)
        configuration.dashboard.behindHTTPS = options.behindHttps || environment["JOBLEDGER_BEHIND_HTTPS"] == "1"
        let server = LedgerServer(ledger: jobs, configuration: configuration, logger: logger)
        do {
            try await server.run { host, port in
                let shown = host.contains(":") ? "[\(host)]" : host
                // Unbuffered: whoever started the server waits for this line.
                // A closed standard output must not stop the server.
                var line = "listening on http://\(shown):\(port)\n"
                line.withUTF8 { try? OutputWrites.standardOutput(UnsafeRawBufferPointer($0)) }
            }
        } catch {
            OutputWrites.standardError("error: the server stopped: \(error)\n")
            throw ExitCode(1)
        }
        // Everything acknowledged is durable already; this makes sure of
        // the page cache of a ledger opened without fsync too.
        try? jobs.store.sync()
    }
}

extension JobLedgerError {
    /// A ledger path that is not a ledger, or bad input.
    var isBadInput: Bool {
        code == .invalidInput || storeCode == .notALedger
    }
}
