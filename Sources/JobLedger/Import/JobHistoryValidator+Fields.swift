import EventStore
import Foundation

/// The fields of an imported job event, checked as the commands check their
/// input: names and ids, JSON payloads and results, times within the
/// ledger's range and not before the event was recorded.
extension JobHistoryValidator {
    static func checkField(_ line: Int, _ check: () throws(JobLedgerError) -> Void) throws {
        do {
            try check()
        } catch {
            throw Refusal(line: line, reason: InputQuote.bounded(error.description, limit: 300))
        }
    }

    func checkFields(of event: JobEvent, jobID: String, at line: ImportedLine) throws {
        func refuse(_ reason: String) -> Refusal { Refusal(line: line.number, reason: reason) }
        func time(_ date: Date, _ field: String) throws {
            let millis = (date.timeIntervalSince1970 * 1000).rounded()
            guard millis.isFinite, millis >= Double(LedgerTimeRange.millis.lowerBound),
                  millis < Double(LedgerTimeRange.millis.upperBound)
            else { throw refuse("\(field) is outside \(LedgerTimeRange.description)") }
            guard date.timeIntervalSince1970 * 1_000_000 >= Double(line.recordedAtMicros) else {
                throw refuse("\(field) is before the event was recorded")
            }
        }
        switch event {
        case .submitted(let data):
            guard data.id == jobID else {
                throw refuse("the JobSubmitted names job '\(InputQuote.bounded(data.id))' but its stream is job '\(jobID)'s")
            }
            try Self.checkField(line.number) { () throws(JobLedgerError) in
                try JobInput.validateName(data.type, field: "type")
                try JobInput.validateName(data.owner, field: "owner")
                try JobInput.validateName(data.organisation, field: "organisation")
                if let batch = data.batch { try JobInput.validateID(batch, field: "batch") }
                try JobInput.validateJSON(data.payload, field: "payload")
                for dependency in data.after ?? [] { try JobInput.validateID(dependency, field: "after") }
                for tag in data.tags ?? [] { try JobInput.validateName(tag, field: "tag") }
                if let millis = data.timeoutMillis { try JobInput.validateTimeout(TimeInterval(millis) / 1000) }
                if let key = data.unique { try JobInput.validateName(key, field: "unique key") }
                if let millis = data.uniqueWindowMillis { try JobInput.validateUniqueWindow(TimeInterval(millis) / 1000) }
            }
            guard (data.unique == nil) == (data.uniqueWindowMillis == nil) else {
                throw refuse("the JobSubmitted gives a unique key without its window, or a window without a key")
            }
            guard data.owner == line.event.actor else { throw refuse("the JobSubmitted's owner is not its actor") }
            guard data.maxAttempts >= 1 else { throw refuse("invalid maxAttempts: must be at least 1, got \(data.maxAttempts)") }
        case .claimed(let data), .leaseRenewed(let data):
            try Self.checkField(line.number) { () throws(JobLedgerError) in try JobInput.validateName(data.worker, field: "worker") }
            try time(data.leaseUntil, "leaseUntil")
        case .completed(let data):
            if let result = data.result {
                try Self.checkField(line.number) { () throws(JobLedgerError) in try JobInput.validateJSON(result, field: "result") }
            }
        case .attemptFailed(let data):
            try time(data.retryAt, "retryAt")
        case .leaseExpired(let data):
            if let retryAt = data.retryAt { try time(retryAt, "retryAt") }
        case .timedOut(let data):
            if let retryAt = data.retryAt { try time(retryAt, "retryAt") }
        case .dependencyMet(let data):
            try Self.checkField(line.number) { () throws(JobLedgerError) in try JobInput.validateID(data.dependency, field: "dependency") }
        case .failed, .cancelRequested, .cancelled, .killed, .retried:
            break
        case .archived:
            throw refuse(
                "a JobArchived stands in for events moved to an archive file by retention and cannot be imported; import a ledger that was never scavenged")
        }
    }
}
