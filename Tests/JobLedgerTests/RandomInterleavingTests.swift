import EventStore
import Foundation
import JobLedger
import JobLedgerTestSupport
import Synchronization
import Testing

/// Eight real threads send random commands to one ledger at once; afterwards
/// every job's history must be a valid path of the job state machine, the
/// stored state must be the fold of that history, every job event must be
/// audited, and every change a caller was told about must be in the log
/// exactly once.
///
/// Each thread's commands come from a generator seeded by the test's seed
/// and the thread's number, so a seed always issues the same commands per
/// thread; only the interleaving of the threads differs from run to run.
/// Set `JOBLEDGER_INTERLEAVING_SEEDS=5,9` to run chosen seeds only.
@Suite(.serialized) struct RandomInterleavingTests {
    @Test(arguments: interleavingSeeds)
    func randomCommandsFromEightThreadsLeaveValidHistories(seed: UInt64) throws {
        let started = ContinuousClock.now
        let scenario = InterleavingScenario(seed: seed)
        let temporary = TemporaryJobLedger()
        let clock = TestClock()
        let ledger = try temporary.open(clock: clock) { $0.retryPolicy = InterleavingScenario.retryPolicy }

        // Some jobs exist before the threads start; the threads submit the rest (and resubmit all).
        var setup = ThreadReport(thread: -1)
        var setupRandom = SplitMix64(seed: seed ^ 0x5E70_5E70)
        for spec in scenario.jobs where Bool.random(using: &setupRandom) {
            let result = try ledger.submit(spec.submission, by: spec.owner)
            if result.created { setup.created[spec.id, default: 0] += 1 }
        }

        let reports = runThreads(scenario: scenario, ledger: ledger, clock: clock)
        for problem in ([setup] + reports).flatMap(\.problems).prefix(20) {
            Issue.record("seed \(seed): \(problem)")
        }

        // Settle: every job exists, every lease is long over, and every
        // pending job must then be claimable exactly once.
        var final = ThreadReport(thread: 8)
        for spec in scenario.jobs {
            let result = try ledger.submit(spec.submission, by: spec.owner)
            if result.created { final.created[spec.id, default: 0] += 1 }
        }
        clock.advance(100_000)
        for id in try ledger.expireLeases() { final.observe(id, "LeaseExpired", "-") }
        clock.advance(100)  // past the backoff of the jobs whose lease just expired
        var pendingBeforeDrain: Set<String> = []
        for spec in scenario.jobs {
            let job = try #require(try ledger.job(spec.id))
            #expect(
                job.state != .running && job.state != .cancelRequested,
                "seed \(seed): \(spec.id) is still \(job.state) after expiring every lease")
            if job.state == .pending { pendingBeforeDrain.insert(spec.id) }
        }
        var drained: [String] = []
        while drained.count <= scenario.jobs.count, let job = try ledger.claim(worker: "drain", lease: 60) {
            drained.append(job.id)
            final.observe(job.id, "JobClaimed", "drain#\(job.attempt)")
        }
        #expect(
            drained.sorted() == pendingBeforeDrain.sorted(),
            "seed \(seed): claimable jobs \(drained.sorted()) differ from pending jobs \(pendingBeforeDrain.sorted())")

        let all = [setup] + reports + [final]

        // Every job's history, its stored state and its audit trail.
        var issues: [(job: String, text: String)] = []
        var historyKeys: [String: Int] = [:]
        var eventCount = 0
        var typeCounts: [String: Int] = [:]
        var requests: [UUID: [(job: String, position: UInt64)]] = [:]
        for spec in scenario.jobs {
            let check = try JobHistoryCheck(
                jobID: spec.id, submission: spec.submission.submitted(by: spec.owner), ledger: ledger,
                policy: InterleavingScenario.retryPolicy, requesters: requesters)
            issues += check.problems.map { (spec.id, $0) }
            historyKeys.merge(check.keys, uniquingKeysWith: +)
            eventCount += check.events.count
            typeCounts.merge(check.typeCounts, uniquingKeysWith: +)
            for (request, found) in check.positions { requests[request, default: []] += found.map { (spec.id, $0) } }

            let created = all.reduce(0) { $0 + $1.created[spec.id, default: 0] }
            if created != 1 {
                issues.append((spec.id, "callers were told \(created) times that the job was created"))
            }
            let requested = all.reduce(0) { $0 + $1.cancelRequests[spec.id, default: 0] }
            if check.cancelRequestEvents > requested {
                issues.append((spec.id,
                    "\(check.cancelRequestEvents) CancelRequested events but only \(requested) cancel calls answered cancel_requested"))
            }
        }

        // A request's job events and audit entries (one job, or every job of a
        // batch kill) were written by one atomic append: adjacent in the log.
        issues += JobHistoryCheck.scatteredRequests(requests)

        // Every change a caller was told about is in the log exactly once, and nothing else is.
        let observed = all.reduce(into: [String: Int]()) { $0.merge($1.observed, uniquingKeysWith: +) }
        for key in Set(observed.keys).union(historyKeys.keys).sorted() {
            let told = observed[key, default: 0]
            let logged = historyKeys[key, default: 0]
            if told != logged {
                let job = String(key.prefix(while: { $0 != " " }))
                issues.append((job, "'\(key)': callers were told \(told) times, the log holds it \(logged) times"))
            }
        }

        for issue in issues.prefix(20) {
            let trace = InterleavingTrace.lines(touching: issue.job, in: all, limit: 60)
            Issue.record("seed \(seed), job \(issue.job): \(issue.text)\ncommands touching \(issue.job), in the order they returned:\n\(trace)")
        }

        // Histories that racing commands wrote are ones an import restores.
        var export = ""
        try ledger.store.exportEvents(to: &export)
        let restored = TemporaryJobLedger()
        let restoredLedger = try restored.open { $0.retryPolicy = InterleavingScenario.retryPolicy }
        let restore = Result { () throws(ImportError) in try restoredLedger.importEvents(jsonLines: Data(export.utf8)) }
        if case .failure(let error) = restore { Issue.record("seed \(seed): the ledger's export does not import: \(error)") }

        let commands = all.reduce(0) { $0 + $1.commands }
        let elapsed = (ContinuousClock.now - started).components
        let milliseconds = elapsed.seconds * 1000 + elapsed.attoseconds / 1_000_000_000_000_000
        let types = typeCounts.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " ")
        print("random interleaving seed \(seed): \(commands) commands, \(eventCount) job events, \(milliseconds) ms; \(types)")
    }

    /// Starts eight threads behind a gate, lets them go at once, waits for all.
    private func runThreads(scenario: InterleavingScenario, ledger: JobLedger, clock: TestClock) -> [ThreadReport] {
        let count = InterleavingScenario.threads
        let ready = DispatchSemaphore(value: 0)
        let go = DispatchSemaphore(value: 0)
        let finished = DispatchSemaphore(value: 0)
        let results = ReportBox()
        let stamps = StampCounter()
        for index in 0..<count {
            let thread = Thread {
                defer { finished.signal() }
                var run = InterleavingThread(index: index, scenario: scenario, ledger: ledger, clock: clock, stamps: stamps)
                ready.signal()
                go.wait()
                run.run(steps: InterleavingScenario.stepsPerThread)
                let report = run.report
                results.put(report, at: index)
            }
            thread.name = "interleaving-w\(index)"
            thread.start()
        }
        for _ in 0..<count { ready.wait() }
        for _ in 0..<count { go.signal() }
        for _ in 0..<count { finished.wait() }
        return results.all(count: count)
    }
}

