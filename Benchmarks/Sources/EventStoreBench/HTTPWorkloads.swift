import Foundation
import JobLedger
import JobLedgerClient
import Synchronization

/// The ledger over HTTP, each against a release `jobledger serve` on a
/// loopback port, durable:
///
/// - remote workers: 64 worker slots in a separate process
///   (`RemoteWorkerProbe`) claim then complete no-op jobs over kept-alive
///   connections, against 64 in-process worker threads on the same number
///   of jobs in the same run;
/// - submits: 64 concurrent submitters over HTTP;
/// - reads: `GET /v1/jobs/{id}` under load, by `wrk` when it is installed,
///   else by 64 tasks of this process;
/// - long-poll claims: with 64 claims waiting, the time from sending a
///   submit to one of them answering with the job, and the server's CPU
///   time while the 64 wait with nothing to do.
enum HTTPWorkloads {
    struct Counts {
        var jobs: Int
        var submits: Int
        var readSeconds: Int
        var longPollRounds: Int

        init(quick: Bool, jobs: Int) {
            self.jobs = quick ? 3_000 : max(jobs, 20_000)
            submits = quick ? 4_000 : 20_000
            readSeconds = quick ? 3 : 10
            longPollRounds = quick ? 30 : 100
        }
    }

    /// The release executables the workloads start.
    struct Binaries {
        var jobledger: URL
        var probe: URL
    }

    static let owner = Actor(id: "bench-user", role: .user, organisation: "org-1")

    static func run(
        counts benchCounts: BenchCounts, scratch: ScratchDirectory, executables: ReleaseExecutables, quick: Bool,
        into report: inout BenchReport
    ) async throws {
        let counts = Counts(quick: quick, jobs: benchCounts.jobs)
        // Found before any work, so that a missing build fails at once.
        let jobledger = try executables.url(of: "jobledger")
        // `jobledger serve` runs the server executable beside itself.
        try executables.requireBeside(jobledger, "jobledger-server")
        let binaries = Binaries(jobledger: jobledger, probe: try executables.url(of: "RemoteWorkerProbe"))
        try await remoteWorkers(counts, benchCounts, scratch, binaries, &report)
        try await submitsReadsAndLongPolls(counts, scratch, binaries, &report)
    }

    // MARK: Remote workers against in-process workers

    private static func remoteWorkers(
        _ counts: Counts, _ benchCounts: BenchCounts, _ scratch: ScratchDirectory, _ binaries: Binaries,
        _ report: inout BenchReport
    ) async throws {
        Progress.note("http: \(counts.jobs) no-op jobs, 64 in-process worker threads, then 64 remote worker slots in another process")
        let inProcessPath = scratch.directory(for: "http-inprocess")
        let inProcessRate = try await DedicatedThread.run("jobledger-bench.http-inprocess") { () throws -> Double in
            let jobs = try LedgerJobs(at: inProcessPath, workers: 8, jobsPerWorker: 8, builders: benchCounts.builders)
            let seconds = try jobs.run(counts.jobs)
            return Double(counts.jobs) / seconds
        }

        let remotePath = scratch.directory(for: "http-remote")
        let workerToken = try await DedicatedThread.run("jobledger-bench.http-fill") { () throws -> String in
            let ledger = try JobLedger(path: remotePath)
            try ClientThreads.fill(counts.jobs, threads: benchCounts.builders, name: "submit") { index in
                _ = try ledger.submit(JobSubmission(id: "remote-\(index)", type: "noop"), by: owner)
            }
            return try ledger.issueToken(for: Actor(id: "bench-worker", role: .worker, organisation: "org-1")).text
        }
        let server = try await startServer(remotePath, binaries)
        defer { Task { await server.process.stop() } }
        let probe = try HTTPChildProcess(binaries.probe, [
            "--url", server.url, "--token", workerToken, "--concurrency", "64", "--behaviour", "noop",
            "--lease", "60", "--until-idle", "--quiet",
        ])
        let line = try await probe.line(startingWith: "summary ", timeout: .seconds(600))
        await server.process.stop()
        let summary = try JSONDecoder().decode(ProbeSummary.self, from: Data(line.dropFirst("summary ".count).utf8))
        guard summary.completed == counts.jobs else {
            throw BenchError.verification("remote workers completed \(summary.completed) of \(counts.jobs) jobs (\(summary.errors))")
        }
        let rate = Double(summary.completed) / summary.seconds
        report.figures.append(Figure(
            id: "http-inprocess", workload: "JobLedger 64 in-process worker threads, claim + complete no-op jobs, durable",
            value: inProcessRate, unit: "jobs/s"))
        report.figures.append(Figure(
            id: "http-remote", workload: "64 remote workers in another process over HTTP, claim + complete no-op jobs, durable",
            value: rate, unit: "jobs/s", baselineID: "http-inprocess",
            target: Target(subject: .ratio, comparison: .atLeast, threshold: 0.5)))
        report.figures.append(Figure(
            id: "http-remote-rate", workload: "the same, against its absolute target", value: rate, unit: "jobs/s",
            target: Target(subject: .value, comparison: .atLeast, threshold: 3_000)))
        report.figures.append(Figure(id: "http-claim-p50", workload: "remote claim latency, p50", value: summary.claim.p50Ms, unit: "ms"))
        report.figures.append(Figure(id: "http-claim-p99", workload: "remote claim latency, p99", value: summary.claim.p99Ms, unit: "ms"))
        report.figures.append(Figure(
            id: "http-complete-p50", workload: "remote complete latency, p50", value: summary.complete.p50Ms, unit: "ms"))
        report.figures.append(Figure(
            id: "http-complete-p99", workload: "remote complete latency, p99", value: summary.complete.p99Ms, unit: "ms"))
    }

