import EventStore
import Foundation

/// A fresh ledger directory under the system's temporary folder, removed
/// when the value is dropped.
final class TemporaryLedger: Sendable {
    let path: String

    init(_ name: String = "ledger") {
        path = FileManager.default.temporaryDirectory
            .appendingPathComponent("jobledger-tests-\(UUID().uuidString)")
            .appendingPathComponent(name).path
        try? FileManager.default.createDirectory(
            atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
    }

    func open(_ options: EventStoreOptions = .noSync) throws -> EventStore {
        try EventStore.open(at: path, options: options)
    }

    deinit {
        try? FileManager.default.removeItem(atPath: (path as NSString).deletingLastPathComponent)
    }
}

/// An event with a small JSON payload naming `label`.
func sampleEvent(_ label: String = "x", type: String = "Sample", id: UUID = UUID()) -> EventData {
    EventData(id: id, type: type, json: #"{"label":"\#(label)"}"#, actor: "tester")
}