// MARK: - Scenario

private let interleavingSeeds: [UInt64] = {
    if let text = ProcessInfo.processInfo.environment["JOBLEDGER_INTERLEAVING_SEEDS"] {
        let chosen = text.split(separator: ",").compactMap { UInt64($0.trimmingCharacters(in: .whitespaces)) }
        if !chosen.isEmpty { return chosen }
    }
    return Array(1...12)
}()

/// A user of another organisation, so that admins meet jobs they may not touch.
private let gina = Actor(id: "gina", role: .user, organisation: "globex")

/// Everyone who issues cancel, kill and retry in this test, including two
/// of another organisation who share the ids of acme's users: ids are only
/// unique within an organisation.
private let requesters: [Actor] = [
    alice, bob, gina, acmeAdmin, otherAdmin, .worker("w9"), .system,
    Actor(id: "alice", role: .admin, organisation: "globex"), Actor(id: "bob", role: .user, organisation: "globex"),
]

private struct JobSpec: Sendable {
    let id: String
    let owner: Actor
    let submission: JobSubmission
}

/// The jobs of one seed: 20 jobs, 15 of them in three batches that mix
/// owners of two organisations.
private struct InterleavingScenario: Sendable {
    static let threads = 8
    static let stepsPerThread = 60
    static let batches = ["b1", "b2", "b3"]
    static let retryPolicy = RetryPolicy(baseDelay: 0.25, maxDelay: 4)

