import Foundation
import LMDB

/// An environment in a directory of its own under the system's temporary
/// folder, with one database, removed with the value.
final class ScratchEnvironment: Sendable {
    let directory: URL
    let environment: Environment
    let database: Database

    /// Opens a new environment with `options` (not durable: these tests
    /// pin down mapping and locking, not fsync).
    init(_ options: EnvironmentOptions = EnvironmentOptions()) throws {
        directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("jobledger-lmdb-tests-\(UUID().uuidString)")
        var options = options
        options.durable = false
        environment = try Environment(path: directory.path, options: options)
        database = try environment.openDatabase("values")
    }

    /// The entries of the database.
    func entryCount() throws -> Int {
        try environment.read { transaction in try transaction.statistics(of: database).entries }
    }

    deinit { try? FileManager.default.removeItem(at: directory) }
}

/// The key of entry `index`: big-endian, so that keys sort as the numbers do.
func key(_ index: Int) -> [UInt8] {
    withUnsafeBytes(of: UInt64(index).bigEndian, Array.init)
}
