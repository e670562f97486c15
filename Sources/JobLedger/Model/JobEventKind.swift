import EventStore
import Foundation

/// The data of one kind of job event, with its stored form: written as a
/// flat JSON object with sorted keys, read back by the flat fast path and,
/// for anything else, by its `Decodable` conformance (the precise errors).
protocol JobEventData: Sendable, Hashable, Decodable {
    /// Writes the fields, keys in sorted order.
    func write(to json: inout JSONObjectWriter)
    /// Reads the fields; `nil` when one is missing or of another kind.
    init?(flat fields: FlatFields)
    /// Replaces each instant the data carries with `body(field, instant)`.
    mutating func mapInstants(_ body: (String, Date) -> Date)
    /// The schema version this build writes the data in (1 unless its
    /// shape changed); a stored event records it only when above 1.
    static var schemaVersion: Int { get }
    /// Turns the stored fields of schema `version` into those of
    /// `version + 1`: written once, when the shape changes, beside the
    /// data's stored fields, and run on every older event read.
    static func upcast(_ fields: inout [String: StoredField], from version: Int) throws
}

extension JobEventData {
    /// Data without instants.
    mutating func mapInstants(_ body: (String, Date) -> Date) {}

    /// Data whose shape never changed.
    static var schemaVersion: Int { 1 }

    /// Data whose shape never changed has nothing older to read.
    static func upcast(_ fields: inout [String: StoredField], from version: Int) throws {
        throw UpcastError("no upcaster from version \(version)")
    }
}

/// One kind of job event: its stored type name, its data type and its case.
///
/// ``all`` is the one list of kinds; the type names, payload encoding,
/// both decoders and the instants of ``JobEvent`` all derive from it.
struct JobEventKind: Sendable {
    /// The stored event type name.
    let typeName: String
    /// Whether an event is of this kind.
    let matches: @Sendable (JobEvent) -> Bool
    /// The schema version events of this kind are written in.
    let schemaVersion: Int
    /// The payload of an event of this kind, its schema version first when above 1.
    let payload: @Sendable (JobEvent) -> [UInt8]
    /// The fields of an event of this kind without the schema version: its
    /// data in the current shape, as history and the dashboard show it.
    let fields: @Sendable (JobEvent) -> [UInt8]
    /// The payload of schema `version` (older than ``schemaVersion``)
    /// rewritten in the current shape by the data's upcasters.
    let upcast: @Sendable (_ payload: [UInt8], _ version: Int) throws -> [UInt8]
    /// The event with each instant replaced by what its stored text reads back as.
    let mapInstants: @Sendable (JobEvent, (String, Date) -> Date) -> JobEvent
    /// The flat fast path.
    let flat: @Sendable (FlatFields) -> JobEvent?
    /// The general decoder.
    let general: @Sendable (Data) throws -> JobEvent

    /// The kind stored as `typeName`, whose data `Fields` the case `make` carries
    /// and `data` takes out of an event (`nil` for another case).
    init<Fields: JobEventData>(
        _ typeName: String, _ make: @escaping @Sendable (Fields) -> JobEvent,
        _ data: @escaping @Sendable (JobEvent) -> Fields?
    ) {
        self.typeName = typeName
        schemaVersion = Fields.schemaVersion
        matches = { data($0) != nil }
        payload = { event in
            var json = JSONObjectWriter()
            if Fields.schemaVersion > 1 { json.int(StoredSchemaVersion.key, Fields.schemaVersion) }
            data(event)?.write(to: &json)
            return json.finish()
        }
        fields = { event in
            var json = JSONObjectWriter()
            data(event)?.write(to: &json)
            return json.finish()
        }
        upcast = { payload, version in
            var fields = try StoredSchemaVersion.fields(of: payload)
            fields[StoredSchemaVersion.keyText] = nil
            for step in version..<Fields.schemaVersion { try Fields.upcast(&fields, from: step) }
            return try StoredSchemaVersion.payload(fields)
        }
        mapInstants = { event, body in
            guard var value = data(event) else { return event }
            value.mapInstants(body)
            return make(value)
        }
        flat = { Fields(flat: $0).map(make) }
        general = { make(try JSONCoding.decoder.decode(Fields.self, from: $0)) }
    }

    /// Every kind of job event. Adding an event type: its case and data
    /// struct in ``JobEvent``, the data's ``JobEventData`` conformance, one
    /// line here and its place in ``index(of:)``, and its rules in
    /// ``JobDecider`` and ``JobEvolver``. Changing the shape of a kind's
    /// data: raise its ``JobEventData/schemaVersion`` and write its
    /// ``JobEventData/upcast(_:from:)`` from the version before, beside its
    /// stored fields (`JobEvent.Failed` is at version 2).
    static let all: [JobEventKind] = [
        .init("JobSubmitted", JobEvent.submitted) { if case .submitted(let data) = $0 { data } else { nil } },
        .init("JobClaimed", JobEvent.claimed) { if case .claimed(let data) = $0 { data } else { nil } },
        .init("LeaseRenewed", JobEvent.leaseRenewed) { if case .leaseRenewed(let data) = $0 { data } else { nil } },
        .init("JobCompleted", JobEvent.completed) { if case .completed(let data) = $0 { data } else { nil } },
        .init("AttemptFailed", JobEvent.attemptFailed) { if case .attemptFailed(let data) = $0 { data } else { nil } },
        .init("JobFailed", JobEvent.failed) { if case .failed(let data) = $0 { data } else { nil } },
        .init("CancelRequested", JobEvent.cancelRequested) { if case .cancelRequested(let data) = $0 { data } else { nil } },
        .init("JobCancelled", JobEvent.cancelled) { if case .cancelled(let data) = $0 { data } else { nil } },
        .init("JobKilled", JobEvent.killed) { if case .killed(let data) = $0 { data } else { nil } },
        .init("LeaseExpired", JobEvent.leaseExpired) { if case .leaseExpired(let data) = $0 { data } else { nil } },
        .init("JobRetried", JobEvent.retried) { if case .retried(let data) = $0 { data } else { nil } },
        .init("JobTimedOut", JobEvent.timedOut) { if case .timedOut(let data) = $0 { data } else { nil } },
        .init("DependencyMet", JobEvent.dependencyMet) { if case .dependencyMet(let data) = $0 { data } else { nil } },
        .init("JobArchived", JobEvent.archived) { if case .archived(let data) = $0 { data } else { nil } },
    ]

    /// The stored type of submissions, the one event that carries a payload.
    static let submittedType = "JobSubmitted"

    /// The kinds by stored type name.
    static let byTypeName: [String: JobEventKind] = Dictionary(uniqueKeysWithValues: all.map { ($0.typeName, $0) })

    /// The kind of `event`.
    static func of(_ event: JobEvent) -> JobEventKind { all[index(of: event)] }

    /// The place of `event`'s kind in ``all``: one switch that the compiler
    /// keeps exhaustive and a test keeps in the list's order, so finding a
    /// kind does not try each line of the list.
    static func index(of event: JobEvent) -> Int {
        switch event {
        case .submitted: 0
        case .claimed: 1
        case .leaseRenewed: 2
        case .completed: 3
        case .attemptFailed: 4
        case .failed: 5
        case .cancelRequested: 6
        case .cancelled: 7
        case .killed: 8
        case .leaseExpired: 9
        case .retried: 10
        case .timedOut: 11
        case .dependencyMet: 12
        case .archived: 13
        }
    }
}
