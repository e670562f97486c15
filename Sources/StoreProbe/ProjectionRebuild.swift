import EventStore
import JobLedgerTestSupport

extension Probe {
    /// `rebuild-projections <ledger> <version>`: opens the ledger with a
    /// ``VersionedCountProjection`` of `version`, which rebuilds the
    /// projection tables when they were built by another version (as a
    /// newer build does when it opens a ledger), appends one event to
    /// `rebuilt-by-<version>`, prints `rebuilt <stored projection version>`
    /// and exits.
    static func rebuildProjections(_ arguments: [String]) throws {
        guard arguments.count == 2 else { usage("rebuild-projections <ledger> <version>") }
        var options = EventStoreOptions()
        options.durability = .noSyncForTestsAndBenchmarks
        options.projections = [VersionedCountProjection(version: integer(arguments[1], "version"))]
        let store = try EventStore.open(at: arguments[0], options: options)
        _ = try store.append(
            to: "rebuilt-by-\(arguments[1])", expectedVersion: .any,
            events: [EventData(type: "Rebuilt", json: #"{"version":\#(arguments[1])}"#, actor: "probe")])
        say("rebuilt \(try store.projectionVersions().stored ?? "none")")
    }
}
