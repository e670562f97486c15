import EventStore
import Foundation
import LedgerWire

extension JobLedger {
    /// Computes the report for jobs submitted in `[from, to)` (either end
    /// open when `nil`) in one pass over the job events of the log, plus the
    /// lease index for stuck jobs. Throughput counts events in the window.
    public func report(from: Date? = nil, to: Date? = nil, topFailures: Int = 10) throws(JobLedgerError) -> JobReport {
        if let from { try LedgerInstant.check(from, field: "from") }
        if let to { try LedgerInstant.check(to, field: "to") }
        guard topFailures >= 0 else { throw .invalidInput(field: "topFailures", reason: "must not be negative, got \(topFailures)") }
        var builder = ReportBuilder(from: from, to: to)
        do {
            try store.forEachEvent(filter: EventFilter(streamPrefix: "job-")) { event in
                try builder.add(event)
                return true
            }
        } catch {
            throw Self.wrap(error)
        }
        var report = builder.finish(topFailures: topFailures, now: JSONCoding.truncated(options.clock()))
        report.stuck = try stuckJobs()
        return report
    }

    /// Running or cancel-requested jobs whose lease ended before the clock,
    /// the longest expired first, at most `limit` of them.
    public func stuckJobs(limit: Int = .max) throws(JobLedgerError) -> [JobReport.StuckJob] {
        let now = options.clock()
        do {
            return try store.readProjections { tables in
                var stuck: [JobReport.StuckJob] = []
                try tables.scan(JobTables.leases) { key, _ in
                    guard stuck.count < limit, key.count > 8, JobIndexes.time(fromKey: key[0..<8]) < now else { return false }
                    let id = String(decoding: key[8...], as: UTF8.self)
                    if let bytes = try tables.get(JobTables.jobs, Array(id.utf8)) {
                        let job = try JobRecord.decode(bytes)
                        stuck.append(.init(id: id, state: job.state, worker: job.worker, leaseUntil: job.leaseUntil ?? now))
                    }
                    return true
                }
                return stuck
            }
        } catch {
            throw Self.wrap(error)
        }
    }
}

/// Accumulates report figures event by event, keeping a few fields per job.
struct ReportBuilder {
    struct Track {
        var type: String
        var organisation: String
        var batch: String?
        var inWindow: Bool
        var state: JobState = .pending
        var readySince: Date
        var claimedAt: Date?
        var claims = 0
        var cancelRequest: (actor: String, reason: String, at: Date)?
        /// When the job was scheduled to run, if it was.
        var runAt: Date?
        /// How many of its dependencies have not completed.
        var waiting = 0
    }

    let from: Date?
    let to: Date?
    private var jobs: [String: Track] = [:]
    private var queueWait: [String: [Double]] = [:]
    private var runTime: [String: [Double]] = [:]
    private var cancellations: [String: (actor: String, reason: String, durations: [Double])] = [:]
    private var failures: [String: Int] = [:]
    private var hours: [Int64: JobReport.HourRow] = [:]

    init(from: Date?, to: Date?) {
        self.from = from
        self.to = to
    }

    private func inWindow(_ date: Date) -> Bool {
        (from.map { date >= $0 } ?? true) && (to.map { date < $0 } ?? true)
    }

    private mutating func count(_ date: Date, _ field: WritableKeyPath<JobReport.HourRow, Int>) {
        guard inWindow(date) else { return }
        let hour = Int64((date.timeIntervalSince1970 / 3600).rounded(.down))
        hours[hour, default: JobReport.HourRow(hour: Date(timeIntervalSince1970: Double(hour) * 3600))][keyPath: field] += 1
    }

