import Foundation
import JobLedger
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// The dashboard against a release `jobledger serve` over a ledger of many
/// pending jobs (built without fsync; the server then runs durable):
///
/// - the jobs page's first page, `/jobs` as the system, against the API's
///   `GET /v1/jobs?limit=50` of the same jobs (the baseline), alternating
///   on kept-alive connections, round trip with the body read whole;
/// - the overview, `/overview` as the system;
/// - a live page's stream (`/live`, as the system, every job) while
///   32 writers submit jobs through the API at a fixed rate of events (two
///   per submit: the job's first event and its audit entry): the rate they
///   reached, the events the stream delivered against those appended, how
///   long after the writers stopped it delivered the last one, and the
///   server's heap (anonymous resident memory) during the run.
enum DashboardWorkload {
    struct Counts: Sendable {
        var jobs: Int
        var pageRequests: Int
        var overviewRequests: Int
        var liveSeconds: Int
        var eventsPerSecond: Int

        static func make(quick: Bool, jobs: Int?, liveSeconds: Int?) -> Counts {
            Counts(
                jobs: jobs ?? (quick ? 20_000 : 1_000_000), pageRequests: quick ? 15 : 40,
                overviewRequests: quick ? 5 : 15, liveSeconds: liveSeconds ?? (quick ? 3 : 15), eventsPerSecond: 2_000)
        }
    }

