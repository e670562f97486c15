import EventStore
import Foundation
import LedgerWire

/// The JSON coders for event payloads and projection records.
///
/// Keys are sorted so equal values give equal bytes; dates are ISO-8601 UTC
/// with milliseconds, the same text the command line shows.
enum JSONCoding {
    static let encoder = LedgerJSONEncoding.encoder(dateText: { UTCTimestamp.text($0) })

    static let decoder: JSONDecoder = {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .custom { decoder in
            let container = try decoder.singleValueContainer()
            let text = try container.decode(String.self)
            guard let date = UTCTimestamp.date(from: text) else {
                throw DecodingError.dataCorruptedError(
                    in: container, debugDescription: "'\(text)' is not an ISO-8601 time")
            }
            // The same rule as the flat reader's: a stored time outside the
            // ledger's range is damage, not a time to fold into a job.
            guard LedgerInstant.isAccepted(date) else {
                throw DecodingError.dataCorruptedError(
                    in: container,
                    debugDescription: "'\(text)' is outside \(LedgerTimeRange.description)")
            }
            return truncated(date)
        }
        return decoder
    }()

    /// Rounds to the nearest millisecond, the precision that survives JSON.
    ///
    /// Every date of the jobs domain passes through here, so a date decided
    /// by a command, read back from an event and read back from the
    /// projection is the very same `Date` value. Idempotent. A date with no
    /// whole number of milliseconds in an Int64 is returned as it is (it
    /// is refused wherever a time enters the ledger) rather than trapping.
    static func truncated(_ date: Date) -> Date {
        guard let millis = Int64(exactly: (date.timeIntervalSince1970 * 1000).rounded()) else { return date }
        return Date(timeIntervalSince1970: Double(millis) / 1000)
    }
}

/// Decoding of job events as stored (type name + JSON), through the kind
/// of each type name (``JobEventKind``).
extension JobEvent {
    /// Decodes a stored event; `nil` for a type that is not a job event.
    static func decode(type: String, payload: [UInt8]) throws -> JobEvent? {
        guard let kind = JobEventKind.byTypeName[type] else { return nil }
        if let event = FlatJSONObject(parsing: payload).flatMap({ kind.flat(FlatFields(object: $0)) }) { return event }
        return try kind.general(Data(payload))
    }

    /// The fast path of ``decode(type:payload:)``: `nil` when the payload
    /// is not a flat object with the fields of `type`.
    static func decodeFlat(type: String, payload: [UInt8]) -> JobEvent? {
        guard let kind = JobEventKind.byTypeName[type] else { return nil }
        return FlatJSONObject(parsing: payload).flatMap { kind.flat(FlatFields(object: $0)) }
    }

    /// The general decoder behind ``decode(type:payload:)``, which also
    /// gives the precise error for bad input.
    static func decodeGeneral(type: String, payload: [UInt8]) throws -> JobEvent? {
        try JobEventKind.byTypeName[type].map { try $0.general(Data(payload)) }
    }
}
