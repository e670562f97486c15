import Foundation

/// Everything that can happen to a job, one case per stored event type.
public enum JobEvent: Sendable, Hashable {
    /// The job was created.
    case submitted(Submitted)
    /// A worker took the job for an attempt, with a lease.
    case claimed(Claimed)
    /// The worker extended its lease.
    case leaseRenewed(Claimed)
    /// The worker finished the job.
    case completed(Completed)
    /// An attempt failed and the job waits for another one.
    case attemptFailed(AttemptFailed)
    /// The job failed for good.
    case failed(Failed)
    /// Someone asked to cancel the running job.
    case cancelRequested(Stop)
    /// The job was cancelled (while pending, or acknowledged by its worker).
    case cancelled(Stop)
    /// An administrator killed the job.
    case killed(Stop)
    /// A lease ran out; `nextState` says where the job went.
    case leaseExpired(LeaseExpired)
    /// A finished job was put back to pending.
    case retried(Retried)
    /// An attempt ran past the job's timeout; `nextState` says where the job went.
    case timedOut(TimedOut)
    /// A job this one waits for completed.
    case dependencyMet(DependencyMet)
    /// Retention moved the job's earlier events into an archive file; the
    /// job as it stood then stands in for them.
    case archived(Archived)

    /// Data of `JobSubmitted`.
    public struct Submitted: Sendable, Hashable, Codable {
        public var id: String
        public var type: String
        public var owner: String
        public var organisation: String
        public var batch: String?
        public var payload: String
        public var priority: Int
        public var maxAttempts: Int
        /// Not claimable before this time; absent from events of jobs that run at once.
        public var runAt: Date?
        /// The longest an attempt may run, in milliseconds; absent for no limit.
        public var timeoutMillis: Int?
        /// Jobs to wait for; absent (never empty) when there are none.
        public var after: [String]?
        /// Labels to find the job by; absent (never empty) when there are none.
        public var tags: [String]?
        /// The unique key the job holds (scoped by its organisation and
        /// type); absent for jobs submitted without one.
        public var unique: String?
        /// The window the key was asked for, in milliseconds; set with ``unique``.
        public var uniqueWindowMillis: Int?

        /// Creates the event data.
        public init(
            id: String, type: String, owner: String, organisation: String, batch: String? = nil, payload: String,
            priority: Int, maxAttempts: Int, runAt: Date? = nil, timeoutMillis: Int? = nil, after: [String]? = nil,
            tags: [String]? = nil, unique: String? = nil, uniqueWindowMillis: Int? = nil
        ) {
            self.unique = unique
            self.uniqueWindowMillis = uniqueWindowMillis
            self.tags = tags?.isEmpty == true ? nil : tags
            self.id = id
            self.type = type
            self.owner = owner
            self.organisation = organisation
            self.batch = batch
            self.payload = payload
            self.priority = priority
            self.maxAttempts = maxAttempts
            self.runAt = runAt
            self.timeoutMillis = timeoutMillis
            self.after = after?.isEmpty == true ? nil : after
        }
    }

    /// Data of `JobClaimed` and `LeaseRenewed`.
    public struct Claimed: Sendable, Hashable, Codable {
        public var worker: String
        public var attempt: Int
        public var leaseUntil: Date


        /// Creates the event data.
        public init(worker: String, attempt: Int, leaseUntil: Date) {
            self.worker = worker
            self.attempt = attempt
            self.leaseUntil = leaseUntil
        }
    }

    /// Data of `JobCompleted`.
    public struct Completed: Sendable, Hashable, Codable {
        public var worker: String
        public var attempt: Int
        public var result: String?


        /// Creates the event data.
        public init(worker: String, attempt: Int, result: String? = nil) {
            self.worker = worker
            self.attempt = attempt
            self.result = result
        }
    }

    /// Data of `AttemptFailed`.
    public struct AttemptFailed: Sendable, Hashable, Codable {
        public var worker: String
        public var attempt: Int
        public var error: String
        public var retryAt: Date


        /// Creates the event data.
        public init(worker: String, attempt: Int, error: String, retryAt: Date) {
            self.worker = worker
            self.attempt = attempt
            self.error = error
            self.retryAt = retryAt
        }
    }

    /// Data of `JobFailed`, schema version 2.
    ///
    /// Version 1 stored whether the worker called the error retryable; a
    /// job fails for good on a retryable error only when it has no attempt
    /// left, so version 2 stores that as the cause, which readers of the
    /// history and the export no longer have to work out.
    public struct Failed: Sendable, Hashable, Codable {
        public var worker: String
        public var attempt: Int
        public var error: String
        /// Why the job failed for good.
        public var cause: FailureCause