    let seed: UInt64
    let jobs: [JobSpec]

    init(seed: UInt64) {
        self.seed = seed
        var random = SplitMix64(seed: seed)
        jobs = (0..<20).map { index in
            let owner = index % 5 == 4 ? gina : (index % 2 == 0 ? alice : bob)
            let batch: String? = switch index {
            case 0..<6: "b1"
            case 6..<12: "b2"
            case 12..<15: "b3"
            default: nil
            }
            let id = String(format: "j%02d", index)
            return JobSpec(id: id, owner: owner, submission: JobSubmission(
                id: id, type: Bool.random(using: &random) ? "t0" : "t1", payload: #"{"n":\#(index)}"#,
                priority: Int.random(in: 0...3, using: &random), maxAttempts: Int.random(in: 1...3, using: &random),
                batch: batch))
        }
    }

    func spec(_ id: String) -> JobSpec? { jobs.first { $0.id == id } }
}

/// Collects the threads' reports.
private final class ReportBox: Sendable {
    private let reports = Mutex<[Int: ThreadReport]>([:])
    func put(_ report: ThreadReport, at index: Int) { reports.withLock { $0[index] = report } }
    func all(count: Int) -> [ThreadReport] { reports.withLock { reports in (0..<count).compactMap { reports[$0] } } }
}

/// Numbers the commands of all threads in the order they were issued.
private final class StampCounter: Sendable {
    private let value = Atomic<Int>(0)
    func next() -> Int { value.add(1, ordering: .relaxed).newValue }
}

// MARK: - What the threads saw

private struct LogLine: Sendable {
    let stamp: Int
    /// The test clock when the command ended, in seconds since the start.
    let time: String
    let text: String
    let jobs: [String]
}

/// What one thread did and was told.
private struct ThreadReport: Sendable {
    let thread: Int
    var log: [LogLine] = []
    /// Changes callers were told happened: "job Type detail" -> count.
    var observed: [String: Int] = [:]
    /// `cancel_requested` answers per job: an upper bound on CancelRequested events.
    var cancelRequests: [String: Int] = [:]
    /// `created == true` answers per job.
    var created: [String: Int] = [:]
    /// Answers that contradict the rules, seen while running.
    var problems: [String] = []
    var commands = 0

    init(thread: Int) { self.thread = thread }

    mutating func observe(_ job: String, _ type: String, _ detail: String) {
        observed["\(job) \(type) \(detail)", default: 0] += 1
    }
}

private enum InterleavingTrace {
    static func lines(touching job: String, in reports: [ThreadReport], limit: Int) -> String {
        let lines = reports.flatMap { report in
            report.log.filter { $0.jobs.contains(job) }.map { (report.thread, $0) }
        }.sorted { $0.1.stamp < $1.1.stamp }
        return lines.prefix(limit).map { "  #\($0.1.stamp) t+\($0.1.time)s w\($0.0): \($0.1.text)" }.joined(separator: "\n")
    }
}

// MARK: - One thread

private struct Lease: Equatable {
    let job: String
    let attempt: Int
}

private enum WorkerAction: CaseIterable { case renew, complete, fail, acknowledge }

private struct InterleavingThread {
    let index: Int
    let worker: String
    let scenario: InterleavingScenario
    let ledger: JobLedger
    let clock: TestClock
    let stamps: StampCounter
    /// The test clock when the thread was made, before anyone moved it.
    let origin: Date
    var random: SplitMix64
    var report: ThreadReport
    var held: [Lease] = []
    var stale: [Lease] = []
    var versions: [String: UInt64] = [:]

    init(index: Int, scenario: InterleavingScenario, ledger: JobLedger, clock: TestClock, stamps: StampCounter) {
        self.index = index
        self.worker = "w\(index)"
        self.scenario = scenario
        self.ledger = ledger
        self.clock = clock
        self.stamps = stamps
        self.origin = clock.current
        self.random = SplitMix64(seed: scenario.seed &* 0x0000_0100_0000_01B3 &+ UInt64(index + 1) &* 0x9E37_79B9)
        self.report = ThreadReport(thread: index)
    }

    mutating func run(steps: Int) {
        for _ in 0..<steps { step() }
    }

