import EventStore
import Foundation

extension JobLedger {
    // MARK: Recurring schedules

    /// Every schedule in force, by name.
    public func schedules() throws(JobLedgerError) -> [RecurringSchedule] {
        try currentSchedules().schedules.values.sorted { $0.name < $1.name }
    }

    /// Sets (creates or replaces) a recurring schedule. Admins and the
    /// system only: the jobs run unattended, owned by `actor`, in its
    /// organisation. Recorded in the `schedules` stream.
    @discardableResult
    public func setSchedule(_ schedule: RecurringSchedule, by actor: Actor) throws(JobLedgerError) -> RecurringSchedule {
        try execute(scheduleSetting(schedule, by: actor))
    }

    /// The async form of ``setSchedule(_:by:)``.
    @discardableResult
    public func setSchedule(_ schedule: RecurringSchedule, by actor: Actor) async throws(JobLedgerError) -> RecurringSchedule {
        try await execute(scheduleSetting(schedule, by: actor))
    }

    /// Removes the schedule `name` (admins and the system); jobs it
    /// submitted stay. `false` when there was no such schedule.
    @discardableResult
    public func removeSchedule(_ name: String, by actor: Actor, reason: String? = nil) throws(JobLedgerError) -> Bool {
        try execute(scheduleRemoval(name, actor: actor, reason: reason))
    }

    /// The async form of ``removeSchedule(_:by:reason:)``.
    @discardableResult
    public func removeSchedule(_ name: String, by actor: Actor, reason: String? = nil) async throws(JobLedgerError) -> Bool {
        try await execute(scheduleRemoval(name, actor: actor, reason: reason))
    }

    /// Submits the job of each schedule's last occurrence up to the
    /// ledger's clock, unless it exists; returns the ids of the jobs it
    /// created. Safe to run from any number of processes at once: the job
    /// of an occurrence has one id, and submitting is idempotent on it.
    /// A schedule that fails (its owner's job id taken by a job of another
    /// type, say) does not keep the others from firing; the first failure
    /// is thrown after all were tried.
    @discardableResult
    public func fireDueSchedules() throws(JobLedgerError) -> [String] {
        var created: [String] = []
        var failure: JobLedgerError?
        for (schedule, occurrence) in try dueOccurrences() {
            do throws(JobLedgerError) {
                if try submit(Self.submission(schedule, occurrence), by: Self.owner(of: schedule)).created {
                    created.append(schedule.jobID(for: occurrence))
                }
            } catch {
                failure = failure ?? error
            }
        }
        if let failure { throw failure }
        return created
    }

    /// The async form of ``fireDueSchedules()``.
    @discardableResult
    public func fireDueSchedules() async throws(JobLedgerError) -> [String] {
        var created: [String] = []
        var failure: JobLedgerError?
        for (schedule, occurrence) in try dueOccurrences() {
            do throws(JobLedgerError) {
                if try await submit(Self.submission(schedule, occurrence), by: Self.owner(of: schedule)).created {
                    created.append(schedule.jobID(for: occurrence))
                }
            } catch {
                failure = failure ?? error
            }
        }
        if let failure { throw failure }
        return created
    }

    /// The occurrences of every schedule to submit now, as each one's
    /// missed policy says, whose jobs do not exist.
    private func dueOccurrences() throws(JobLedgerError) -> [(RecurringSchedule, Date)] {
        let now = options.clock()
        var due: [(RecurringSchedule, Date)] = []
        for schedule in try schedules() {
            do {
                let occurrences = try schedule.occurrencesToSubmit(at: now) { id in try self.storedJob(id) != nil }
                due += occurrences.map { (schedule, $0) }
            } catch {
                throw Self.wrap(error)
            }
        }
        return due
    }

    /// Pauses the schedule `name` (admins and the system): nothing is
    /// submitted until it is resumed. `nil` when there is no such schedule.
    @discardableResult
    public func pauseSchedule(_ name: String, by actor: Actor, reason: String? = nil) async throws(JobLedgerError) -> RecurringSchedule? {
        try await execute(schedulePause(name, paused: true, actor: actor))
    }

    /// Resumes the schedule `name` (admins and the system); what passed
    /// meanwhile is missed, and its missed policy says what comes of it.
    @discardableResult
    public func resumeSchedule(_ name: String, by actor: Actor, reason: String? = nil) async throws(JobLedgerError) -> RecurringSchedule? {
        try await execute(schedulePause(name, paused: false, actor: actor))
    }

