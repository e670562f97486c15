import EventStore
import Foundation

extension JobLedger {
    // MARK: Settings of a job type

    /// The settings in force for jobs of `type`: the last event of its
    /// queue stream, or no limit when it has none.
    public func queueSettings(_ type: String) throws(JobLedgerError) -> QueueSettings {
        let type = try NameRule.name(type, field: "type")
        return try currentQueue(type)?.settings ?? QueueSettings()
    }

    /// Limits the jobs of `type` running at once, across all workers and
    /// processes, to `limit` (`nil` lifts the limit). Admins and the system
    /// only; recorded in the type's queue stream with the actor. Jobs
    /// already running are left alone: a lower limit holds back new claims
    /// until fewer run.
    @discardableResult
    public func setConcurrencyLimit(
        _ limit: Int?, forType type: String, by actor: Actor, reason: String? = nil
    ) throws(JobLedgerError) -> QueueSettings {
        try Self.checkConcurrency(limit)
        return try execute(queueChange(type, actor: actor, action: "limit", reason: reason) { $0.concurrency = limit })
    }

    /// Limits claims of jobs of `type` to `rate` in any window of `period`
    /// seconds, across all workers and processes (`nil` lifts the limit).
    /// Admins and the system only. Each claim of the type is then checked
    /// against the times of the type's last `rate` claims, read from its
    /// queue stream, whose version the claim expects.
    @discardableResult
    public func setRateLimit(
        _ rate: Int?, per period: TimeInterval = 1, forType type: String, by actor: Actor, reason: String? = nil
    ) throws(JobLedgerError) -> QueueSettings {
        try Self.checkRate(rate, per: period)
        return try execute(queueChange(type, actor: actor, action: "rate", reason: reason) {
            $0.rate = rate
            $0.ratePeriod = rate == nil ? nil : period
        })
    }

    /// Pauses claims of jobs of `type` (admins and the system): no job of
    /// the type is claimed until it is resumed. Jobs already running go on.
    @discardableResult
    public func pauseQueue(_ type: String, by actor: Actor, reason: String) throws(JobLedgerError) -> QueueSettings {
        try execute(queueChange(type, actor: actor, action: "pause", reason: reason) { $0.paused = true })
    }

    /// Resumes claims of jobs of `type` (admins and the system).
    @discardableResult
    public func resumeQueue(_ type: String, by actor: Actor, reason: String? = nil) throws(JobLedgerError) -> QueueSettings {
        try execute(queueChange(type, actor: actor, action: "resume", reason: reason) { $0.paused = false })
    }

    /// Sets the retention policy of `type`: `jobledger scavenge` archives
    /// the events of its jobs that ended more than `seconds` ago (`nil`
    /// keeps them for ever, the default). Admins and the system only;
    /// recorded in the type's queue stream with the actor, like its limits.
    @discardableResult
    public func setRetention(
        _ seconds: Int?, forType type: String, by actor: Actor, reason: String? = nil
    ) throws(JobLedgerError) -> QueueSettings {
        try Self.checkRetention(seconds)
        return try execute(queueChange(type, actor: actor, action: "retain", reason: reason) { $0.retentionSeconds = seconds })
    }

    /// ``setRetention(_:forType:by:reason:)`` for async callers.
    @discardableResult
    public func setRetention(
        _ seconds: Int?, forType type: String, by actor: Actor, reason: String? = nil
    ) async throws(JobLedgerError) -> QueueSettings {
        try Self.checkRetention(seconds)
        return try await execute(queueChange(type, actor: actor, action: "retain", reason: reason) {
            $0.retentionSeconds = seconds
        })
    }

    /// Refuses a retention period out of bounds: at least a second, at most
    /// a hundred years.
    private static func checkRetention(_ seconds: Int?) throws(JobLedgerError) {
        if let seconds, !(1...JobLimits.maxRetentionSeconds).contains(seconds) {
            throw .invalidInput(
                field: "retention", reason: "must be 1 to \(JobLimits.maxRetentionSeconds) seconds, got \(seconds)")
        }
    }

