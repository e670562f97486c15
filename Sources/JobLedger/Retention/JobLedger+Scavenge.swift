import EventStore
import Foundation

extension JobLedger {
    /// Moves the events of jobs that their type's retention policy releases
    /// (``setRetention(_:forType:by:reason:)``: ended, that is completed,
    /// failed, cancelled or killed, more than the policy's period ago) into
    /// a new archive file at `archivePath`, and takes them out of the live
    /// ledger. Nothing is scavenged unless a policy says so.
    ///
    /// The archive is a chained JSON Lines export of the jobs' events and
    /// audit entries, flushed before the ledger changes. Then one write
    /// transaction removes those events, appends to each job's stream a
    /// `JobArchived` snapshot of the job (without its payload and result,
    /// which the archive keeps), and records the archive's digest in the
    /// `retention` stream. A resubmission still answers `existing`, a late
    /// cancel `already_completed`, and `history` shows the snapshot, or
    /// the whole history when given the archive. Positions stay what they
    /// were: the removed ones read as archived.
    ///
    /// A job that moves meanwhile makes the transaction fail: the archive is
    /// deleted and the scavenge decided again (a few times at most). At most
    /// `limit` jobs go in one archive; ``ScavengeReport/moreDue`` says when
    /// more are due. Admins and the system only. Runs on the embedded LMDB
    /// ledger.
    public func scavenge(archivePath: String, by actor: Actor, limit: Int = 10_000) throws(JobLedgerError) -> ScavengeReport {
        let actor = try actor.normalized()
        guard actor.role == .admin || actor.role == .system else {
            throw .forbidden(actor: actor.id, action: "scavenge", reason: "only an admin or the system may scavenge")
        }
        guard (1...1_000_000).contains(limit) else {
            throw .invalidInput(field: "limit", reason: "must be 1 to 1000000, got \(limit)")
        }
        try RetentionArchiveFile.checkNew(archivePath)
        var attempt = 0
        while true {
            attempt += 1
            let plan = try scavengePlan(limit: limit)
            guard !plan.jobs.isEmpty else {
                return ScavengeReport(
                    archivePath: nil, jobs: 0, events: 0, archiveDigest: nil, recordPosition: nil, moreDue: false,
                    policies: plan.policies)
            }
            let summary = try RetentionArchiveFile.write(to: archivePath) { write in
                try store.exportArchive(positions: plan.positions, write: write)
            }
            do {
                let position = try commitScavenge(plan, summary: summary, archivePath: archivePath, actor: actor)
                return ScavengeReport(
                    archivePath: archivePath, jobs: plan.jobs.count, events: summary.events,
                    archiveDigest: summary.digest, recordPosition: position, moreDue: plan.moreDue,
                    policies: plan.policies)
            } catch {
                // The archive names events the ledger still holds: it is no
                // archive of anything. Decide again unless it is not a race.
                RetentionArchiveFile.remove(archivePath)
                guard error.underlying?.code == .wrongExpectedVersion, attempt < 5 else {
                    throw error
                }
            }
        }
    }

    /// One job to archive: its record and the live versions of its streams.
    struct ArchivedJob {
        let job: Job
        let jobVersion: UInt64
        let auditVersion: UInt64
        let events: Int
        /// The job's last event: the one that ended it.
        let last: RecordedEvent
    }

    /// What a scavenge will do, decided from one reading of the ledger.
    struct ScavengePlan {
        var jobs: [ArchivedJob] = []
        var positions: [UInt64] = []
        var moreDue = false
        var policies: [String: Int] = [:]
    }

    /// Finds the jobs due, with the positions of their live events.
    private func scavengePlan(limit: Int) throws(JobLedgerError) -> ScavengePlan {
        var plan = ScavengePlan()
        let now = options.clock()
        for type in try jobTypes() {
            guard let seconds = try currentQueue(type)?.settings.retentionSeconds else { continue }
            plan.policies[type] = seconds
            let cutoff = now.addingTimeInterval(-TimeInterval(seconds))
            for state in [JobState.completed, .failed, .cancelled, .killed] {
                for job in try jobs(ofType: type, in: state, endedBefore: cutoff) {
                    guard plan.jobs.count < limit else {
                        plan.moreDue = true
                        break
                    }
                    let events: [RecordedEvent]
                    let audits: [RecordedEvent]
                    do {
                        events = try store.readStream(JobStreams.job(job.id))
                        audits = try store.readStream(JobStreams.audit(job.id))
                    } catch {
                        throw .store(error)
                    }
                    // Archived already and unchanged since: nothing to move.
                    guard let last = events.last, last.type != JobEvent.archivedType else { continue }
                    plan.jobs.append(ArchivedJob(
                        job: job, jobVersion: last.streamVersion, auditVersion: audits.last?.streamVersion ?? 0,
                        events: events.count + audits.count, last: last))
                    plan.positions += events.map(\.position) + audits.map(\.position)
                }
            }
        }
        plan.positions.sort()
        return plan
    }

