import EventStore
import Foundation

/// The group committer's writer on PostgreSQL: one transaction per batch
/// on a connection of its own, opened on the writer thread and reopened
/// after a failure.
struct PostgresBatchWriter: AppendBatchWriter {
    let pool: PostgresSessionPool
    let projections: [any Projection]
    let durable: Bool
    /// The ledger's location, for the errors of its appends.
    let location: String
    private var session: PostgresSession?
    /// The projection rows remembered from this writer's last commit.
    private let cache = PostgresProjectionCache()

    init(pool: PostgresSessionPool, projections: [any Projection], durable: Bool, location: String) {
        self.pool = pool
        self.projections = projections
        self.durable = durable
        self.location = location
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
        let cache = self.cache
        do {
            // Two round trips: the BEGIN travels with the head row's lock and
            // the batch's reads, the COMMIT with the writes.
            session.send("BEGIN ISOLATION LEVEL READ COMMITTED")
            let outcomes: [Result<AppendResult, EventStoreError>]
            let headXmin: String?
            do {
                var appender = try PostgresAppender.begin(
                    on: session, projections: projections, location: location, cache: cache, prefetching: batch)
                let now = Date().microsecondsSince1970
                var applied: [Result<AppendResult, EventStoreError>] = []
                applied.reserveCapacity(batch.count)
                for appends in batch {
                    applied.append(try appender.apply(appends, nowMicros: now))
                }
                try appender.finish(committing: true)
                outcomes = applied
                headXmin = appender.headXmin
            } catch {
                session.send("ROLLBACK")
                throw error
            }
            cache.committed(headXmin: headXmin)
            return outcomes
        } catch {
            // Rolled back, or perhaps committed: nothing remembered holds.
            cache.forget()
            if session.isBroken {
                session.close()
                self.session = nil
            }
            throw error
        }
    }
}