    /// ``setConcurrencyLimit(_:forType:by:reason:)`` for async callers:
    /// the append's flush is awaited, not waited for on the calling thread.
    @discardableResult
    public func setConcurrencyLimit(
        _ limit: Int?, forType type: String, by actor: Actor, reason: String? = nil
    ) async throws(JobLedgerError) -> QueueSettings {
        try Self.checkConcurrency(limit)
        return try await execute(queueChange(type, actor: actor, action: "limit", reason: reason) { $0.concurrency = limit })
    }

    /// ``setRateLimit(_:per:forType:by:reason:)`` for async callers.
    @discardableResult
    public func setRateLimit(
        _ rate: Int?, per period: TimeInterval = 1, forType type: String, by actor: Actor, reason: String? = nil
    ) async throws(JobLedgerError) -> QueueSettings {
        try Self.checkRate(rate, per: period)
        return try await execute(queueChange(type, actor: actor, action: "rate", reason: reason) {
            $0.rate = rate
            $0.ratePeriod = rate == nil ? nil : period
        })
    }

    /// ``pauseQueue(_:by:reason:)`` for async callers.
    @discardableResult
    public func pauseQueue(_ type: String, by actor: Actor, reason: String) async throws(JobLedgerError) -> QueueSettings {
        try await execute(queueChange(type, actor: actor, action: "pause", reason: reason) { $0.paused = true })
    }

    /// ``resumeQueue(_:by:reason:)`` for async callers.
    @discardableResult
    public func resumeQueue(_ type: String, by actor: Actor, reason: String? = nil) async throws(JobLedgerError) -> QueueSettings {
        try await execute(queueChange(type, actor: actor, action: "resume", reason: reason) { $0.paused = false })
    }

    /// Refuses a concurrency limit out of bounds.
    private static func checkConcurrency(_ limit: Int?) throws(JobLedgerError) {
        if let limit, !(1...JobLimits.maxConcurrencyLimit).contains(limit) {
            throw .invalidInput(
                field: "concurrency", reason: "must be 1 to \(JobLimits.maxConcurrencyLimit), got \(limit)")
        }
    }

    /// Refuses a rate or period out of bounds.
    private static func checkRate(_ rate: Int?, per period: TimeInterval) throws(JobLedgerError) {
        guard let rate else { return }
        guard (1...JobLimits.maxRateLimit).contains(rate) else {
            throw .invalidInput(field: "rate", reason: "must be 1 to \(JobLimits.maxRateLimit), got \(rate)")
        }
        guard period.isFinite, period >= 0.001, period <= JobLimits.maxRatePeriodSeconds else {
            throw .invalidInput(
                field: "period",
                reason: "must be at least 0.001 and at most \(Int(JobLimits.maxRatePeriodSeconds)) seconds, got \(period)")
        }
    }

    /// A change of a type's settings: read the last event, change, append
    /// with the version read (a claim of a limited type or another change
    /// in between makes it read again). A change by an actor who may not
    /// make it is refused with ``JobLedgerError/forbidden(jobID:actor:action:reason:)``
    /// once its refusal is stored in ``SettingsAudit/stream``.
    private func queueChange(
        _ type: String, actor: Actor, action: String, reason: String?, _ change: @escaping (inout QueueSettings) -> Void
    ) throws(JobLedgerError) -> DecidedCommand<QueueSettings> {
        let type = try NameRule.name(type, field: "type")
        let actor = try actor.normalized()
        // Refused, and audited as a refused job command is, apart from the
        // type's settings (``SettingsAudit``).
        if let refusal: DecidedCommand<QueueSettings> = settingsRefusal(
            by: actor, subject: QueueEvents.stream(type), action: action, reason: reason,
            why: "only an admin or the system may change the settings of a job type") {
            return refusal
        }
        try checkQueueStream(type)
        return DecidedCommand(subject: "(queue \(type))") { () throws(JobLedgerError) in
            let current = try self.currentQueue(type)
            var settings = current?.settings ?? QueueSettings()
            change(&settings)
            let now = Self.queueTime(self.options.clock(), after: current?.lastRecordedAt)
            let payload: [UInt8]
            do {
                payload = try QueueEvents.payload(QueueEvents.Change(
                    concurrency: settings.concurrency, paused: settings.paused, rate: settings.rate,
                    ratePeriod: settings.ratePeriod, retentionSeconds: settings.retentionSeconds, action: action,
                    actor: actor.id, reason: reason))
            } catch {
                throw Self.wrap(error)
            }
            let append = StreamAppend(
                streamID: QueueEvents.stream(type), expectedVersion: current.map { .exact($0.version) } ?? .noStream,
                events: [EventData(type: QueueEvents.settingsChanged, payload: payload, actor: actor.id, recordedAt: now)])
            return Decision(append: [append]) { _ in settings }
        }
    }

