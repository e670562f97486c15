import EventStore
import Foundation
import Testing

/// A commit that meets a full file system is reported as storage full,
/// naming the ledger, not as an I/O error.
@Suite struct StorageFullTests {
    @Test(.enabled(if: getuid() == 0, "mounting a small file system needs root"))
    func aCommitOnAFullFileSystemIsStorageFullNamingTheLedger() throws {
        let ledger = TemporaryLedger("full-disk")
        let mountPoint = (ledger.path as NSString).deletingLastPathComponent + "/small"
        try FileManager.default.createDirectory(atPath: mountPoint, withIntermediateDirectories: true)
        try #require(Self.run("/bin/mount", ["-t", "tmpfs", "-o", "size=2m", "tmpfs", mountPoint]) == 0)
        defer { Self.run("/bin/umount", ["-l", mountPoint]) }
        let path = mountPoint + "/ledger"
        var failure: EventStoreError?
        var stored = 0
        do {
            let store = try EventStore.open(at: path, options: .noSync)
            let payload = String(repeating: "x", count: 60_000)
            for index in 0..<100 {
                do {
                    _ = try store.append(
                        to: "s-\(index)", expectedVersion: .noStream,
                        events: [EventData(type: "Big", json: #"{"fill":"\#(payload)"}"#)])
                    stored += 1
                } catch {
                    failure = error
                    break
                }
            }
            // What was acknowledged is still there.
            #expect(try store.lastPosition() == UInt64(stored))
        }
        #expect(stored > 0 && stored < 100)
        guard let failed = failure, failed.code == .storageFull, let detail = failed.reason else {
            Issue.record("expected storage full, got \(String(describing: failure))")
            return
        }
        #expect(detail.contains(path))
        #expect("\(failure!)".contains("storage is full"))
    }

    @discardableResult
    static func run(_ tool: String, _ arguments: [String]) -> Int32 {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: tool)
        process.arguments = arguments
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        guard (try? process.run()) != nil else { return -1 }
        process.waitUntilExit()
        return process.terminationStatus
    }
}