    /// The sync form of ``pauseSchedule(_:by:reason:)`` and
    /// ``resumeSchedule(_:by:reason:)``, for the command line.
    @discardableResult
    public func setSchedulePaused(_ paused: Bool, name: String, by actor: Actor) throws(JobLedgerError) -> RecurringSchedule? {
        try execute(schedulePause(name, paused: paused, actor: actor))
    }

    private func schedulePause(_ name: String, paused: Bool, actor: Actor) throws(JobLedgerError) -> DecidedCommand<RecurringSchedule?> {
        let actor = try actor.normalized()
        let action = paused ? "pause a schedule" : "resume a schedule"
        if let refusal: DecidedCommand<RecurringSchedule?> = refusedScheduler(actor, action: action, name: name, reason: nil) {
            return refusal
        }
        try Self.checkName(name)
        return DecidedCommand(subject: "(schedule \(name))") { () throws(JobLedgerError) in
            let current = try self.currentSchedules()
            guard var schedule = current.schedules[name] else { return Decision(append: []) { _ in nil } }
            guard schedule.paused != paused else { return Decision(append: []) { _ in schedule } }
            schedule.paused = paused
            let payload: [UInt8]
            do { payload = Array(try JSONCoding.encoder.encode(schedule)) } catch { throw Self.wrap(error) }
            return Decision(append: [Self.scheduleAppend(current.version, ScheduleEvents.set, payload, actor: actor.id)]) { _ in
                schedule
            }
        }
    }

    private static func submission(_ schedule: RecurringSchedule, _ occurrence: Date) -> JobSubmission {
        JobSubmission(
            id: schedule.jobID(for: occurrence), type: schedule.type, payload: schedule.payload,
            priority: schedule.priority, maxAttempts: schedule.maxAttempts, runAt: occurrence)
    }

    private static func owner(of schedule: RecurringSchedule) -> Actor {
        Actor(id: schedule.owner, role: schedule.role, organisation: schedule.organisation)
    }

    /// `schedule` with its names in stored form and its owner `actor` (in
    /// stored form, an admin or the system), once every field passed the
    /// checks a submission passes.
    private func checked(_ schedule: RecurringSchedule, by actor: Actor) throws(JobLedgerError) -> RecurringSchedule {
        var stored = schedule
        try Self.checkName(schedule.name)
        stored.type = try NameRule.name(schedule.type, field: "type")
        try JobInput.validateJSON(schedule.payload, field: "payload")
        guard schedule.payload.utf8.count <= options.store.limits.maxPayloadBytes - 1024 else {
            throw .invalidInput(field: "payload", reason: "is larger than the payload limit")
        }
        try JobInput.validatePriority(schedule.priority)
        try JobInput.validateMaxAttempts(schedule.maxAttempts)
        try LedgerInstant.check(schedule.start, field: "start")
        stored.start = JSONCoding.truncated(schedule.start)
        if let cron = schedule.cron {
            guard schedule.everySeconds == 0 else {
                throw .invalidInput(field: "every", reason: "a schedule has a period or a cron expression, not both")
            }
            let timeline = try Self.checkedTimeline(cron, zone: schedule.timeZone)
            stored.cron = timeline.expression.text
            stored.timeZone = schedule.timeZone ?? "UTC"
            guard stored.nextOccurrence(after: stored.start - 1) != nil else {
                throw .invalidInput(
                    field: "cron",
                    reason: "'\(cron)' never fires: no date from \(UTCTimestamp.text(stored.start)) on has a day and month it names")
            }
        } else {
            guard schedule.timeZone == nil else {
                throw .invalidInput(field: "timeZone", reason: "applies only to a schedule with a cron expression")
            }
            guard (1...RecurringSchedule.maxEverySeconds).contains(schedule.everySeconds) else {
                throw .invalidInput(
                    field: "every",
                    reason: "must be 1 to \(RecurringSchedule.maxEverySeconds) seconds, got \(schedule.everySeconds)")
            }
        }
        try NameRule.id(stored.jobID(for: stored.start), field: "name")
        stored.owner = actor.id
        stored.role = actor.role
        stored.organisation = actor.organisation
        return stored
    }