        /// Whether the worker called the error retryable (and the job ran out of attempts).
        public var retryable: Bool { cause == .attemptsExhausted }

        /// Creates the event data.
        public init(worker: String, attempt: Int, error: String, cause: FailureCause) {
            self.worker = worker
            self.attempt = attempt
            self.error = error
            self.cause = cause
        }

        /// Creates the event data of a failure the worker called `retryable`
        /// (which fails the job for good only on its last attempt).
        public init(worker: String, attempt: Int, error: String, retryable: Bool) {
            self.init(worker: worker, attempt: attempt, error: error, cause: retryable ? .attemptsExhausted : .notRetryable)
        }
    }

    /// Why a job failed for good (`JobFailed`).
    public enum FailureCause: String, Sendable, Hashable, Codable {
        /// The worker reported an error it called permanent.
        case notRetryable
        /// The worker reported a retryable error on the job's last attempt.
        case attemptsExhausted
    }

    /// Data of `CancelRequested`, `JobCancelled` and `JobKilled`.
    public struct Stop: Sendable, Hashable, Codable {
        public var actor: String
        public var reason: String


        /// Creates the event data.
        public init(actor: String, reason: String) {
            self.actor = actor
            self.reason = reason
        }
    }

    /// Data of `LeaseExpired`.
    public struct LeaseExpired: Sendable, Hashable, Codable {
        public var worker: String
        public var attempt: Int
        public var nextState: JobState
        public var retryAt: Date?


        /// Creates the event data.
        public init(worker: String, attempt: Int, nextState: JobState, retryAt: Date? = nil) {
            self.worker = worker
            self.attempt = attempt
            self.nextState = nextState
            self.retryAt = retryAt
        }
    }

    /// Data of `JobRetried`.
    public struct Retried: Sendable, Hashable, Codable {
        public var actor: String


        /// Creates the event data.
        public init(actor: String) {
            self.actor = actor
        }
    }

    /// Data of `JobTimedOut`.
    public struct TimedOut: Sendable, Hashable, Codable {
        public var worker: String
        public var attempt: Int
        public var nextState: JobState
        public var retryAt: Date?
        /// The timeout the attempt ran past, in milliseconds.
        public var timeoutMillis: Int

        /// Creates the event data.
        public init(worker: String, attempt: Int, nextState: JobState, retryAt: Date? = nil, timeoutMillis: Int) {
            self.worker = worker
            self.attempt = attempt
            self.nextState = nextState
            self.retryAt = retryAt
            self.timeoutMillis = timeoutMillis
        }
    }

    /// Data of `DependencyMet`.
    public struct DependencyMet: Sendable, Hashable, Codable {
        /// The job that completed.
        public var dependency: String

        /// Creates the event data.
        public init(dependency: String) {
            self.dependency = dependency
        }
    }

    /// Data of `JobArchived`: the snapshot that stands in for a job's
    /// archived events, so that commands, the projection and its rebuild
    /// still know the job.
    public struct Archived: Sendable, Hashable, Codable {
        /// The archive file's name (without its directory).
        public var archive: String
        /// The digest of the archive's closing line.
        public var archiveDigest: String
        /// How many events of the job and of its audit stream the archive holds.
        public var archivedEvents: Int
        /// The job's state when archived.
        public var state: JobState
        /// The type of the job's last event before the snapshot: the one
        /// that ended it, such as `JobCompleted`.
        public var endedBy: String
        /// That event's position, now archived.
        public var endedAt: UInt64
        /// The job as the projection stored it, in its binary record form,
        /// base64-encoded.
        public var record: String

        /// Creates the event data.
        public init(
            archive: String, archiveDigest: String, archivedEvents: Int, state: JobState, endedBy: String,
            endedAt: UInt64, record: String
        ) {
            self.archive = archive
            self.archiveDigest = archiveDigest
            self.archivedEvents = archivedEvents
            self.state = state
            self.endedBy = endedBy
            self.endedAt = endedAt
            self.record = record
        }

        /// The job the snapshot holds; `nil` when the record does not read.
        var job: Job? {
            guard let bytes = Data(base64Encoded: record) else { return nil }
            return try? JobRecord.decode(Array(bytes))
        }
    }

    /// The stored event type name.
    public var typeName: String { JobEventKind.of(self).typeName }

    /// The stored type of lease renewals, which commute with cancel and kill.
    public static let leaseRenewedType = "LeaseRenewed"

    /// The stored type of retention's snapshot of an archived job.
    public static let archivedType = "JobArchived"

    /// Every event type name of a job stream.
    public static let typeNames: Set<String> = Set(JobEventKind.all.map(\.typeName))
}
