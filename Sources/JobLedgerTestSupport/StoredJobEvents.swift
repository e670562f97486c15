import EventStore
import Foundation
import JobLedger

/// Decodes stored job events from their type names and JSON payloads with a
/// decoder of its own, so that checks do not rely on the ledger's reader.
package enum StoredJobEvents {
    /// A job stream held an event type that is not a job event.
    package struct UnknownType: Error, CustomStringConvertible {
        /// The stored type.
        package let type: String
        /// `'X' is not a job event type`.
        package var description: String { "'\(type)' is not a job event type" }
    }

    /// A decoder for job event payloads and audit entries: ISO-8601 times
    /// with fractional seconds, kept to the millisecond.
    package static func decoder() -> JSONDecoder {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .custom { decoder in
            let container = try decoder.singleValueContainer()
            let text = try container.decode(String.self)
            guard let date = try? Date.ISO8601FormatStyle(includingFractionalSeconds: true).parse(text) else {
                throw DecodingError.dataCorruptedError(in: container, debugDescription: "'\(text)' is not an ISO-8601 time")
            }
            return wholeMilliseconds(date)
        }
        return decoder
    }

    /// The job event stored as `event`.
    package static func decode(_ event: RecordedEvent, with decoder: JSONDecoder) throws -> JobEvent {
        let data = Data(event.payload)
        switch event.type {
        case "JobSubmitted": return .submitted(try decoder.decode(JobEvent.Submitted.self, from: data))
        case "JobClaimed": return .claimed(try decoder.decode(JobEvent.Claimed.self, from: data))
        case "LeaseRenewed": return .leaseRenewed(try decoder.decode(JobEvent.Claimed.self, from: data))
        case "JobCompleted": return .completed(try decoder.decode(JobEvent.Completed.self, from: data))
        case "AttemptFailed": return .attemptFailed(try decoder.decode(JobEvent.AttemptFailed.self, from: data))
        case "JobFailed": return .failed(try decoder.decode(JobEvent.Failed.self, from: data))
        case "CancelRequested": return .cancelRequested(try decoder.decode(JobEvent.Stop.self, from: data))
        case "JobCancelled": return .cancelled(try decoder.decode(JobEvent.Stop.self, from: data))
        case "JobKilled": return .killed(try decoder.decode(JobEvent.Stop.self, from: data))
        case "LeaseExpired": return .leaseExpired(try decoder.decode(JobEvent.LeaseExpired.self, from: data))
        case "JobRetried": return .retried(try decoder.decode(JobEvent.Retried.self, from: data))
        default: throw UnknownType(type: event.type)
        }
    }

    /// Dates of the jobs domain are kept to the millisecond.
    package static func wholeMilliseconds(_ date: Date) -> Date {
        Date(timeIntervalSince1970: (date.timeIntervalSince1970 * 1000).rounded() / 1000)
    }
}