    private mutating func step() {
        report.commands += 1
        let roll = Int.random(in: 0..<100, using: &random)
        switch roll {
        case 0..<8: submit()
        case 8..<22: claim()
        case 22..<30: withHeld(.renew)
        case 30..<40: withHeld(.complete)
        case 40..<48: withHeld(.fail)
        case 48..<53: withHeld(.acknowledge)
        case 53..<58: staleWorkerCommand()
        case 58..<66: stop(.cancel)
        case 66..<72: stop(.kill)
        case 72..<80: stop(.retry)
        case 80..<82: killBatch()
        case 82..<86: expireLeases()
        case 86..<92:
            let seconds = Double(Int.random(in: 200...6000, using: &random)) / 1000
            clock.advance(seconds)
            log("advance clock \(seconds)s", [])
            if Bool.random(using: &random) { expireLeases() }
        case 92..<97: read()
        default:
            usleep(UInt32.random(in: 50...500, using: &random))
            report.commands -= 1
        }
    }

    // MARK: Commands

    private mutating func submit() {
        let spec = scenario.jobs.randomElement(using: &random)!
        do {
            let result = try ledger.submit(spec.submission, by: spec.owner)
            if result.created { report.created[spec.id, default: 0] += 1 }
            if result.job.id != spec.id || result.job.type != spec.submission.type || result.job.owner != spec.owner.id {
                problem("submit \(spec.id) answered another job: \(result.job)")
            }
            note(result.job)
            log("submit \(spec.id) -> \(result.created ? "created" : "existing")", [spec.id])
        } catch {
            unexpected(error, "submit \(spec.id)", [spec.id])
        }
    }

    private mutating func claim() {
        let types: Set<String>? = switch Int.random(in: 0..<6, using: &random) {
        case 0: ["t0"]
        case 1: ["t1"]
        default: nil
        }
        let lease = leaseSeconds()
        do {
            guard let job = try ledger.claim(worker: worker, types: types, lease: lease) else {
                log("claim \(types.map { $0.sorted().joined() } ?? "any") -> none", [])
                return
            }
            if job.state != .running || job.worker != worker || job.attempt < 1 || !(types?.contains(job.type) ?? true) {
                problem("claim by \(worker) for \(String(describing: types)) answered \(job)")
            }
            note(job)
            report.observe(job.id, "JobClaimed", "\(worker)#\(job.attempt)")
            held.append(Lease(job: job.id, attempt: job.attempt))
            log("claim -> \(job.id)#\(job.attempt) lease \(lease)s", [job.id])
        } catch {
            unexpected(error, "claim by \(worker)", [])
        }
    }

    private mutating func withHeld(_ action: WorkerAction) {
        guard !held.isEmpty else { return claim() }
        let position = Int.random(in: 0..<held.count, using: &random)
        let lease = held[position]
        if !workerCommand(action, lease, as: worker) {
            held.remove(at: position)
            stale.append(lease)
        }
    }

    /// A worker command for an attempt the thread no longer holds, the
    /// attempt before one it holds, one it makes up, or one under another
    /// worker's name.
    private mutating func staleWorkerCommand() {
        let action = WorkerAction.allCases.randomElement(using: &random)!
        if let current = held.randomElement(using: &random), current.attempt > 1, Bool.random(using: &random) {
            let earlier = Lease(job: current.job, attempt: current.attempt - 1)
            if workerCommand(action, earlier, as: worker) {
                problem("\(worker) \(action) \(earlier.job)#\(earlier.attempt) was accepted while it holds attempt \(current.attempt)")
            }
            return
        }
        if !stale.isEmpty && Int.random(in: 0..<3, using: &random) > 0 {
            let lease = stale.randomElement(using: &random)!
            if workerCommand(action, lease, as: worker), !held.contains(lease) { held.append(lease) }
            return
        }
        let job = scenario.jobs.randomElement(using: &random)!.id
        let lease = Lease(job: job, attempt: Int.random(in: 1...4, using: &random))
        let name = Bool.random(using: &random) ? worker : "w\(Int.random(in: 0..<InterleavingScenario.threads, using: &random))"
        if workerCommand(action, lease, as: name), name == worker, !held.contains(lease) { held.append(lease) }
    }