    struct ProbeSummary: Decodable {
        struct Latency: Decodable {
            var count: Int
            var p50Ms: Double
            var p99Ms: Double
        }
        var completed: Int
        var seconds: Double
        var claim: Latency
        var complete: Latency
        var errors: [String]
    }

    // MARK: Submits, reads, long polls

    private static func submitsReadsAndLongPolls(
        _ counts: Counts, _ scratch: ScratchDirectory, _ binaries: Binaries, _ report: inout BenchReport
    ) async throws {
        let path = scratch.directory(for: "http-api")
        let tokens = try await DedicatedThread.run("jobledger-bench.http-tokens") { () throws -> (user: String, unused: Int) in
            (try JobLedger(path: path).issueToken(for: owner).text, 0)
        }
        let server = try await startServer(path, binaries)
        defer { Task { await server.process.stop() } }
        var configuration = LedgerClientConfiguration()
        configuration.maximumConnections = 80
        let user = try LedgerClient(baseURL: server.url, token: tokens.user, configuration: configuration)

        // 64 concurrent submitters.
        Progress.note("http: \(counts.submits) submits by 64 concurrent clients")
        let latencies = LatencySamples()
        let started = ContinuousClock.now
        try await withThrowingTaskGroup(of: Void.self) { group in
            for client in 0..<64 {
                group.addTask {
                    var mine: [Double] = []
                    for index in stride(from: client, to: counts.submits, by: 64) {
                        let sent = ContinuousClock.now
                        _ = try await user.submit(NewJob(id: "submit-\(index)", type: "noop"))
                        mine.append(milliseconds(ContinuousClock.now - sent))
                    }
                    let done = mine
                    latencies.add(done)
                }
            }
            try await group.waitForAll()
        }
        let submitSeconds = milliseconds(ContinuousClock.now - started) / 1000
        let submitLatencies = latencies.sorted
        report.figures.append(Figure(
            id: "http-submit", workload: "64 concurrent submitters over HTTP, durable", value: Double(counts.submits) / submitSeconds,
            unit: "jobs/s", target: Target(subject: .value, comparison: .atLeast, threshold: 10_000)))
        report.figures.append(Figure(
            id: "http-submit-p50", workload: "submit latency, p50", value: percentile(submitLatencies, 0.5), unit: "ms"))
        report.figures.append(Figure(
            id: "http-submit-p99", workload: "submit latency, p99", value: percentile(submitLatencies, 0.99), unit: "ms"))

        // Reads of one job.
        Progress.note("http: GET /v1/jobs/{id} for \(counts.readSeconds) s, 64 connections")
        let read = try await readLoad(server.url, token: tokens.user, client: user, seconds: counts.readSeconds)
        report.figures.append(Figure(
            id: "http-get", workload: "GET /v1/jobs/{id}, 64 connections (\(read.tool))", value: read.rate, unit: "requests/s",
            target: Target(subject: .value, comparison: .atLeast, threshold: 20_000)))
        report.figures.append(Figure(
            id: "http-get-p99", workload: "GET /v1/jobs/{id} latency, p99 (\(read.tool))", value: read.p99, unit: "ms",
            target: Target(subject: .value, comparison: .below, threshold: 10)))
        report.figures.append(Figure(
            id: "http-get-p50", workload: "GET /v1/jobs/{id} latency, p50 (\(read.tool))", value: read.p50, unit: "ms"))

        // Long polls, on a server of their own with an empty queue: the
        // 64 claims have nothing to do until each job arrives.
        await server.process.stop()
        let pollPath = scratch.directory(for: "http-poll")
        let pollTokens = try await DedicatedThread.run("jobledger-bench.http-poll-tokens") { () throws -> (user: String, worker: String) in
            let ledger = try JobLedger(path: pollPath)
            return (
                try ledger.issueToken(for: owner).text,
                try ledger.issueToken(for: Actor(id: "bench-waiter", role: .worker, organisation: "org-1")).text
            )
        }
        let pollServer = try await startServer(pollPath, binaries)
        defer { Task { await pollServer.process.stop() } }
        let pollUser = try LedgerClient(baseURL: pollServer.url, token: pollTokens.user, configuration: configuration)
        Progress.note("http: 64 claims waiting; \(counts.longPollRounds) jobs submitted one at a time")
        let poll = try await longPolls(
            user: pollUser, worker: pollUser.authenticated(with: pollTokens.worker), server: pollServer.process,
            rounds: counts.longPollRounds)
        report.figures.append(Figure(
            id: "http-longpoll-p50", workload: "submit sent to a waiting claim's answer, 64 claims waiting, median",
            value: poll.p50, unit: "ms", target: Target(subject: .value, comparison: .below, threshold: 5)))
        report.figures.append(Figure(
            id: "http-longpoll-p99", workload: "the same, p99", value: poll.p99, unit: "ms"))
        report.figures.append(Figure(
            id: "http-longpoll-missed", workload: "jobs not claimed within 10 s of their submit", value: Double(poll.missed),
            unit: "jobs", target: Target(subject: .value, comparison: .below, threshold: 1)))
        report.figures.append(Figure(
            id: "http-idle-cpu", workload: "server CPU while 64 claims wait with nothing to claim", value: poll.idleCPU,
            unit: "ms CPU/s"))
        try? await pollUser.close()
        try? await user.close()
    }