    mutating func add(_ event: RecordedEvent) throws {
        guard let id = JobStreams.jobID(fromStream: event.streamID) else { return }
        let time = event.recordedAt
        if event.type == "JobSubmitted" {
            guard case .submitted(let data)? = try JobEvent.decode(event) else { return }
            jobs[id] = Track(
                type: data.type, organisation: data.organisation, batch: data.batch, inWindow: inWindow(time),
                readySince: max(time, data.runAt ?? time), runAt: data.runAt, waiting: data.after?.count ?? 0)
            count(time, \.submitted)
            return
        }
        guard var job = jobs[id] else { return }
        defer { jobs[id] = job }
        switch event.type {
        case "JobClaimed":
            job.state = .running
            job.claims += 1
            job.claimedAt = time
            if job.inWindow { queueWait[job.type, default: []].append(max(0, time.timeIntervalSince(job.readySince))) }
        case "JobCompleted":
            job.state = .completed
            if job.inWindow, let claimed = job.claimedAt { runTime[job.type, default: []].append(time.timeIntervalSince(claimed)) }
            count(time, \.completed)
        case "AttemptFailed":
            guard case .attemptFailed(let data)? = try JobEvent.decode(event) else { return }
            job.state = .pending
            job.readySince = data.retryAt
            if job.inWindow { failures[data.error, default: 0] += 1 }
        case "JobFailed":
            guard case .failed(let data)? = try JobEvent.decode(event) else { return }
            job.state = .failed
            if job.inWindow { failures[data.error, default: 0] += 1 }
            count(time, \.failed)
        case "CancelRequested":
            guard case .cancelRequested(let data)? = try JobEvent.decode(event) else { return }
            job.state = .cancelRequested
            job.cancelRequest = (data.actor, data.reason, time)
        case "JobCancelled":
            guard case .cancelled(let data)? = try JobEvent.decode(event) else { return }
            let request = job.cancelRequest ?? (data.actor, data.reason, time)
            recordCancellation(job, request, at: time)
            job.state = .cancelled
            count(time, \.cancelled)
        case "JobKilled":
            job.state = .killed
            count(time, \.killed)
        case "LeaseExpired":
            guard case .leaseExpired(let data)? = try JobEvent.decode(event) else { return }
            job.state = data.nextState
            switch data.nextState {
            case .pending: job.readySince = data.retryAt ?? time
            case .cancelled:
                if let request = job.cancelRequest { recordCancellation(job, request, at: time) }
                count(time, \.cancelled)
            case .failed:
                if job.inWindow { failures["lease expired", default: 0] += 1 }
                count(time, \.failed)
            default: break
            }
        case "JobTimedOut":
            guard case .timedOut(let data)? = try JobEvent.decode(event) else { return }
            job.state = data.nextState
            if job.inWindow { failures["timed out", default: 0] += 1 }
            switch data.nextState {
            case .pending: job.readySince = data.retryAt ?? time
            case .cancelled:
                if let request = job.cancelRequest { recordCancellation(job, request, at: time) }
                count(time, \.cancelled)
            case .failed: count(time, \.failed)
            default: break
            }
        case "DependencyMet":
            job.waiting = max(0, job.waiting - 1)
            if job.waiting == 0 { job.readySince = max(time, job.runAt ?? time) }
        case "JobRetried":
            job.state = .pending
            job.readySince = time
            job.cancelRequest = nil
            job.waiting = 0
            job.runAt = nil
        default:
            break
        }
    }

    private mutating func recordCancellation(_ job: Track, _ request: (actor: String, reason: String, at: Date), at time: Date) {
        guard job.inWindow else { return }
        let key = request.actor + "\u{0}" + request.reason
        cancellations[key, default: (request.actor, request.reason, [])].durations.append(time.timeIntervalSince(request.at))
    }

    /// The figures. Pending jobs are counted apart when they are scheduled
    /// to run after `now` and have not run yet (`scheduled`), or wait for
    /// other jobs to complete (`waiting`).
    func finish(topFailures: Int, now: Date) -> JobReport {
        var report = JobReport(from: from, to: to)
        for job in jobs.values where job.inWindow {
            var state = job.state.rawValue
            if job.state == .pending, job.waiting > 0 {
                state = "waiting"
            } else if job.state == .pending, job.claims == 0, let runAt = job.runAt, runAt > now {
                state = "scheduled"
            }
            report.byState[state, default: 0] += 1
            report.byType[job.type, default: 0] += 1
            report.byOrganisation[job.organisation, default: 0] += 1
            if let batch = job.batch { report.byBatch[batch, default: 0] += 1 }
            if job.state.isTerminal { report.attemptsPerJob["\(job.claims)", default: 0] += 1 }
        }
        report.queueWait = queueWait.mapValues(JobReport.Percentiles.init)
        report.runTime = runTime.mapValues(JobReport.Percentiles.init)
        report.cancellations = cancellations.values
            .map { .init(actor: $0.actor, reason: $0.reason, secondsToCancelled: $0.durations) }
            .sorted { ($0.count, $1.actor, $1.reason) > ($1.count, $0.actor, $0.reason) }
        report.topFailureReasons = failures
            .sorted { $0.value != $1.value ? $0.value > $1.value : $0.key < $1.key }
            .prefix(topFailures).map { .init(label: $0.key, count: $0.value) }
        report.throughput = hours.sorted { $0.key < $1.key }.map(\.value)
        return report
    }
}