    /// Runs a worker command; answers whether `name` still holds the lease.
    private mutating func workerCommand(_ action: WorkerAction, _ lease: Lease, as name: String) -> Bool {
        let id = lease.job
        let attempt = lease.attempt
        let label = "\(name) \(action) \(id)#\(attempt)"
        do {
            switch action {
            case .renew:
                let seconds = leaseSeconds()
                let renewed = try ledger.renewLease(id, worker: name, attempt: attempt, lease: seconds)
                let job = renewed.job
                if job.worker != name || job.attempt != attempt || !(job.state == .running || job.state == .cancelRequested)
                    || renewed.cancelRequested != (job.state == .cancelRequested) {
                    problem("\(label) answered \(renewed)")
                }
                note(job)
                report.observe(id, "LeaseRenewed", "\(name)#\(attempt)")
                log("\(label) -> \(job.state.rawValue)", [id])
                return true
            case .complete:
                let job = try ledger.complete(
                    id, worker: name, attempt: attempt, result: Bool.random(using: &random) ? #"{"ok":true}"# : nil)
                if job.state != .completed { problem("\(label) answered \(job)") }
                note(job)
                report.observe(id, "JobCompleted", "\(name)#\(attempt)")
                log("\(label) -> completed", [id])
            case .fail:
                let retryable = Int.random(in: 0..<4, using: &random) > 0
                let job = try ledger.fail(id, worker: name, attempt: attempt, error: "boom \(attempt)", retryable: retryable)
                switch job.state {
                case .pending where retryable: report.observe(id, "AttemptFailed", "\(name)#\(attempt)")
                case .failed: report.observe(id, "JobFailed", "\(name)#\(attempt)")
                case .cancelled where retryable: report.observe(id, "JobCancelled", name)  // a cancel was requested
                default: problem("\(label) (retryable \(retryable)) answered \(job)")
                }
                note(job)
                log("\(label) retryable \(retryable) -> \(job.state.rawValue)", [id])
            case .acknowledge:
                let job = try ledger.acknowledgeCancel(id, worker: name, attempt: attempt)
                if job.state != .cancelled { problem("\(label) answered \(job)") }
                note(job)
                report.observe(id, "JobCancelled", name)
                log("\(label) -> cancelled", [id])
            }
            return false
        } catch {
            log("\(label) -> \(error)", [id])
            switch error.code {
            case .invalidTransition: return error.state == .running
            case .notLeaseHolder, .notFound: return false
            default:
                unexpected(error, label, [id])
                return false
            }
        }
    }

    private mutating func stop(_ kind: StopKind) {
        // Often a job this thread runs, so that cancel requests meet live workers.
        let ownJob = kind != .retry && !held.isEmpty && Bool.random(using: &random)
            ? scenario.spec(held.randomElement(using: &random)!.job) : nil
        let spec = ownJob ?? scenario.jobs.randomElement(using: &random)!
        let actor = requesters.randomElement(using: &random)!
        let label = "\(kind.rawValue) \(spec.id) by \(actor.id)"
        let result: ActionResult
        do {
            switch kind {
            case .cancel: result = try ledger.cancel(spec.id, by: actor, reason: "cancel by \(actor.id)")
            case .kill: result = try ledger.kill(spec.id, by: actor, reason: "kill by \(actor.id)")
            case .retry: result = try ledger.retry(spec.id, by: actor)
            }
        } catch {
            return unexpected(error, label, [spec.id])
        }
        log("\(label) -> \(result.outcome.rawValue)", [spec.id])
        if let job = result.job { note(job) }
        let permitted = JobLifecycleRules.permits(actor, kind, jobOwner: spec.owner)
        switch result.outcome {
        case .notFound:
            if result.job != nil { problem("\(label) answered not_found with a job") }
            return
        case .forbidden:
            if permitted { problem("\(label) was forbidden, but the actor may do it") }
            return
        default:
            if !permitted { problem("\(label) answered \(result.outcome.rawValue), but the actor may not do it") }
        }
        let state = result.job?.state
        switch (kind, result.outcome) {
        case (.cancel, .cancelled) where state == .cancelled:
            report.observe(spec.id, "JobCancelled", actor.id)
        case (.cancel, .cancelRequested) where state == .cancelRequested:
            report.cancelRequests[spec.id, default: 0] += 1
        case (.kill, .killed) where state == .killed:
            report.observe(spec.id, "JobKilled", actor.id)
        case (.retry, .retried) where state == .pending:
            report.observe(spec.id, "JobRetried", actor.id)
        case (.retry, .notAllowed) where Self.notRetryable(state):
            break
        case (.cancel, .alreadyCompleted), (.cancel, .alreadyFailed), (.cancel, .alreadyCancelled), (.cancel, .alreadyKilled),
             (.kill, .alreadyCompleted), (.kill, .alreadyFailed), (.kill, .alreadyCancelled), (.kill, .alreadyKilled):
            if !(state?.isTerminal ?? false) { problem("\(label) answered \(result.outcome.rawValue) for \(String(describing: state))") }
        default:
            problem("\(label) answered \(result.outcome.rawValue) with the job \(String(describing: state))")
        }
    }

    private mutating func killBatch() {
        let batch = (InterleavingScenario.batches + ["b9"]).randomElement(using: &random)!
        let actor = requesters.randomElement(using: &random)!
        let members = scenario.jobs.filter { $0.submission.batch == batch }
        let label = "killBatch \(batch) by \(actor.id)"
        do {
            let results = try ledger.killBatch(batch, by: actor, reason: "batch kill by \(actor.id)")
            log("\(label) -> " + results.map { "\($0.jobID):\($0.outcome.rawValue)" }.joined(separator: " "), members.map(\.id))
            if Set(results.map(\.jobID)).count != results.count { problem("\(label) answered a job twice: \(results)") }
            for result in results {
                guard let spec = members.first(where: { $0.id == result.jobID }) else {
                    problem("\(label) answered \(result.jobID), which is not in the batch")
                    continue
                }
                let permitted = JobLifecycleRules.permits(actor, .kill, jobOwner: spec.owner)
                switch result.outcome {
                case .killed:
                    if !permitted { problem("\(label) killed \(spec.id), but the actor may not") }
                    report.observe(spec.id, "JobKilled", actor.id)
                case .forbidden:
                    if permitted { problem("\(label) was forbidden for \(spec.id), but the actor may kill it") }
                case .alreadyCompleted, .alreadyFailed, .alreadyCancelled, .alreadyKilled:
                    if !permitted { problem("\(label) answered \(result.outcome.rawValue) for \(spec.id) to an actor who may not kill it") }
                default:
                    problem("\(label) answered \(result.outcome.rawValue) for \(spec.id)")
                }
            }
        } catch {
            unexpected(error, label, members.map(\.id))
        }
    }

    private mutating func expireLeases() {
        do {
            let ids = try ledger.expireLeases()
            if Set(ids).count != ids.count { problem("expireLeases answered a job twice: \(ids)") }
            for id in ids { report.observe(id, "LeaseExpired", "-") }
            log("expireLeases -> \(ids)", ids)
        } catch {
            unexpected(error, "expireLeases", [])
        }
    }

    private mutating func read() {
        let id = scenario.jobs.randomElement(using: &random)!.id
        do {
            let job = try ledger.job(id)
            if let job { note(job) }
            log("read \(id) -> \(job.map { "\($0.state.rawValue) v\($0.version)" } ?? "none")", [id])
        } catch {
            unexpected(error, "read \(id)", [id])
        }
    }

    // MARK: Helpers

    private static func notRetryable(_ state: JobState?) -> Bool {
        guard let state else { return false }
        return !state.isTerminal || state == .completed
    }

    private mutating func leaseSeconds() -> TimeInterval {
        Double(Int.random(in: 2000...15000, using: &random)) / 1000
    }

    /// One thread's reads of a job never go back in time.
    private mutating func note(_ job: Job) {
        if let seen = versions[job.id], job.version < seen {
            problem("\(worker) saw \(job.id) at version \(job.version) after version \(seen)")
        }
        versions[job.id] = max(versions[job.id] ?? 0, job.version)
    }

    private mutating func log(_ text: String, _ jobs: [String]) {
        let time = String(format: "%.3f", clock.current.timeIntervalSince(origin))
        report.log.append(LogLine(stamp: stamps.next(), time: time, text: text, jobs: jobs))
    }

    private mutating func problem(_ text: String) {
        report.problems.append("\(worker): \(text)")
    }

    /// Refusals a command may answer with are fine; a store failure or
    /// running out of conflict retries is not.
    private mutating func unexpected(_ error: JobLedgerError, _ label: String, _ jobs: [String]) {
        log("\(label) -> \(error)", jobs)
        switch error.code {
        case .invalidTransition, .notLeaseHolder, .forbidden, .notFound: return
        default: problem("\(label) failed: \(error)")
        }
    }
}