    private static func readLoad(_ url: String, token: String, client: LedgerClient, seconds: Int) async throws
        -> (rate: Double, p50: Double, p99: Double, tool: String)
    {
        let target = "\(url)/v1/jobs/submit-0"
        if let wrk = ["/usr/bin/wrk", "/usr/local/bin/wrk"].first(where: FileManager.default.isExecutableFile(atPath:)) {
            let output = try await DedicatedThread.run("jobledger-bench.wrk") { () throws -> String in
                let process = Process()
                process.executableURL = URL(fileURLWithPath: wrk)
                process.arguments = ["-t2", "-c64", "-d\(seconds)s", "--latency", "-H", "Authorization: Bearer \(token)", target]
                let pipe = Pipe()
                process.standardOutput = pipe
                process.standardError = FileHandle.nullDevice
                try process.run()
                let data = pipe.fileHandleForReading.readDataToEndOfFile()
                process.waitUntilExit()
                return String(decoding: data, as: UTF8.self)
            }
            guard let rate = wrkValue(output, "Requests/sec:"), let p50 = wrkLatency(output, "50%"), let p99 = wrkLatency(output, "99%")
            else { throw BenchError.childFailed("wrk's output was not understood: \(output)") }
            if output.contains("Non-2xx") { throw BenchError.verification("wrk got error answers: \(output)") }
            return (rate, p50, p99, "wrk, 2 threads")
        }
        let latencies = LatencySamples()
        let end = ContinuousClock.now + .seconds(seconds)
        let started = ContinuousClock.now
        try await withThrowingTaskGroup(of: Void.self) { group in
            for _ in 0..<64 {
                group.addTask {
                    var mine: [Double] = []
                    while ContinuousClock.now < end {
                        let sent = ContinuousClock.now
                        _ = try await client.job("submit-0")
                        mine.append(milliseconds(ContinuousClock.now - sent))
                    }
                    let done = mine
                    latencies.add(done)
                }
            }
            try await group.waitForAll()
        }
        let all = latencies.sorted
        let elapsed = milliseconds(ContinuousClock.now - started) / 1000
        return (Double(all.count) / elapsed, percentile(all, 0.5), percentile(all, 0.99), "64 tasks of this process")
    }

