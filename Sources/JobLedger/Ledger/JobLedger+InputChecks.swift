import EventStore
import Foundation

extension JobLedger {
    /// Refuses `date` for `field` unless it lies inside ``LedgerTimeRange``,
    /// the instants the ledger stores and searches.
    public static func checkInstant(_ date: Date, field: String) throws(JobLedgerError) {
        try LedgerInstant.check(date, field: field)
    }
}

extension JobLedger {
    /// Refuses a lease that is not finite, not positive, or longer than
    /// ``JobLimits/maxLeaseSeconds``: what `claim` and `renewLease` check.
    public static func checkLease(_ seconds: TimeInterval) throws(JobLedgerError) {
        try JobInput.validateLease(seconds)
    }

    /// Refuses a priority outside ``JobLimits/priority`` or a number of
    /// attempts outside ``JobLimits/maxAttempts``: what `submit` checks.
    public static func checkNumbers(of submission: JobSubmission) throws(JobLedgerError) {
        try JobInput.validateMaxAttempts(submission.maxAttempts)
        try JobInput.validatePriority(submission.priority)
        if let delay = submission.delay {
            guard submission.runAt == nil else { throw .invalidInput(field: "delay", reason: "cannot be given with runAt; give one of them") }
            try JobInput.validateDelay(delay)
        }
        if let runAt = submission.runAt { try LedgerInstant.check(runAt, field: "runAt") }
        if let timeout = submission.timeout { try JobInput.validateTimeout(timeout) }
        for id in submission.after { try JobInput.validateID(id, field: "after") }
        if let unique = submission.unique { _ = try checkedUnique(unique) }
    }
}