    /// The removals, snapshots and record of a scavenge, in one transaction;
    /// returns the record's position.
    private func commitScavenge(
        _ plan: ScavengePlan, summary: ArchiveSummary, archivePath: String, actor: Actor
    ) throws(JobLedgerError) -> UInt64 {
        let name = URL(fileURLWithPath: archivePath).lastPathComponent
        let now = options.clock()
        var removals: [StreamPrefixRemoval] = []
        var appends: [StreamAppend] = []
        do {
            for archived in plan.jobs {
                let jobStream = JobStreams.job(archived.job.id)
                removals.append(StreamPrefixRemoval(
                    streamID: jobStream, throughVersion: archived.jobVersion, expectedVersion: archived.jobVersion))
                if archived.auditVersion > 0 {
                    removals.append(StreamPrefixRemoval(
                        streamID: JobStreams.audit(archived.job.id), throughVersion: archived.auditVersion,
                        // Entries audited meanwhile (a late cancel's answer)
                        // stay live after the snapshot: no reason to decide again.
                        expectedVersion: nil))
                }
                var snapshot = archived.job
                snapshot.payload = "null"
                snapshot.result = nil
                let event = JobEvent.archived(JobEvent.Archived(
                    archive: name, archiveDigest: summary.digest, archivedEvents: archived.events,
                    state: snapshot.state, endedBy: archived.last.type, endedAt: archived.last.position,
                    record: Data(try JobRecord.encode(snapshot)).base64EncodedString()))
                appends.append(StreamAppend(
                    streamID: jobStream, expectedVersion: .exact(archived.jobVersion),
                    events: [EventData(
                        type: event.typeName, payload: try event.encodedPayload(), actor: actor.id, recordedAt: now,
                        decoded: event)]))
            }
            let record = ScavengeRecord(
                archive: name, digest: summary.digest, events: summary.events, jobs: plan.jobs.count,
                firstPosition: plan.positions.first ?? 0, lastPosition: plan.positions.last ?? 0, actor: actor.id)
            appends.append(StreamAppend(
                streamID: ScavengeRecord.stream, expectedVersion: .any,
                events: [EventData(
                    type: ScavengeRecord.eventType, payload: Array(try JSONCoding.encoder.encode(record)),
                    actor: actor.id, recordedAt: now)]))
        } catch {
            throw Self.wrap(error)
        }
        do {
            let result = try store.removeStreamPrefixes(removals, appending: appends)
            return result.streams.last?.positions.last ?? 0
        } catch {
            throw .store(error)
        }
    }

    /// Every job type the projection knows, from its type-and-state index.
    func jobTypes() throws(JobLedgerError) -> [String] {
        do {
            return try store.readProjections { tables in
                var types: [String] = []
                var from: [UInt8] = []
                while true {
                    var found: [UInt8]? = nil
                    try tables.scan(JobTables.byTypeState, from: from) { key, _ in
                        found = Array(key.prefix { $0 != 0 })
                        return false
                    }
                    guard let type = found else { break }
                    types.append(String(decoding: type, as: UTF8.self))
                    from = type + [1]  // past every key of this type (`type`, 0, ...)
                }
                return types
            }
        } catch {
            throw Self.wrap(error)
        }
    }

    /// The jobs of `type` in `state` last changed before `cutoff`.
    private func jobs(ofType type: String, in state: JobState, endedBefore cutoff: Date) throws(JobLedgerError) -> [Job] {
        do {
            return try store.readProjections { tables in
                var jobs: [Job] = []
                try tables.scan(JobTables.byTypeState, prefix: JobIndexes.text(type) + JobIndexes.text(state.rawValue)) { tail, _ in
                    let id = Array(tail.dropFirst(8))
                    if let bytes = try tables.get(JobTables.jobs, id) {
                        let job = try JobRecord.decode(bytes)
                        if job.updatedAt <= cutoff { jobs.append(job) }
                    }
                    return true
                }
                return jobs
            }
        } catch {
            throw Self.wrap(error)
        }
    }
}
