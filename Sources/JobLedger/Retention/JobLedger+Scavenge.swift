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
    /// audit entries, flushed before the ledger changes. Then write
    /// transactions of at most `jobsPerCommit` jobs each (so that other
    /// writers wait for a part, never for the whole) remove their events,
    /// append to each job's stream a `JobArchived` snapshot of the job
    /// (its record, payload included so that a retry runs it again, and its
    /// result unless that would make the snapshot too large an event; a job
    /// whose payload alone is too large stays live), and record
    /// in the `retention` stream a part of the archive: its digest and the
    /// events the part removed. A resubmission still answers `existing`, a
    /// late cancel `already_completed`, and `history` shows the snapshot, or
    /// the whole history when given the archive. Positions stay what they
    /// were: the removed ones read as archived.
    ///
    /// A job that moves between the archive and its part (a retry, say)
    /// stays live, whole, and is left out of the part; its lines in the
    /// archive are then copies of live events, which ``verifyArchive(_:)``
    /// accepts as such. When nothing could be committed the archive is
    /// deleted. At most `limit` jobs go in one archive;
    /// ``ScavengeReport/moreDue`` says when more are due. Admins and the
    /// system only. Runs on the embedded LMDB ledger.
    public func scavenge(
        archivePath: String, by actor: Actor, limit: Int = 10_000, jobsPerCommit: Int = 256
    ) throws(JobLedgerError) -> ScavengeReport {
        let actor = try actor.normalized()
        guard actor.role == .admin || actor.role == .system else {
            throw .forbidden(actor: actor.id, action: "scavenge", reason: "only an admin or the system may scavenge")
        }
        guard (1...1_000_000).contains(limit) else {
            throw .invalidInput(field: "limit", reason: "must be 1 to 1000000, got \(limit)")
        }
        guard (1...100_000).contains(jobsPerCommit) else {
            throw .invalidInput(field: "jobsPerCommit", reason: "must be 1 to 100000, got \(jobsPerCommit)")
        }
        try RetentionArchiveFile.checkNew(archivePath)
        let plan = try scavengePlan(limit: limit, archiveName: URL(fileURLWithPath: archivePath).lastPathComponent)
        guard !plan.jobs.isEmpty else {
            return ScavengeReport(
                archivePath: nil, jobs: 0, events: 0, archiveEvents: 0, parts: 0, jobsLeftLive: 0, jobsTooLarge: plan.tooLarge,
                archiveDigest: nil, recordPosition: nil, moreDue: false, policies: plan.policies)
        }
        let summary = try RetentionArchiveFile.write(to: archivePath) { write in
            try store.exportArchive(positions: plan.positions, write: write)
        }
        return try commitParts(
            plan, of: ArchiveName(path: archivePath, summary: summary), at: archivePath, actor: actor,
            jobsPerCommit: jobsPerCommit)
    }

    /// Commits a written archive's jobs, `jobsPerCommit` at a time, leaving
    /// out (live) each job that moved since; deletes the archive when no
    /// part could be committed.
    func commitParts(
        _ plan: ScavengePlan, of archive: ArchiveName, at archivePath: String, actor: Actor, jobsPerCommit: Int
    ) throws(JobLedgerError) -> ScavengeReport {
        var done = (jobs: 0, events: 0, parts: 0, leftLive: 0, position: UInt64(0))
        for start in stride(from: 0, to: plan.jobs.count, by: jobsPerCommit) {
            var part = Array(plan.jobs[start..<min(start + jobsPerCommit, plan.jobs.count)])
            while !part.isEmpty {
                do {
                    done.position = try commitPart(part, of: archive, actor: actor)
                    done.jobs += part.count
                    done.events += part.reduce(0) { $0 + $1.events }
                    done.parts += 1
                    break
                } catch {
                    // A job of the part moved since the archive was written:
                    // it stays live and the rest of the part goes on.
                    guard error.underlying?.code == .wrongExpectedVersion, let stream = error.underlying?.stream,
                          let moved = part.firstIndex(where: { JobStreams.job($0.job.id) == stream })
                    else {
                        if done.parts == 0 { RetentionArchiveFile.remove(archivePath) }
                        throw error
                    }
                    part.remove(at: moved)
                    done.leftLive += 1
                }
            }
        }
        let committed = done.parts > 0
        if !committed { RetentionArchiveFile.remove(archivePath) }
        return ScavengeReport(
            archivePath: committed ? archivePath : nil, jobs: done.jobs, events: done.events,
            archiveEvents: archive.summary.events, parts: done.parts, jobsLeftLive: done.leftLive, jobsTooLarge: plan.tooLarge,
            archiveDigest: committed ? archive.summary.digest : nil, recordPosition: committed ? done.position : nil,
            moreDue: plan.moreDue, policies: plan.policies)
    }

    /// The archive a scavenge wrote, as its parts record it.
    struct ArchiveName {
        let name: String
        let summary: ArchiveSummary

        init(path: String, summary: ArchiveSummary) {
            name = URL(fileURLWithPath: path).lastPathComponent
            self.summary = summary
        }

        init(name: String, summary: ArchiveSummary) {
            self.name = name
            self.summary = summary
        }
    }

    /// One job to archive: its record and the live versions of its streams.
    struct ArchivedJob {
        let job: Job
        let jobVersion: UInt64
        let auditVersion: UInt64
        /// The job's last event: the one that ended it.
        let last: RecordedEvent
        /// The positions of its events and audit entries in the archive.
        let positions: [UInt64]
        /// How many events of the job and its audit stream the archive holds.
        var events: Int { positions.count }
        /// Whether its snapshot keeps the result (false when the result
        /// would make the snapshot too large an event).
        var keepsResult: Bool
    }

    /// What a scavenge will do, decided from one reading of the ledger.
    struct ScavengePlan {
        var jobs: [ArchivedJob] = []
        var moreDue = false
        var policies: [String: Int] = [:]
        /// Due jobs left live because their payload alone is too large for a snapshot.
        var tooLarge = 0
        /// Every position the archive holds, in log order.
        var positions: [UInt64] { jobs.flatMap(\.positions).sorted() }
    }

    /// Finds the jobs due, with the positions of their live events.
    func scavengePlan(limit: Int, archiveName: String = "archive") throws(JobLedgerError) -> ScavengePlan {
        var plan = ScavengePlan()
        let maxBytes = store.options.limits.maxPayloadBytes
        // The archive's digest is not known yet; it is 64 digits, whatever it is.
        let measure = ArchiveName(name: archiveName, summary: ArchiveSummary(events: 0, digest: String(repeating: "0", count: 64)))
        let now = options.clock()
        for type in try jobTypes() {
            guard let seconds = try currentQueue(type)?.settings.retentionSeconds else { continue }
            plan.policies[type] = seconds
            let cutoff = now.addingTimeInterval(-TimeInterval(seconds))
            for state in [JobState.completed, .failed, .cancelled, .killed] {
                for job in try jobs(ofType: type, in: state, endedBefore: cutoff) {
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
                    // One due job beyond the limit: the next scavenge's.
                    guard plan.jobs.count < limit else {
                        plan.moreDue = true
                        return plan
                    }
                    var archived = ArchivedJob(
                        job: job, jobVersion: last.streamVersion, auditVersion: audits.last?.streamVersion ?? 0, last: last,
                        positions: events.map(\.position) + audits.map(\.position), keepsResult: true)
                    // The snapshot keeps the payload (a retry runs the job
                    // again) and the result when they fit in one event; a
                    // job whose payload alone does not fit stays live.
                    if try Self.snapshotBytes(archived, measure) > maxBytes {
                        archived.keepsResult = false
                        if try Self.snapshotBytes(archived, measure) > maxBytes {
                            plan.tooLarge += 1
                            continue
                        }
                    }
                    plan.jobs.append(archived)
                }
            }
        }
        return plan
    }

    /// The removals, snapshots and record of one part of a scavenge, in one
    /// transaction; returns the record's position.
    func commitPart(_ part: [ArchivedJob], of archive: ArchiveName, actor: Actor) throws(JobLedgerError) -> UInt64 {
        let now = options.clock()
        var removals: [StreamPrefixRemoval] = []
        var appends: [StreamAppend] = []
        var positions: [UInt64] = []
        do {
            for archived in part {
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
                positions += archived.positions
                let event = try Self.snapshot(archived, archive)
                appends.append(StreamAppend(
                    streamID: jobStream, expectedVersion: .exact(archived.jobVersion),
                    events: [EventData(
                        type: event.typeName, payload: try event.encodedPayload(), actor: actor.id, recordedAt: now,
                        decoded: event)]))
            }
            let record = ScavengeRecord(
                archive: archive.name, digest: archive.summary.digest, archiveEvents: archive.summary.events,
                events: positions.count, jobs: part.count, firstPosition: positions.min() ?? 0,
                lastPosition: positions.max() ?? 0, actor: actor.id)
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

    /// The `JobArchived` event that stands in for a job's archived events.
    static func snapshot(_ archived: ArchivedJob, _ archive: ArchiveName) throws -> JobEvent {
        var job = archived.job
        if !archived.keepsResult { job.result = nil }
        return JobEvent.archived(JobEvent.Archived(
            archive: archive.name, archiveDigest: archive.summary.digest, archivedEvents: archived.events,
            state: job.state, endedBy: archived.last.type, endedAt: archived.last.position,
            record: Data(try JobRecord.encode(job)).base64EncodedString()))
    }

    /// The size of a job's snapshot as stored.
    private static func snapshotBytes(_ archived: ArchivedJob, _ archive: ArchiveName) throws(JobLedgerError) -> Int {
        do {
            return try snapshot(archived, archive).encodedPayload().count
        } catch {
            throw wrap(error)
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

    /// The jobs of `type` in `state` last changed before `cutoff`, read in
    /// short snapshots. The index is in order of submission, and no job
    /// ended before it was submitted: the walk stops at the first job
    /// submitted after the cutoff.
    private func jobs(ofType type: String, in state: JobState, endedBefore cutoff: Date) throws(JobLedgerError) -> [Job] {
        let prefix = JobIndexes.text(type) + JobIndexes.text(state.rawValue)
        let last = JobIndexes.timeKey(cutoff)
        var jobs: [Job] = []
        var from = prefix
        var done = false
        do {
            while !done {
                try store.readProjections { tables in
                    var seen = 0
                    done = true
                    try tables.scan(JobTables.byTypeState, from: from) { key, _ in
                        guard key.starts(with: prefix) else { return false }
                        let tail = key[prefix.count...]
                        guard !last.lexicographicallyPrecedes(tail.prefix(8)) else { return false }
                        seen += 1
                        if seen > 4096 {
                            from = key  // the next snapshot starts here
                            done = false
                            return false
                        }
                        if let bytes = try tables.get(JobTables.jobs, Array(tail.dropFirst(8))) {
                            let job = try JobRecord.decode(bytes)
                            if job.updatedAt <= cutoff { jobs.append(job) }
                        }
                        return true
                    }
                }
            }
        } catch {
            throw Self.wrap(error)
        }
        return jobs
    }
}
