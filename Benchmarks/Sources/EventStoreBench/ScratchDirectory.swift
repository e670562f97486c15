import Foundation

/// A fresh directory for one run's ledgers and raw environments, removed by
/// ``remove()``; each workload gets a subdirectory of its own.
final class ScratchDirectory: Sendable {
    /// The directory of this run.
    let path: String

    /// Creates `jobledger-bench-<uuid>` inside `parent`.
    init(parent: String) throws {
        path = URL(fileURLWithPath: parent)
            .appendingPathComponent("jobledger-bench-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    /// The path of a workload's directory; the store or environment creates it.
    func directory(for name: String) -> String {
        URL(fileURLWithPath: path).appendingPathComponent(name).path
    }

    /// Deletes everything the run wrote.
    func remove() {
        try? FileManager.default.removeItem(atPath: path)
    }
}
