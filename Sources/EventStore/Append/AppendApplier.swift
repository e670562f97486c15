import Foundation
import LMDB

/// Applies appends inside the writer's transaction.
///
/// Each append is checked in full (expected versions, stored event ids)
/// before any of its events is written, so a refused append leaves nothing
/// behind even though it shares the transaction with others. Only storage
/// failures throw; refusals come back as `.failure`.
struct AppendApplier {
    let layout: StoreLayout
    let projections: [any Projection]
    let tables: ProjectionTables
    private var encoder = EnvelopeEncoder()
    /// What the projections report for the stream being written.
    private let folded = FoldedValue()

    init(layout: StoreLayout, projections: [any Projection] = [], tables: ProjectionTables = .init(databases: [:])) {
        self.layout = layout
        self.projections = projections
        self.tables = tables
    }

    /// The last stored position, read at the start of every batch.
    func lastPosition(in txn: borrowing WriteTransaction) throws -> UInt64 {
        try txn.withCursor(on: layout.events) { cursor in
            try cursor.last().map { $0.key.loadBigEndianUInt64(at: 0) } ?? 0
        }
    }

    mutating func apply(
        _ appends: [StreamAppend], in txn: borrowing WriteTransaction,
        nextPosition: inout UInt64, nowMicros: Int64
    ) throws -> Result<AppendResult, EventStoreError> {
        var records: [StreamRecord?] = []
        var stored: [[UInt64]?] = []
        records.reserveCapacity(appends.count)
        stored.reserveCapacity(appends.count)

        for append in appends {
            let record = try streamRecord(append.streamID, in: txn)
            switch try checkStoredIDs(append, in: txn) {
            case .failure(let error):
                return .failure(error)
            case .success(let positions?):
                records.append(record)
                stored.append(positions)
            case .success(nil):
                let actual = record?.version ?? 0
                guard try expectationHolds(append.expectedVersion, actual: actual, record: record, in: txn) else {
                    return .failure(.wrongExpectedVersion(
                        stream: append.streamID, expected: append.expectedVersion, actual: actual))
                }
                records.append(record)
                stored.append(nil)
            }
        }

        if let answer = StoredAppendCheck.answer(appends, stored: stored, versions: { records[$0]?.version ?? 0 }) {
            return answer
        }

        var results: [AppendResult.StreamResult] = []
        results.reserveCapacity(appends.count)
        for (append, record) in zip(appends, records) {
            let number = try record?.number ?? allocateStreamNumber(in: txn)
            var version = record?.version ?? 0
            var positions: [UInt64] = []
            positions.reserveCapacity(append.events.count)
            let readers = projections.filter { $0.reads(stream: append.streamID) }
            // One view of the transaction's tables for the append's events.
            let projectionTables = readers.isEmpty ? nil : LMDBTableWrites(txn.lend(), tables)
            folded.value = nil
            for event in append.events {
                version += 1
                let position = nextPosition
                nextPosition += 1
                encoder.encode(
                    event, streamID: append.streamID, position: position, streamVersion: version,
                    recordedAtMicros: event.recordedAt?.microsecondsSince1970 ?? nowMicros)
                try withBigEndianBytes(of: position) { positionKey in
                    try encoder.buffer.withUnsafeBytes { envelope in
                        try txn.put(positionKey, envelope, in: layout.events, flags: .append)
                    }
                    try withBigEndianBytes(of: number, version) { indexKey in
                        try txn.put(indexKey, positionKey, in: layout.streamIndex)
                    }
                    try withUnsafeBytes(of: event.id.uuid) { idKey in
                        try txn.put(idKey, positionKey, in: layout.eventIDs, flags: .noOverwrite)
                    }
                }
                positions.append(position)
                if !readers.isEmpty {
                    try project(
                        RecordedEvent(
                            position: position, streamID: append.streamID, streamVersion: version, id: event.id,
                            type: event.type,
                            recordedAt: Date(microsecondsSince1970: event.recordedAt?.microsecondsSince1970 ?? nowMicros),
                            actor: event.actor, correlationID: event.correlationID, causationID: event.causationID,
                            payload: event.payload, decoded: event.decoded),
                        to: readers, through: projectionTables)
                }
            }
            try withBigEndianBytes(of: number, version) { recordBytes in
                try txn.put(Array(append.streamID.utf8), Array(recordBytes), in: layout.streams)
            }
            results.append(.init(
                streamID: append.streamID, version: version, positions: positions, projected: folded.value))
        }
        return .success(AppendResult(streams: results, wasAlreadyStored: false))
    }

    /// Looks up the append's event ids. `nil` when none is stored; the
    /// original positions when all are stored as this same append; a
    /// conflict otherwise.
    private func checkStoredIDs(
        _ append: StreamAppend, in txn: borrowing WriteTransaction
    ) throws -> Result<[UInt64]?, EventStoreError> {
        var positions: [UInt64] = []
        for event in append.events {
            let position = try withUnsafeBytes(of: event.id.uuid) { idKey in
                try txn.get(idKey, in: layout.eventIDs).map { $0.loadBigEndianUInt64(at: 0) }
            }
            if let position { positions.append(position) }
        }
        return try StoredAppendCheck.check(append, positions: positions) { position, body in
            try withBigEndianBytes(of: position) { key in try body(try txn.get(key, in: layout.events)) }
        }
    }

    /// Checks an expected version by ``ExpectedVersion/check(actual:typeAt:)``,
    /// reading the types of newer events from the stream index.
    private func expectationHolds(
        _ expected: ExpectedVersion, actual: UInt64, record: StreamRecord?, in txn: borrowing WriteTransaction
    ) throws -> Bool {
        try expected.check(actual: actual) { newer in
            guard let record else { return nil }
            return try withBigEndianBytes(of: record.number, newer) { indexKey in
                guard let positionBytes = try txn.get(indexKey, in: layout.streamIndex), positionBytes.count == 8 else {
                    return nil
                }
                let position = positionBytes.loadBigEndianUInt64(at: 0)
                return try withBigEndianBytes(of: position) { key in
                    guard let bytes = try txn.get(key, in: layout.events) else { return nil }
                    return try EventStore.view(bytes, position: position).typeName
                }
            }
        }
    }

    private func project(_ event: RecordedEvent, to readers: [any Projection], through tables: LMDBTableWrites?) throws {
        guard let tables else { return }
        let writer = ProjectionWriter(tables: tables, folded: folded)
        for projection in readers {
            do {
                try projection.apply(event, to: writer)
            } catch let error as LMDBError {
                throw error  // map growth and storage failures keep their meaning
            } catch {
                throw EventStoreError.projectionFailed(
                    stream: event.streamID, position: event.position, reason: String(describing: error))
            }
        }
    }

    private func streamRecord(_ streamID: String, in txn: borrowing WriteTransaction) throws -> StreamRecord? {
        var id = streamID
        return try id.withUTF8 { key in
            StreamRecord(try txn.get(UnsafeRawBufferPointer(key), in: layout.streams))
        }
    }

    private func allocateStreamNumber(in txn: borrowing WriteTransaction) throws -> UInt64 {
        let next = try txn.get(StoreLayout.nextStreamKey, in: layout.meta).flatMap { bytes in
            bytes.count == 8 ? bytes.withUnsafeBytes { $0.loadBigEndianUInt64(at: 0) } : nil
        } ?? 1
        try withBigEndianBytes(of: next + 1) { bytes in
            try txn.put(StoreLayout.nextStreamKey, Array(bytes), in: layout.meta)
        }
        return next
    }
}