    /// Refuses a type whose queue stream name the store cannot hold.
    private func checkQueueStream(_ type: String) throws(JobLedgerError) {
        let bytes = QueueEvents.stream(type).utf8.count
        guard bytes <= store.options.limits.maxStreamIDBytes else {
            throw .invalidInput(
                field: "type", reason: "is too long to carry settings (\(bytes) bytes with its stream prefix; the limit is \(store.options.limits.maxStreamIDBytes))")
        }
    }

    /// The settings of `type`, the version of its queue stream they were
    /// read at and the time of the event at that version; `nil` when the
    /// type never had settings. The version and the settings come from the
    /// stream's last event, in one read, so they always agree.
    ///
    /// Every event appended to the stream is stamped no earlier than
    /// `lastRecordedAt` (``queueTime(_:after:)``), so the stream's times
    /// never go back: the rate window is counted by reading the stream
    /// backwards and stops at the first event older than the window.
    func currentQueue(_ type: String) throws(JobLedgerError) -> (settings: QueueSettings, version: UInt64, lastRecordedAt: Date)? {
        let stream = QueueEvents.stream(type)
        guard stream.utf8.count <= store.options.limits.maxStreamIDBytes else { return nil }
        do {
            guard let last = try store.lastEvent(of: stream) else { return nil }
            return (try QueueEvents.settings(of: last), last.streamVersion, last.recordedAt)
        } catch {
            throw Self.wrap(error)
        }
    }

    /// How many jobs of `type` hold a slot (running or cancel-requested),
    /// counting no further than `limit`.
    func jobsHoldingSlots(_ type: String, upTo limit: Int) throws(JobLedgerError) -> Int {
        do {
            return try store.readProjections { tables in
                var count = 0
                for state in [JobState.running, .cancelRequested] where count < limit {
                    try tables.scan(JobTables.byTypeState, prefix: JobIndexes.text(type) + JobIndexes.text(state.rawValue)) { _, _ in
                        count += 1
                        return count < limit
                    }
                }
                return count
            }
        } catch {
            throw Self.wrap(error)
        }
    }

    /// What a claim of a job of `type` must add to its append: nothing when
    /// the type has no settings; `nil` when the type is paused or at its
    /// limit (the job may not be claimed now); else the queue stream's
    /// slot event, appended with the version the settings and the count
    /// were read at: under a concurrency limit it may still be stored after
    /// as many other claims as the count left room for, and no more; under
    /// a rate limit, of two claims decided on one count only one is stored.
    ///
    /// The slot's time is `now`, or the stream's last event's when that is
    /// later (a clock behind another process's, or a claim decided before
    /// a conflict and stored after it): the claim is then stamped with it.
    func queueSlot(
        for job: Job, worker: String, attempt: Int, requestID: UUID, now: Date
    ) throws(JobLedgerError) -> (append: [StreamAppend], time: Date)? {
        guard let (settings, version, last) = try currentQueue(job.type), settings.limitsClaims else { return ([], now) }
        let now = Self.queueTime(now, after: last)
        guard let room = try room(job.type, settings, version: version, now: now) else { return nil }
        let payload: [UInt8]
        do {
            payload = try QueueEvents.payload(QueueEvents.Slot(
                concurrency: settings.concurrency, paused: settings.paused, rate: settings.rate,
                ratePeriod: settings.ratePeriod, retentionSeconds: settings.retentionSeconds, job: job.id,
                attempt: attempt, worker: worker))
        } catch {
            throw Self.wrap(error)
        }
        // Under a concurrency limit alone, claims commute while there is
        // room: a claim that counted `room` free places beyond its own may
        // be stored after up to that many other claims, never after a
        // settings change. A rate limit counts the stream's claims by
        // time, so its claims stay in one order.
        let expected: ExpectedVersion = settings.rate == nil
            ? .exactIgnoringAtMost(version, commuting: [QueueEvents.slotTaken], atMost: UInt64(room))
            : .exact(version)
        let append = StreamAppend(
            streamID: QueueEvents.stream(job.type), expectedVersion: expected,
            events: [EventData(
                type: QueueEvents.slotTaken, payload: payload, actor: worker, correlationID: requestID, recordedAt: now)])
        return ([append], now)
    }