    /// The expression `cron` in the zone `zone` (UTC when `nil`), or an
    /// invalid-input error naming what is wrong.
    private static func checkedTimeline(_ cron: String, zone: String?) throws(JobLedgerError) -> CronTimeline {
        let expression: CronExpression
        do {
            expression = try CronExpression(parsing: cron)
        } catch {
            throw .invalidInput(field: "cron", reason: "'\(cron)': \(error)")
        }
        let name = zone ?? "UTC"
        guard name == "UTC" || TimeZone.knownTimeZoneIdentifiers.contains(name), let timeZone = TimeZone(identifier: name) else {
            throw .invalidInput(field: "timeZone", reason: "'\(name)' is not a time zone's IANA name such as Europe/Paris or UTC")
        }
        return CronTimeline(expression, zone: timeZone)
    }

    private static func checkName(_ name: String) throws(JobLedgerError) {
        try NameRule.id(name, field: "name")
        guard name.utf8.count <= RecurringSchedule.maxNameBytes else {
            throw .invalidInput(
                field: "name", reason: "is \(name.utf8.count) bytes; a schedule's name may have at most \(RecurringSchedule.maxNameBytes)")
        }
    }

    /// The command that sets `schedule`, or records its refusal when
    /// `actor` may not change schedules.
    private func scheduleSetting(_ schedule: RecurringSchedule, by actor: Actor) throws(JobLedgerError) -> DecidedCommand<RecurringSchedule> {
        let actor = try actor.normalized()
        if let refusal: DecidedCommand<RecurringSchedule> = refusedScheduler(
            actor, action: "set a schedule", name: schedule.name, reason: nil) {
            return refusal
        }
        return try scheduleChange(try checked(schedule, by: actor), actor: actor, reason: nil)
    }

    /// For an `actor` (in stored form) that may not change schedules, the
    /// command that records the refusal in ``SettingsAudit/stream`` and
    /// then throws `forbidden`, as a refused change of a type's settings
    /// does; `nil` for admins and the system.
    private func refusedScheduler<Answer>(
        _ actor: Actor, action: String, name: String, reason: String?
    ) -> DecidedCommand<Answer>? {
        settingsRefusal(
            by: actor, subject: ScheduleEvents.stream, action: action, reason: reason,
            why: "only an admin or the system may change recurring schedules ('\(InputQuote.bounded(name))')")
    }

    private func scheduleChange(
        _ schedule: RecurringSchedule, actor: Actor, reason: String?
    ) throws(JobLedgerError) -> DecidedCommand<RecurringSchedule> {
        DecidedCommand(subject: "(schedule \(schedule.name))") { () throws(JobLedgerError) in
            let current = try self.currentSchedules()
            let payload: [UInt8]
            do { payload = Array(try JSONCoding.encoder.encode(schedule)) } catch { throw Self.wrap(error) }
            return Decision(append: [Self.scheduleAppend(current.version, ScheduleEvents.set, payload, actor: schedule.owner)]) { _ in
                schedule
            }
        }
    }

    private func scheduleRemoval(_ name: String, actor: Actor, reason: String?) throws(JobLedgerError) -> DecidedCommand<Bool> {
        let actor = try actor.normalized()
        if let refusal: DecidedCommand<Bool> = refusedScheduler(actor, action: "remove a schedule", name: name, reason: reason) {
            return refusal
        }
        try Self.checkName(name)
        return DecidedCommand(subject: "(schedule \(name))") { () throws(JobLedgerError) in
            let current = try self.currentSchedules()
            guard current.schedules[name] != nil else { return Decision(append: []) { _ in false } }
            let payload: [UInt8]
            do {
                payload = Array(try JSONCoding.encoder.encode(
                    ScheduleEvents.Removal(name: name, removedBy: actor.id, reason: reason)))
            } catch {
                throw Self.wrap(error)
            }
            return Decision(append: [Self.scheduleAppend(current.version, ScheduleEvents.removed, payload, actor: actor.id)]) { _ in
                true
            }
        }
    }

    private static func scheduleAppend(_ version: UInt64, _ type: String, _ payload: [UInt8], actor: String) -> StreamAppend {
        StreamAppend(
            streamID: ScheduleEvents.stream, expectedVersion: version == 0 ? .noStream : .exact(version),
            events: [EventData(type: type, payload: payload, actor: actor)])
    }

    /// The schedules in force and the version of their stream they were
    /// read at (0: none ever set).
    /// Reads only what was appended since the version last folded
    /// (``ScheduleCache``).
    private func currentSchedules() throws(JobLedgerError) -> (schedules: [String: RecurringSchedule], version: UInt64) {
        do {
            return try scheduleCache.current(in: store)
        } catch {
            throw Self.wrap(error)
        }
    }
}
