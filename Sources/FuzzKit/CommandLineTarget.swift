import Foundation
import JobLedger
import JobLedgerCLI

/// The `jobledger` command line: random argument lists for every
/// subcommand, parsed and run in this process against a copy of a small
/// ledger.
///
/// An input is the arguments, one per line. Properties: no trap; the exit
/// code is one the documentation lists for an answer or a refusal (0, 2 to
/// 7; 1, "anything else", counts as a failure here); a refusal as bad input
/// (exit 2) leaves the ledger's data file byte-identical.
///
/// What the arguments name outside the ledger is kept inside a scratch
/// folder: `--db`, `--out` and `--dir` are replaced, standard input is
/// empty, and `--follow` and `demo` (which run until stopped, or for long)
/// are answered as skipped.
package final class CommandLineTarget: FuzzTarget {
    package let name = "cli-args"
    package let maxInputLength = 2 << 10

    /// Words the mutations put in: subcommands, options, and values on the
    /// edges of every bound.
    static let dictionary: [String] = [
        "submit", "claim", "renew", "complete", "fail", "ack-cancel", "cancel", "kill", "retry", "kill-batch",
        "sweep", "status", "list", "history", "events", "export", "import", "report", "info", "rebuild", "verify",
        "--id", "--type", "--owner", "--org", "--batch", "--payload", "--priority", "--max-attempts", "--worker",
        "--lease", "--attempt", "--result", "--error", "--retryable", "--actor", "--role", "--reason", "--state",
        "--since", "--until", "--limit", "--after", "--as-of", "--from", "--to", "--stream", "--format", "--json",
        "--dry-run", "--verify", "--help", "--version", "--jobs",
        "j-pending", "j-running", "j-done", "j-failed", "nightly", "w1", "alice", "acme", "root", "admin", "user",
        "worker", "system", "pending", "running", "csv", "jsonl", "table", "json", "-", "{}", "[1,2]", "{",
        "0", "1", "-1", "-0", "1000", "1001", "1000000", "1000001", "-1000001", "2592000", "2592001",
        "9223372036854775807", "-9223372036854775808", "9223372036854775808", "18446744073709551615",
        "1e300", "9.3e12", "9.2e12", "9.223372e12", "inf", "-inf", "nan", "0.0001", "1e-300", "0x10",
        "2026-11-23T12:00:00Z", "0000-01-01T00:00:00Z", "1969-12-31T23:59:59Z", "2199-12-31T23:59:59.999Z",
        "2200-01-01T00:00:00Z", "9999-12-31T23:59:59Z", "yesterday", "", " ", "bad id", "\u{202E}x",
    ]

    /// Plausible command lines the mutations start from.
    package static let seeds: [(String, [UInt8])] = [
        ("submit", ["submit", "--id", "new-1", "--type", "email", "--owner", "alice", "--org", "acme", "--priority", "-1"]),
        ("submit-batch", ["submit", "--type", "t", "--owner", "bob", "--org", "acme", "--batch", "nightly", "--max-attempts", "5", "--json"]),
        ("claim", ["claim", "--worker", "w2", "--lease", "60", "--type", "email", "--json"]),
        ("renew", ["renew", "j-running", "--worker", "w1", "--attempt", "1", "--lease", "30"]),
        ("complete", ["complete", "j-running", "--worker", "w1", "--attempt", "1", "--result", "{}"]),
        ("fail", ["fail", "j-running", "--worker", "w1", "--attempt", "1", "--error", "boom", "--retryable"]),
        ("ack-cancel", ["ack-cancel", "j-running", "--worker", "w1", "--attempt", "1"]),
        ("cancel", ["cancel", "j-pending", "--actor", "alice", "--org", "acme", "--reason", "no"]),
        ("kill", ["kill", "j-running", "--actor", "root", "--role", "admin", "--org", "acme", "--reason", "stuck"]),
        ("retry", ["retry", "j-failed", "--actor", "alice", "--org", "acme", "--json"]),
        ("kill-batch", ["kill-batch", "nightly", "--actor", "root", "--role", "admin", "--org", "acme", "--reason", "x"]),
        ("sweep", ["sweep", "--json"]),
        ("status", ["status", "j-done", "--as-of", "2026-11-23T12:00:00Z", "--json"]),
        ("list", ["list", "--state", "pending", "--since", "2026-11-23T12:00:00Z", "--limit", "2"]),
        ("history", ["history", "j-running"]),
        ("events", ["events", "--from", "2", "--type", "JobClaimed"]),
        ("export", ["export", "--format", "csv", "--since", "2026-11-23T12:00:00Z", "--to", "5", "--out", "x.csv"]),
        ("import", ["import", "-", "--dry-run"]),
        ("report", ["report", "--format", "json", "--until", "2199-12-31T23:59:59Z"]),
        ("info", ["info", "--json"]),
        ("rebuild", ["rebuild", "--verify"]),
        ("verify", ["verify"]),
    ].map { ($0.0, Array($0.1.joined(separator: "\n").utf8)) }

    private let scratch: URL
    private var base: URL?
    private var runs = 0

    /// A target whose ledgers live in a new folder under the temporary one.
    package init() {
        scratch = FileManager.default.temporaryDirectory.appendingPathComponent("jobledger-fuzz-cli-\(UUID().uuidString)")
        JobLedgerCommand.noSyncForInProcessRuns.store(true, ordering: .relaxed)
    }

    deinit { try? FileManager.default.removeItem(at: scratch) }

    package func mutate(_ input: inout [UInt8], corpus: [[UInt8]], using random: inout FuzzRandom) {
        var arguments = Self.arguments(input)
        switch random.below(8) {
        case 0 where !arguments.isEmpty, 1 where !arguments.isEmpty:
            arguments[random.below(arguments.count)] = random.pick(Self.dictionary)
        case 2:
            arguments.insert(random.pick(Self.dictionary), at: random.below(arguments.count + 1))
        case 3 where !arguments.isEmpty:
            arguments.remove(at: random.below(arguments.count))
        case 4 where !arguments.isEmpty:
            // An option and a value glued with `=`.
            let index = random.below(arguments.count)
            arguments[index] = arguments[index] + "=" + random.pick(Self.dictionary)
        case 5 where !corpus.isEmpty:
            let other = Self.arguments(random.pick(corpus))
            if !other.isEmpty { arguments.insert(random.pick(other), at: random.below(arguments.count + 1)) }
        default:
            var bytes = Array(input)
            ByteMutator.mutate(&bytes, others: corpus, maxLength: maxInputLength, using: &random)
            input = bytes
            return
        }
        input = Array(arguments.joined(separator: "\n").utf8)
        if input.count > maxInputLength { input.removeSubrange(maxInputLength...) }
    }

    static func arguments(_ input: [UInt8]) -> [String] {
        guard !input.isEmpty else { return [] }
        return String(decoding: input, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
    }

    package func run(_ input: [UInt8]) throws(PropertyViolation) -> FuzzOutcome {
        var arguments = Self.arguments(input)
        if arguments.contains("--follow") || arguments.contains("demo") {
            return .refused(kind: "skipped: --follow or demo")
        }
        runs += 1
        let directory = scratch.appendingPathComponent("run-\(runs)")
        defer { try? FileManager.default.removeItem(at: directory) }
        let ledger = directory.appendingPathComponent("ledger")
        let dataFile = ledger.appendingPathComponent("data.mdb")
        let before: Data
        do {
            let base = try baseLedger()
            try FileManager.default.createDirectory(at: ledger, withIntermediateDirectories: true)
            try FileManager.default.copyItem(at: base.appendingPathComponent("data.mdb"), to: dataFile)
            before = try Data(contentsOf: dataFile)
        } catch {
            throw PropertyViolation("could not prepare a ledger: \(error)")
        }
        arguments = Self.confined(arguments, to: directory)
        let code = Self.withQuietStandardStreams { JobLedgerCommand.exitCode(running: arguments) }
        switch code {
        case 0: return .accepted
        case 2:
            guard (try? Data(contentsOf: dataFile)) == before else {
                throw PropertyViolation("refused as bad input (exit 2) but the ledger changed: \(arguments)")
            }
            return .refused(kind: "exit 2")
        case 3...7: return .refused(kind: "exit \(code)")
        default: throw PropertyViolation("exit code \(code), which no documented answer has: \(arguments)")
        }
    }

    /// `arguments` with every path replaced by one inside `directory`, and
    /// the ledger named last.
    static func confined(_ arguments: [String], to directory: URL) -> [String] {
        var result: [String] = []
        var index = 0
        let replaced = ["--db", "--out", "--dir", "--fixtures"]
        while index < arguments.count {
            let argument = arguments[index]
            index += 1
            if let option = replaced.first(where: { argument == $0 || argument.hasPrefix($0 + "=") }) {
                if argument == option { index += 1 }  // its value
                if option != "--db" { result += [option, directory.appendingPathComponent("out").path] }
                continue
            }
            result.append(argument)
        }
        // The ledger: after the subcommand's own options, as `--db PATH`.
        return result + ["--db", directory.appendingPathComponent("ledger").path]
    }

    /// A ledger with a job in each state, made once per target.
    private func baseLedger() throws -> URL {
        if let base { return base }
        let path = scratch.appendingPathComponent("base/ledger")
        try FileManager.default.createDirectory(at: path.deletingLastPathComponent(), withIntermediateDirectories: true)
        try Self.populate(path.path)
        base = path
        return path
    }

    static func populate(_ path: String) throws {
        var options = JobLedgerOptions()
        options.store.durability = .noSyncForTestsAndBenchmarks
        let jobs = try JobLedger(path: path, options: options)
        let alice = Actor(id: "alice", role: .user, organisation: "acme")
        for (id, type) in [("j-done", "email"), ("j-failed", "email"), ("j-running", "report"), ("j-pending", "email")] {
            _ = try jobs.submit(JobSubmission(id: id, type: type, batch: "nightly"), by: alice)
            if id == "j-pending" { continue }
            let job = try jobs.claim(worker: "w1", types: [type], lease: 3600)
            guard let job else { continue }
            if id == "j-done" { _ = try jobs.complete(id, worker: "w1", attempt: job.attempt) }
            if id == "j-failed" { _ = try jobs.fail(id, worker: "w1", attempt: job.attempt, error: "boom", retryable: false) }
        }
    }

    /// Runs `body` with standard input empty and standard output and error
    /// discarded.
    static func withQuietStandardStreams<T>(_ body: () -> T) -> T {
        fflush(nil)
        let saved = (dup(0), dup(1), dup(2))
        let null = open("/dev/null", O_RDWR)
        dup2(null, 0)
        dup2(null, 1)
        dup2(null, 2)
        defer {
            fflush(nil)
            dup2(saved.0, 0)
            dup2(saved.1, 1)
            dup2(saved.2, 2)
            for descriptor in [null, saved.0, saved.1, saved.2] { close(descriptor) }
        }
        return body()
    }
}