    /// The time of an event appended to a queue stream whose last event was
    /// stamped `last`: `clock`, truncated as events are, or `last` when
    /// that is later.
    static func queueTime(_ clock: Date, after last: Date?) -> Date {
        let now = JSONCoding.truncated(clock)
        guard let last, last > now else { return now }
        return last
    }

    /// The types among `types` whose claims are held back now: paused, or
    /// with as many jobs holding slots as their limit allows.
    func heldBackTypes(_ types: Set<String>) throws(JobLedgerError) -> Set<String> {
        var held = Set<String>()
        let now = JSONCoding.truncated(options.clock())
        for type in types {
            guard let (settings, version, _) = try currentQueue(type), settings.limitsClaims else { continue }
            if try isHeldBack(type, settings, version: version, now: now) { held.insert(type) }
        }
        return held
    }

    /// Whether `settings` (read at `version` of the type's queue stream)
    /// hold back a claim at `now`: paused, as many jobs holding slots as the
    /// limit allows, or as many claims in the last rate period as the rate.
    private func isHeldBack(_ type: String, _ settings: QueueSettings, version: UInt64, now: Date) throws(JobLedgerError) -> Bool {
        try room(type, settings, version: version, now: now) == nil
    }

    /// How many more claims of `type` than one the settings allow now
    /// (`nil` when not even one: paused, or at a limit): the concurrency
    /// limit less the jobs holding slots, less one; under a rate limit, 0.
    ///
    /// The count is read after `version` was, so claims stored in between
    /// are counted twice, never missed.
    private func room(_ type: String, _ settings: QueueSettings, version: UInt64, now: Date) throws(JobLedgerError) -> Int? {
        if settings.paused { return nil }
        var room = Int.max
        if let limit = settings.concurrency {
            let holding = try jobsHoldingSlots(type, upTo: limit)
            if holding >= limit { return nil }
            room = limit - holding - 1
        }
        if let rate = settings.rate, let period = settings.ratePeriod {
            if try claims(ofType: type, before: version, since: now - period, upTo: rate) >= rate { return nil }
            room = 0
        }
        return room
    }

    /// How many claims of `type` its queue stream records after `since`,
    /// reading back from `version` and counting no further than `limit`.
    private func claims(ofType type: String, before version: UInt64, since: Date, upTo limit: Int) throws(JobLedgerError) -> Int {
        let stream = QueueEvents.stream(type)
        var count = 0
        var next = version
        do {
            while next > 0 && count < limit {
                let page = try store.readStream(stream, from: next, direction: .backwards, limit: 256)
                guard !page.isEmpty else { break }
                for event in page {
                    if event.recordedAt <= since { return count }
                    if event.type == QueueEvents.slotTaken { count += 1 }
                    if count >= limit { return count }
                }
                next = page.last.map { $0.streamVersion > 1 ? $0.streamVersion - 1 : 0 } ?? 0
            }
        } catch {
            throw Self.wrap(error)
        }
        return count
    }
}
