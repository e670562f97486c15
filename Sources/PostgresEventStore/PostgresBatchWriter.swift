import EventStore
import Foundation

/// The group committer's writer on PostgreSQL: one transaction per batch
/// on a connection of its own, opened on the writer thread and reopened
/// after a failure.
struct PostgresBatchWriter: AppendBatchWriter {
    let pool: PostgresSessionPool
    let projections: [any Projection]
    let durable: Bool
    private var session: PostgresSession?

    init(pool: PostgresSessionPool, projections: [any Projection], durable: Bool) {
        self.pool = pool
        self.projections = projections
        self.durable = durable
    }

    /// The writer's connection; without durability (tests, benchmarks), a
    /// commit returns before the server has flushed it.
    private func connect() throws -> PostgresSession {
        let session = try pool.dedicatedSession()
        if !durable { try session.query("SET synchronous_commit TO off") }
        return session
    }

    mutating func close() {
        session?.close()
        session = nil
    }

    mutating func commit(_ batch: [[StreamAppend]]) throws -> [Result<AppendResult, EventStoreError>] {
        let session = try self.session ?? connect()
        self.session = session
        do {
            return try session.transaction {
                var appender = try PostgresAppender.begin(on: session, projections: projections)
                try appender.prefetch(batch)
                let now = Date().microsecondsSince1970
                var outcomes: [Result<AppendResult, EventStoreError>] = []
                outcomes.reserveCapacity(batch.count)
                for appends in batch {
                    outcomes.append(try appender.apply(appends, nowMicros: now))
                }
                try appender.finish()
                return outcomes
            }
        } catch {
            if session.isBroken {
                session.close()
                self.session = nil
            }
            throw error
        }
    }
}
