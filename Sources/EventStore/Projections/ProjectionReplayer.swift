import LMDB

/// Folds the whole log into a projection's tables during a rebuild or a
/// verification.
///
/// A rebuild starts from empty tables and hands every event of the log to
/// the replayer in position order, then calls ``finish(into:)`` once. A
/// replayer may hold state in memory and write it in bulk (in key order,
/// with ``ProjectionWriter/append(_:_:_:)``), which is much faster than
/// applying events one by one; the result must be the tables that applying
/// each event with ``Projection/apply(_:to:)`` would leave.
public protocol ProjectionReplayer {
    /// Folds one event, in position order.
    mutating func replay(_ event: RecordedEvent, into tables: borrowing ProjectionWriter) throws
    /// Writes whatever the replayer still holds; called once, after the last event.
    mutating func finish(into tables: borrowing ProjectionWriter) throws
}

/// The replayer every projection has unless it brings its own: each event
/// is applied exactly as an append applies it.
struct ApplyingReplayer: ProjectionReplayer {
    let projection: any Projection

    func replay(_ event: RecordedEvent, into tables: borrowing ProjectionWriter) throws {
        try projection.apply(event, to: tables)
    }

    func finish(into tables: borrowing ProjectionWriter) throws {}
}

extension Projection {
    /// A replayer that applies each event with ``apply(_:to:)``.
    public func makeReplayer() -> any ProjectionReplayer { ApplyingReplayer(projection: self) }

    /// Every stream: the projection reads all events.
    public var streamPrefix: String? { nil }
}

extension Projection {
    /// Whether events of `stream` reach this projection.
    package func reads(stream: String) -> Bool {
        guard let prefix = streamPrefix else { return true }
        return stream.hasPrefix(prefix)
    }
}

extension RecordedEvent {
    /// Runs a projection's step for this event, naming the event in a
    /// failure of the projection's own: such an error becomes
    /// ``EventStoreError/projectionFailed(stream:position:reason:)`` with this
    /// event's stream and position, while storage and store errors pass
    /// through unchanged. A rebuild names the event it handed over last; a
    /// replayer that folds events later, in batches, names them itself.
    public func namingFailures<R>(_ body: () throws -> R) throws -> R {
        try EventStoreError.naming(stream: streamID, position: position, body)
    }
}

extension EventStoreError {
    /// Runs `body`; an error other than a storage or store error becomes
    /// ``projectionFailed(stream:position:reason:)`` at `stream` and `position`.
    static func naming<R>(stream: String, position: UInt64, _ body: () throws -> R) throws -> R {
        do {
            return try body()
        } catch let error as LMDBError {
            throw error
        } catch let error as EventStoreError {
            throw error
        } catch {
            throw EventStoreError.projectionFailed(stream: stream, position: position, reason: String(describing: error))
        }
    }
}
