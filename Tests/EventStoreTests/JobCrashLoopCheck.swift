import EventStore
import Foundation
import JobLedger
import JobLedgerTestSupport

/// What the crash loop checks after every kill, on the ledger opened afresh
/// while the surviving processes are paused between two commands:
///
/// 1. positions are 1...head without a gap, and each stream's versions are
///    1...n;
/// 2. every acknowledged command is there: its audit entry (found by its
///    request id, or counted by job, action, actor and outcome for commands
///    that take no request id), and the job event at the version it answered;
/// 3. no partial append: a command's job events and audit entry are all
///    there or none, at consecutive positions (for a batch kill, across all
///    its jobs);
/// 4. the projections equal a replay of the log;
/// 5. every job's history is a valid path of the state machine, and its
///    stored state is the fold of that history.
struct JobCrashLoopCheck {
    /// What is wrong, one sentence each; empty when the ledger is sound.
    private(set) var problems: [String] = []
    /// Events in the log.
    private(set) var events = 0
    /// Jobs with a stream of events.
    private(set) var jobs = 0
    /// Audit entries: one per job of every command that wrote anything.
    private(set) var audits = 0

    init(path: String, acknowledged acks: [CrashLoopAck]) throws {
        var options = JobLedgerOptions()
        options.store = .noSync
        let ledger = try JobLedger(path: path, options: options)

        // (1) Dense positions and versions.
        let log = try ledger.store.verifyLog()
        problems += log.problems.map { "log: \($0)" }
        let head = try ledger.store.lastPosition()
        if UInt64(log.events) != head { problems.append("log: \(log.events) events up to position \(head)") }
        events = log.events

        // (4) Projections equal a replay.
        problems += try ledger.verifyProjections().map { "projection: \($0)" }

        // (5) and (3): every job that has a job stream or an audit stream.
        var jobIDs = Set<String>()
        var jobStreams = 0
        let auditPrefix = JobStreams.audit("")
        try ledger.store.forEachEvent { event in
            if let id = JobStreams.jobID(fromStream: event.streamID) {
                if event.streamVersion == 1 { jobStreams += 1 }
                jobIDs.insert(id)
            } else if event.streamID.hasPrefix(auditPrefix) {
                jobIDs.insert(String(event.streamID.dropFirst(auditPrefix.count)))
            }
            return true
        }
        jobs = jobStreams
        var histories: [String: JobHistoryCheck] = [:]
        var requests: [UUID: [(job: String, position: UInt64)]] = [:]
        for id in jobIDs.sorted() {
            let history = try JobHistoryCheck(
                jobID: id, submission: CrashLoopJobs.submitted(id), ledger: ledger, policy: CrashLoopJobs.retryPolicy,
                requesters: CrashLoopJobs.requesters)
            problems += history.problems.map { "job \(id): \($0)" }
            for (request, positions) in history.positions { requests[request, default: []] += positions.map { (id, $0) } }
            histories[id] = history
            audits += history.audits.count
        }
        problems += JobHistoryCheck.scatteredRequests(requests).map { "job \($0.job): \($0.text)" }

        // (2) Every acknowledged command.
        problems += Self.missing(acks, in: histories)
    }

    /// The acknowledged commands that are not in the ledger as acknowledged.
    private static func missing(_ acks: [CrashLoopAck], in histories: [String: JobHistoryCheck]) -> [String] {
        var problems: [String] = []
        let decoder = StoredJobEvents.decoder()
        var acknowledged: [String: Int] = [:]
        for ack in acks {
            for result in ack.results {
                let history = histories[result.job]
                acknowledged[key(result.job, ack.action, ack.actor, result.outcome), default: 0] += 1
                if let request = ack.request {
                    let entry = history?.audits.first { $0.requestID == request }
                    if entry?.action != ack.action || entry?.actor != ack.actor || entry?.outcome != result.outcome {
                        let found = entry.map { "\($0.action) by \($0.actor): \($0.outcome.rawValue)" } ?? "nothing"
                        problems.append("'\(ack.line)' was acknowledged, but the audit of \(result.job) holds \(found) for its request")
                    }
                }
                guard let version = result.version else { continue }
                let stream = history?.events ?? []
                guard version >= 1, version <= UInt64(stream.count) else {
                    problems.append("'\(ack.line)' was acknowledged, but \(result.job) has \(stream.count) events")
                    continue
                }
                let event = stream[Int(version - 1)]
                let outcome = (try? StoredJobEvents.decode(event, with: decoder)).map(JobLifecycleRules.auditOutcome)
                if outcome != result.outcome || event.actor != ack.actor || (ack.request.map { $0 == event.correlationID } == false) {
                    problems.append("'\(ack.line)' was acknowledged, but version \(version) of \(result.job) is \(event.type) by \(event.actor)")
                }
            }
        }
        var audited: [String: Int] = [:]
        for (id, history) in histories {
            for entry in history.audits { audited[key(id, entry.action, entry.actor, entry.outcome), default: 0] += 1 }
        }
        for (key, count) in acknowledged.sorted(by: { $0.key < $1.key }) where audited[key, default: 0] < count {
            problems.append("\(count) commands '\(key)' were acknowledged, but \(audited[key, default: 0]) are audited")
        }
        return problems
    }

    private static func key(_ job: String, _ action: String, _ actor: String, _ outcome: JobOutcome) -> String {
        "\(job) \(action) by \(actor): \(outcome.rawValue)"
    }
}
