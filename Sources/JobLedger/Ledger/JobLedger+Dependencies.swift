import EventStore
import Foundation

extension JobLedger {
    // MARK: Dependencies

    /// After `job` changed: when it ended (completed, failed, cancelled or
    /// killed), tells every job waiting for it, and when that cancels a
    /// waiting job, every job waiting for that one, and so on. A job of a
    /// batch that names a follow-up enqueues it when it was the batch's
    /// last job to end (``followUpAfterEnd(ofBatch:)``).
    ///
    /// Each waiting job hears it by its own command, decided on its own
    /// stream and appended with the version read, by the system: a
    /// completion appends `DependencyMet`, any other end `JobCancelled`
    /// naming the dependency. Not atomic with the end itself: a process
    /// that stops in between leaves the news for ``resolveDependencies()``.
    func releaseDependents(of job: Job?) throws(JobLedgerError) {
        guard let job, job.state.isTerminal else { return }
        var ended: [Job] = [job]
        while let dependency = ended.popLast() {
            for dependent in try jobsWaiting(for: dependency.id) {
                let result = try execute(resolution(of: dependent, dependency: dependency))
                if result.outcome == .cancelled, let cancelled = result.job { ended.append(cancelled) }
            }
            if let batch = dependency.batch { followUpAfterEnd(ofBatch: batch) }
        }
    }

    /// The async form of ``releaseDependents(of:)``.
    func releaseDependents(of job: Job?) async throws(JobLedgerError) {
        guard let job, job.state.isTerminal else { return }
        var ended: [Job] = [job]
        while let dependency = ended.popLast() {
            for dependent in try jobsWaiting(for: dependency.id) {
                let result = try await execute(resolution(of: dependent, dependency: dependency))
                if result.outcome == .cancelled, let cancelled = result.job { ended.append(cancelled) }
            }
            if let batch = dependency.batch { await followUpAfterEnd(ofBatch: batch) }
        }
    }

    /// After the submission of `job`: the jobs it waits for that had already
    /// ended by then are resolved at once. Together with
    /// ``releaseDependents(of:)`` this leaves no gap: a dependency that ends
    /// before the submission is stored is seen here, one that ends after
    /// finds the submission in the waiting index.
    func resolveWaits(of job: Job) throws(JobLedgerError) {
        for dependency in try endedDependencies(of: job) {
            let result = try execute(resolution(of: job.id, dependency: dependency))
            if result.outcome == .cancelled {
                try releaseDependents(of: result.job)
                return
            }
        }
    }

    /// The async form of ``resolveWaits(of:)``.
    func resolveWaits(of job: Job) async throws(JobLedgerError) {
        for dependency in try endedDependencies(of: job) {
            let result = try await execute(resolution(of: job.id, dependency: dependency))
            if result.outcome == .cancelled {
                try await releaseDependents(of: result.job)
                return
            }
        }
    }

    /// Resolves every waiting job whose dependency has ended: what
    /// ``releaseDependents(of:)`` would have done had the process that ended
    /// the dependency not stopped first. Reads the whole waiting index, so
    /// it belongs in a periodic sweep. Returns the ids of the jobs moved.
    @discardableResult
    public func resolveDependencies() throws(JobLedgerError) -> [String] {
        var moved: [String] = []
        for (dependent, dependency) in try endedWaits() {
            let result = try execute(resolution(of: dependent, dependency: dependency))
            guard result.outcome == .cancelled || result.outcome == .dependencyMet else { continue }
            moved.append(dependent)
            if result.outcome == .cancelled { try releaseDependents(of: result.job) }
        }
        return moved
    }

    /// The async form of ``resolveDependencies()``.
    @discardableResult
    public func resolveDependencies() async throws(JobLedgerError) -> [String] {
        var moved: [String] = []
        for (dependent, dependency) in try endedWaits() {
            let result = try await execute(resolution(of: dependent, dependency: dependency))
            guard result.outcome == .cancelled || result.outcome == .dependencyMet else { continue }
            moved.append(dependent)
            if result.outcome == .cancelled { try await releaseDependents(of: result.job) }
        }
        return moved
    }