    private static func longPolls(user: LedgerClient, worker: LedgerClient, server: HTTPChildProcess, rounds: Int) async throws
        -> (p50: Double, p99: Double, missed: Int, idleCPU: Double)
    {
        let claimed = AsyncStream<(String, ContinuousClock.Instant)>.makeStream()
        let waiters = Task {
            await withTaskGroup(of: Void.self) { group in
                for _ in 0..<64 {
                    group.addTask {
                        while !Task.isCancelled {
                            guard let job = try? await worker.claim(lease: 60, wait: 25) else { continue }
                            claimed.continuation.yield((job.id, ContinuousClock.now))
                        }
                    }
                }
            }
        }
        defer { waiters.cancel() }
        // Let the 64 claims arrive and wait, then measure the server's CPU
        // over two idle seconds.
        try await Task.sleep(for: .milliseconds(500))
        let cpuBefore = server.cpuSeconds()
        try await Task.sleep(for: .seconds(2))
        let cpuAfter = server.cpuSeconds()
        let arrivals = Arrivals()
        let listener = Task {
            for await (id, at) in claimed.stream { arrivals.record(id, at) }
        }
        defer { listener.cancel() }
        var samples: [Double] = []
        var missed = 0
        for round in 0..<rounds {
            let id = "poll-\(round)"
            let sent = ContinuousClock.now
            _ = try await user.submit(NewJob(id: id, type: "poll"))
            let deadline = sent + .seconds(10)
            while arrivals.time(of: id) == nil && ContinuousClock.now < deadline {
                try await Task.sleep(for: .microseconds(200))
            }
            guard let at = arrivals.time(of: id) else {
                missed += 1
                continue
            }
            samples.append(milliseconds(at - sent))
            // The claim that answered asks again before the next job.
            try await Task.sleep(for: .milliseconds(20))
        }
        samples.sort()
        let idle = (cpuAfter ?? 0) - (cpuBefore ?? 0)
        return (percentile(samples, 0.5), percentile(samples, 0.99), missed, idle / 2 * 1000)
    }

    /// When each job's claim answer reached this process.
    final class Arrivals: Sendable {
        private let times = Mutex<[String: ContinuousClock.Instant]>([:])
        func record(_ id: String, _ at: ContinuousClock.Instant) { times.withLock { $0[id] = at } }
        func time(of id: String) -> ContinuousClock.Instant? { times.withLock { $0[id] } }
    }

    private static func startServer(
        _ path: String, _ binaries: Binaries
    ) async throws -> (process: HTTPChildProcess, url: String) {
        let process = try HTTPChildProcess(binaries.jobledger, ["serve", "--db", path, "--listen", "127.0.0.1:0", "--log-level", "error"])
        let line = try await process.line(startingWith: "listening on ")
        return (process, String(line.dropFirst("listening on ".count)))
    }

    static func milliseconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) * 1000 + Double(duration.components.attoseconds) / 1e15
    }

    static func percentile(_ sorted: [Double], _ p: Double) -> Double {
        guard !sorted.isEmpty else { return 0 }
        return sorted[min(sorted.count - 1, max(0, Int((Double(sorted.count) * p).rounded(.up)) - 1))]
    }

    /// The number after `label` in wrk's output.
    static func wrkValue(_ output: String, _ label: String) -> Double? {
        guard let line = output.split(separator: "\n").first(where: { $0.contains(label) }) else { return nil }
        return line.split(separator: " ").last.flatMap { Double($0) }
    }

    /// A latency percentile line of wrk's `--latency` output, in ms.
    static func wrkLatency(_ output: String, _ label: String) -> Double? {
        guard let line = output.split(separator: "\n").first(where: { $0.trimmingCharacters(in: .whitespaces).hasPrefix(label) }),
              let text = line.split(separator: " ").last else { return nil }
        for (suffix, scale) in [("us", 0.001), ("ms", 1.0), ("s", 1000.0)] where text.hasSuffix(suffix) {
            return Double(text.dropLast(suffix.count)).map { $0 * scale }
        }
        return nil
    }
}

/// Latencies in milliseconds, added by many tasks.
final class LatencySamples: Sendable {
    private let values = Mutex<[Double]>([])

    func add(_ more: [Double]) { values.withLock { $0 += more } }

    var sorted: [Double] { values.withLock { $0 }.sorted() }
}