    static func run(
        counts: Counts, scratch: ScratchDirectory, executables: ReleaseExecutables, builders: Int
    ) async throws -> (figures: [Figure], note: String) {
        let jobledger = try executables.url(of: "jobledger")
        try executables.requireBeside(jobledger, "jobledger-server")
        let path = scratch.directory(for: "dashboard")
        Progress.note("dashboard: building a ledger of \(counts.jobs) pending jobs (no fsync)")
        let (buildSeconds, token) = try await DedicatedThread.run("jobledger-bench.dashboard-fill") { () throws -> (Double, String) in
            let (seconds, _) = try LedgerBuilder.buildList(at: path, jobs: counts.jobs, threads: builders)
            let ledger = try JobLedger(path: path)
            // Some finished jobs, so the overview's chart and counts have something to show.
            let worker = "bench-dashboard-worker"
            for index in 0..<min(2_000, counts.jobs / 10) {
                guard let claimed = try ledger.claim(worker: worker, types: ["type-\(index % 10)"], lease: 60) else { break }
                if index % 5 == 0 {
                    _ = try ledger.fail(claimed.id, worker: worker, attempt: claimed.attempt, error: "bench failure", retryable: false)
                } else {
                    _ = try ledger.complete(claimed.id, worker: worker, attempt: claimed.attempt, result: #"{"ok":true}"#)
                }
            }
            let token = try ledger.issueToken(for: Actor(id: "bench-system", role: .system, organisation: "org-0")).text
            return (seconds, token)
        }
        let server = try HTTPChildProcess(jobledger, ["serve", "--db", path, "--listen", "127.0.0.1:0", "--log-level", "error"])
        defer { Task { await server.stop() } }
        let url = String(try await server.line(startingWith: "listening on ").dropFirst("listening on ".count))
        let pid = server.pid

        let measured = try await DedicatedThread.run("jobledger-bench.dashboard") { () throws -> Measured in
            try measure(url: url, token: token, counts: counts, serverPID: pid)
        }
        await server.stop()

        let figures = [
            Figure(
                id: "dashboard-api-list", workload: "GET /v1/jobs?limit=50 as the system, round trip, median (baseline)",
                value: measured.apiMedian, unit: "ms"),
            Figure(
                id: "dashboard-jobs-page",
                workload: "dashboard /jobs first page (50 rows) as the system, round trip, median",
                value: measured.jobsMedian, unit: "ms", baselineID: "dashboard-api-list",
                target: Target(subject: .value, comparison: .below, threshold: 50)),
            Figure(
                id: "dashboard-overview", workload: "dashboard /overview as the system, round trip, median",
                value: measured.overviewMedian, unit: "ms", baselineID: "dashboard-api-list"),
            Figure(
                id: "dashboard-live-delivered",
                workload: "live stream: events delivered of those appended at \(counts.eventsPerSecond) events/s (submits over HTTP)",
                value: measured.deliveredShare * 100, unit: "%",
                target: Target(subject: .value, comparison: .atLeast, threshold: 100)),
            Figure(
                id: "dashboard-live-rate",
                workload: "live stream: events appended per second by the writers (the load the page had to follow)",
                value: Double(measured.appended) / max(measured.writeSeconds, 1e-9), unit: "events/s",
                target: Target(subject: .value, comparison: .atLeast, threshold: Double(counts.eventsPerSecond) * 0.95)),
            Figure(
                id: "dashboard-live-drain", workload: "live stream: last event delivered after the writers stopped",
                value: measured.drainMilliseconds, unit: "ms"),
            Figure(
                id: "dashboard-live-heap-growth",
                workload: "server heap (anonymous resident memory), end of the live run minus its first second",
                value: measured.anonGrowthMB, unit: "MB"),
        ]
        let note = String(
            format: "dashboard: %d jobs built in %.1f s; /jobs p90 %.1f ms, /v1/jobs p90 %.1f ms, /overview p90 %.1f ms; "
                + "live: %d submits in %.1f s, %d events appended (%.0f/s), %d delivered; server heap %.1f MB to %.1f MB (peak %.1f MB), "
                + "resident with the ledger's mapped pages %.0f MB to %.0f MB",
            counts.jobs, buildSeconds, measured.jobsP90, measured.apiP90, measured.overviewP90, measured.submits,
            measured.writeSeconds, measured.appended, Double(measured.appended) / max(measured.writeSeconds, 1e-9),
            measured.delivered, measured.anonFirstMB, measured.anonLastMB, measured.anonPeakMB,
            measured.rssFirstMB, measured.rssLastMB)
            + "; heap at the end of each quarter of the live run: \(measured.anonQuarters) MB"
        return (figures, note)
    }

    struct Measured {
        var jobsMedian = 0.0, jobsP90 = 0.0
        var apiMedian = 0.0, apiP90 = 0.0
        var overviewMedian = 0.0, overviewP90 = 0.0
        var submits = 0
        var writeSeconds = 0.0
        var appended = 0
        var delivered = 0
        var deliveredShare = 0.0
        var drainMilliseconds = 0.0
        var rssFirstMB = 0.0, rssLastMB = 0.0
        var anonFirstMB = 0.0, anonLastMB = 0.0, anonPeakMB = 0.0
        var anonGrowthMB: Double { anonLastMB - anonFirstMB }
        /// The heap at the end of each quarter of the run, to tell a plateau from a growth.
        var anonQuarters = ""

    }

    private static func measure(url: String, token: String, counts: Counts, serverPID: Int32) throws -> Measured {
        var result = Measured()
        let cookie = try signIn(url: url, token: token)
        let bearer = ("Authorization", "Bearer \(token)")
        let page = try PlainHTTPConnection(url: url)
        let api = try PlainHTTPConnection(url: url)

        Progress.note("dashboard: /jobs and /v1/jobs, \(counts.pageRequests) each, alternating")
        var jobs: [Double] = [], list: [Double] = []
        for round in 0..<(counts.pageRequests + 3) {
            let pageTime = try timed(page, "/jobs", [("Cookie", cookie)], expect: "<table")
            let listTime = try timed(api, "/v1/jobs?limit=50", [bearer], expect: "\"jobs\"")
            if round >= 3 {
                jobs.append(pageTime)
                list.append(listTime)
            }
        }
        (result.jobsMedian, result.jobsP90) = medianAndP90(jobs)
        (result.apiMedian, result.apiP90) = medianAndP90(list)

        Progress.note("dashboard: /overview, \(counts.overviewRequests) times")
        var overview: [Double] = []
        for round in 0..<(counts.overviewRequests + 1) {
            let time = try timed(page, "/overview", [("Cookie", cookie)], expect: "Jobs by state")
            if round >= 1 { overview.append(time) }
        }
        (result.overviewMedian, result.overviewP90) = medianAndP90(overview)

        Progress.note("dashboard: a live stream while writers append \(counts.eventsPerSecond) events/s for \(counts.liveSeconds) s")
        let start = try lastPosition(api, bearer)
        let received = Atomic<UInt64>(0)
        let deliveredCount = Atomic<Int>(0)
        // The connection moves to the reader thread below; this thread only
        // calls `shutDown()` on it, which reads the descriptor (a constant)
        // and never the connection's buffer.
        nonisolated(unsafe) let live = try PlainHTTPConnection(url: url)
        let streamDone = DispatchSemaphore(value: 0)
        let streamError = Mutex<String?>(nil)
        let reader = Thread {
            defer { streamDone.signal() }
            var pending: [UInt8] = []
            do {
                let status = try live.stream("/live?view=jobs&after=\(start)", headers: [("Cookie", cookie)]) { chunk in
                    pending += chunk
                    while let end = pending.firstIndex(of: 0x0A) {
                        let line = pending[0..<end]
                        if line.starts(with: Array("id: ".utf8)), let id = UInt64(String(decoding: line.dropFirst(4), as: UTF8.self)) {
                            received.store(id, ordering: .relaxed)
                            deliveredCount.wrappingAdd(1, ordering: .relaxed)
                        }
                        pending.removeSubrange(0...end)
                    }
                    return true
                }
                if status != 200 { streamError.withLock { $0 = "the live stream answered \(status)" } }
            } catch {
                // Ended by shutDown() below once the last event arrived, or by the server.
            }
        }
        reader.start()

        // Each submit appends two events (the job's first and its audit entry).
        // Enough writers that the rate holds while each waits out a durable
        // commit (8 fell to about 800 events/s on a disk of 4 ms flushes).
        let writers = 32
        let perWriter = Double(counts.eventsPerSecond) / 2 / Double(writers)
        let submitted = SharedCounter()
        let memory = Mutex<[(resident: Double, heap: Double)]>([])
        let sampling = Atomic<Bool>(true)
        let sampler = Thread {
            while sampling.load(ordering: .relaxed) {
                if let rss = memoryMB(serverPID, "VmRSS:"), let heap = memoryMB(serverPID, "RssAnon:") {
                    memory.withLock { $0.append((rss, heap)) }
                }
                usleep(250_000)
            }
        }
        sampler.start()
        result.writeSeconds = try ClientThreads.run(writers, name: "dashboard-writer") { writer in
            let connection = try PlainHTTPConnection(url: url)
            let began = Date()
            var sent = 0
            while true {
                let elapsed = Date().timeIntervalSince(began)
                if elapsed >= Double(counts.liveSeconds) { break }
                let due = Int(elapsed * perWriter)
                if sent >= due {
                    usleep(1_000)
                    continue
                }
                let body = Array(#"{"id":"live-\#(writer)-\#(sent)","type":"type-\#(sent % 10)","payload":{"n":\#(sent)}}"#.utf8)
                let answer = try connection.request(
                    "POST", "/v1/jobs", headers: [bearer, ("Content-Type", "application/json")], body: body)
                guard answer.status == 201 || answer.status == 200 else {
                    throw BenchError.verification("a live submit answered \(answer.status): \(answer.text.prefix(200))")
                }
                sent += 1
                submitted.add(1)
            }
        }
        result.submits = submitted.total
        let stopped = Date()
        // A connection of its own: the server closes one left idle (75 s) during a long live run.
        let last = try lastPosition(try PlainHTTPConnection(url: url), bearer)
        while received.load(ordering: .relaxed) < last && Date().timeIntervalSince(stopped) < 30 { usleep(1_000) }
        result.drainMilliseconds = Date().timeIntervalSince(stopped) * 1000
        usleep(300_000)
        sampling.store(false, ordering: .relaxed)
        live.shutDown()
        streamDone.wait()
        if let failure = streamError.withLock({ $0 }) { throw BenchError.verification(failure) }
        result.appended = Int(last - start)
        result.delivered = deliveredCount.load(ordering: .relaxed)
        result.deliveredShare = Double(result.delivered) / Double(max(result.appended, 1))
        let samples = memory.withLock { $0 }
        let first = samples.dropFirst(4).first ?? samples.first
        result.rssFirstMB = first?.resident ?? 0
        result.rssLastMB = samples.last?.resident ?? 0
        result.anonFirstMB = first?.heap ?? 0
        result.anonLastMB = samples.last?.heap ?? 0
        result.anonPeakMB = samples.map(\.heap).max() ?? 0
        result.anonQuarters = (1...4).compactMap { quarter -> String? in
            guard !samples.isEmpty else { return nil }
            let index = min(samples.count - 1, samples.count * quarter / 4 - 1)
            return String(format: "%.1f", samples[max(index, 0)].heap)
        }.joined(separator: ", ")
        return result
    }

    /// Signs in through the dashboard's form, as a browser does; returns the session cookie (`name=value`).
    private static func signIn(url: String, token: String) throws -> String {
        let connection = try PlainHTTPConnection(url: url)
        let form = try connection.request("GET", "/login")
        guard let signInCookie = form.header("Set-Cookie").first?.split(separator: ";").first,
              let nonceStart = form.text.range(of: #"name="nonce" value=""#)
        else { throw BenchError.verification("the sign-in page has no form token") }
        let nonce = form.text[nonceStart.upperBound...].prefix { $0 != "\"" }
        let body = "nonce=\(nonce)&token=\(token)"
        let answer = try connection.request(
            "POST", "/login",
            headers: [("Cookie", String(signInCookie)), ("Content-Type", "application/x-www-form-urlencoded")],
            body: Array(body.utf8))
        guard let session = answer.header("Set-Cookie").first(where: { $0.hasPrefix("jl_session=") })?.split(separator: ";").first
        else { throw BenchError.verification("signing in answered \(answer.status) without a session cookie") }
        return String(session)
    }

    /// One GET, its round trip in ms; throws unless it answered 200 with `expect` in its body.
    private static func timed(
        _ connection: PlainHTTPConnection, _ path: String, _ headers: [(String, String)], expect: String
    ) throws -> Double {
        let watch = Stopwatch()
        let answer = try connection.request("GET", path, headers: headers)
        let milliseconds = watch.elapsedSeconds * 1000
        guard answer.status == 200, answer.text.contains(expect) else {
            throw BenchError.verification("GET \(path) answered \(answer.status): \(answer.text.prefix(300))")
        }
        return milliseconds
    }

    private static func lastPosition(_ connection: PlainHTTPConnection, _ bearer: (String, String)) throws -> UInt64 {
        let answer = try connection.request("GET", "/v1/events?after=0&limit=1", headers: [bearer])
        guard answer.status == 200,
              let object = try JSONSerialization.jsonObject(with: Data(answer.body)) as? [String: Any],
              let last = (object["lastPosition"] as? NSNumber)?.uint64Value
        else { throw BenchError.verification("GET /v1/events answered \(answer.status): \(answer.text.prefix(200))") }
        return last
    }

    private static func medianAndP90(_ samples: [Double]) -> (Double, Double) {
        let sorted = samples.sorted()
        return (HTTPWorkloads.percentile(sorted, 0.5), HTTPWorkloads.percentile(sorted, 0.9))
    }

    /// A memory figure of process `pid` in MB: `VmRSS:` (everything
    /// resident, the ledger's mapped pages included, which grow with the log
    /// by design) or `RssAnon:` (the heap, which must not grow).
    private static func memoryMB(_ pid: Int32, _ field: String) -> Double? {
        guard let text = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8) else { return nil }
        for line in text.split(separator: "\n") where line.hasPrefix(field) {
            return Double(line.dropFirst(field.count).filter(\.isNumber)).map { $0 / 1024 }
        }
        return nil
    }
}