    /// One waiting job told that `dependency` ended, by the system. A
    /// dependency cancelled because one of its own dependencies ended passes
    /// that first cause on, so a whole chain is cancelled with one reason.
    /// A refusal (the job moved on, or heard it already) is not audited:
    /// there was nothing to do.
    private func resolution(of dependent: String, dependency: Job) throws(JobLedgerError) -> DecidedCommand<CommandResult> {
        var cause: String? = nil
        if dependency.state == .cancelled, dependency.stopRequestedBy == Actor.system.id,
           let reason = dependency.stopReason, reason.hasPrefix("dependency '") {
            cause = reason
        }
        let command = JobCommand.resolveDependency(dependency: dependency.id, state: dependency.state, cause: cause)
        return try jobCommand(
            dependent, command, actor: .system, reason: cause ?? "dependency '\(dependency.id)' \(dependency.state.rawValue)",
            auditRefusal: false
        ) { $0 }
    }

    /// The ids of the jobs waiting for `id`, from the waiting index.
    func jobsWaiting(for id: String) throws(JobLedgerError) -> [String] {
        let prefix = JobIndexes.text(id)
        do {
            return try store.readProjections { tables in
                var ids: [String] = []
                try tables.scan(JobTables.waiting, prefix: prefix) { dependent, _ in
                    ids.append(String(decoding: dependent, as: UTF8.self))
                    return true
                }
                return ids
            }
        } catch {
            throw Self.wrap(error)
        }
    }

    /// The jobs `job` still waits for that have ended.
    private func endedDependencies(of job: Job) throws(JobLedgerError) -> [Job] {
        var ended: [Job] = []
        for dependency in job.waitingFor {
            if let found = try storedJob(dependency), found.state.isTerminal { ended.append(found) }
        }
        return ended
    }

    /// Every entry of the waiting index whose dependency has ended.
    private func endedWaits() throws(JobLedgerError) -> [(dependent: String, dependency: Job)] {
        do {
            return try store.readProjections { tables in
                var found: [(dependent: String, dependency: Job)] = []
                var states: [String: Job?] = [:]
                try tables.scan(JobTables.waiting) { key, _ in
                    guard let zero = key.firstIndex(of: 0) else { return true }
                    let dependency = String(decoding: key[..<zero], as: UTF8.self)
                    let dependent = String(decoding: key[(zero + 1)...], as: UTF8.self)
                    if states[dependency] == nil {
                        states[dependency] = .some(try tables.get(JobTables.jobs, Array(dependency.utf8)).map(JobRecord.decode))
                    }
                    if let ended = states[dependency] ?? nil, ended.state.isTerminal {
                        found.append((dependent, ended))
                    }
                    return true
                }
                return found
            }
        } catch {
            throw Self.wrap(error)
        }
    }

    /// The dependencies of a submission, checked: each a valid id of a job
    /// the ledger holds, given once (the first time counts), at most
    /// ``JobLimits/maxDependencies``.
    func checkedDependencies(_ after: [String]) throws(JobLedgerError) -> [String] {
        var seen = Set<String>()
        var ids: [String] = []
        for id in after where !seen.contains(id) {
            try JobInput.validateID(id, field: "after")
            seen.insert(id)
            ids.append(id)
        }
        guard ids.count <= JobLimits.maxDependencies else {
            throw .invalidInput(
                field: "after", reason: "names \(ids.count) jobs; a job may wait for at most \(JobLimits.maxDependencies)")
        }
        for id in ids where try storedJob(id) == nil {
            throw .invalidInput(field: "after", reason: "no job '\(id)' to wait for")
        }
        return ids
    }
}
