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
/// of each type name (``JobEventKind``). An event written in an older
/// schema version is rewritten in the current shape by its kind's
/// upcasters before either decoder reads it, so every reader sees the
/// current shape; one written in a newer version is refused.
extension JobEvent {
    /// Decodes a stored event; `nil` for a type that is not a job event.
    /// `position`, when known, names the event in errors.
    static func decode(type: String, payload: [UInt8], position: UInt64? = nil) throws -> JobEvent? {
        guard let kind = JobEventKind.byTypeName[type] else { return nil }
        let flat = FlatJSONObject(parsing: payload)
        let version = try storedVersion(kind, payload, flat: flat, position: position)
        if version == kind.schemaVersion {
            if let flat, let event = kind.flat(FlatFields(object: flat)) { return event }
            return try kind.general(Data(payload))
        }
        let current = try upcast(kind, payload, from: version, position: position)
        if let event = FlatJSONObject(parsing: current).flatMap({ kind.flat(FlatFields(object: $0)) }) { return event }
        return try kind.general(Data(current))
    }

    /// Decodes the job event `event` records; `nil` for a type that is not
    /// a job event. Errors name its position.
    static func decode(_ event: RecordedEvent) throws -> JobEvent? {
        try decode(type: event.type, payload: event.payload, position: event.position)
    }

    /// The fast path of ``decode(type:payload:position:)``: `nil` when the
    /// payload is not a flat object with the fields of `type` in its current
    /// schema version.
    static func decodeFlat(type: String, payload: [UInt8]) -> JobEvent? {
        guard let kind = JobEventKind.byTypeName[type], let object = FlatJSONObject(parsing: payload),
              (try? StoredSchemaVersion.read(flat: object)) == kind.schemaVersion
        else { return nil }
        return kind.flat(FlatFields(object: object))
    }

    /// The general decoder behind ``decode(type:payload:position:)``, older
    /// versions through the upcasters, which also gives the precise error
    /// for bad input.
    static func decodeGeneral(type: String, payload: [UInt8]) throws -> JobEvent? {
        guard let kind = JobEventKind.byTypeName[type] else { return nil }
        let version = try storedVersion(kind, payload, flat: nil, position: nil)
        if version == kind.schemaVersion { return try kind.general(Data(payload)) }
        return try kind.general(Data(try upcast(kind, payload, from: version, position: nil)))
    }

    /// The stored fields of a job event in the current shape, without the
    /// schema version, as JSON text: what history and the dashboard show.
    /// Any other event, and a job event this build cannot read, is shown
    /// as stored.
    package static func currentDataText(type: String, payload: [UInt8]) -> String {
        guard let kind = JobEventKind.byTypeName[type], kind.schemaVersion > 1 || (try? StoredSchemaVersion.read(payload: payload)) != 1,
              let event = try? decode(type: type, payload: payload)
        else { return String(decoding: payload, as: UTF8.self) }
        return String(decoding: kind.fields(event), as: UTF8.self)
    }

    private static func storedVersion(
        _ kind: JobEventKind, _ payload: [UInt8], flat: FlatJSONObject?, position: UInt64?
    ) throws(JobEventSchemaError) -> Int {
        do {
            return try flat.map { (object) throws(StoredSchemaVersion.Problem) in try StoredSchemaVersion.read(flat: object) }
                ?? StoredSchemaVersion.read(payload: payload)
        } catch {
            throw JobEventSchemaError(type: kind.typeName, position: position, problem: .malformedVersion)
        }
    }

    private static func upcast(
        _ kind: JobEventKind, _ payload: [UInt8], from version: Int, position: UInt64?
    ) throws(JobEventSchemaError) -> [UInt8] {
        guard version < kind.schemaVersion else {
            throw JobEventSchemaError(
                type: kind.typeName, position: position, problem: .newerVersion(version: version, newest: kind.schemaVersion))
        }
        do {
            return try kind.upcast(payload, version)
        } catch {
            throw JobEventSchemaError(
                type: kind.typeName, position: position, problem: .upcastFailed(version: version, reason: "\(error)"))
        }
    }
}
