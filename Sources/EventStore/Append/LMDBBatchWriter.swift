import Foundation
import LMDB

/// The group committer's writer on LMDB: one write transaction per batch,
/// with the commit clock's mark.
struct LMDBBatchWriter: AppendBatchWriter {
    let environment: Environment
    let layout: StoreLayout
    var applier: AppendApplier
    /// Refuses the batch when another build rebuilt the projections since the store opened.
    let versionGuard: ProjectionVersionGuard?

    init(
        environment: Environment, layout: StoreLayout, projections: [any Projection], tables: ProjectionTables,
        path: String
    ) {
        self.environment = environment
        self.layout = layout
        applier = AppendApplier(layout: layout, projections: projections, tables: tables)
        versionGuard = ProjectionVersionGuard(path: path, projections: projections, meta: layout.meta)
    }

    mutating func commit(_ batch: [[StreamAppend]]) throws -> [Result<AppendResult, EventStoreError>] {
        var outcomes: [Result<AppendResult, EventStoreError>] = []
        let layout = self.layout
        try environment.write { txn in
            // May run again after the map grows: start from scratch.
            outcomes.removeAll(keepingCapacity: true)
            try versionGuard?.check(in: txn)
            var next = try applier.lastPosition(in: txn) + 1
            let now = Date().microsecondsSince1970
            for appends in batch {
                outcomes.append(try applier.apply(appends, in: txn, nextPosition: &next, nowMicros: now))
            }
            try CommitClock.record(after: outcomes, micros: now, in: txn, meta: layout.meta)
        }
        return outcomes
    }
}
