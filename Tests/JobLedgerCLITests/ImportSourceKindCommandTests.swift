import Foundation
import Testing

/// An import named by something that is not an export file is refused
/// naming what it is, and imports nothing.
@Suite struct ImportSourceKindCommandTests {
    @Test func importOfADirectoryADeviceOrAMissingFileNamesWhatItIsAndImportsNothing() throws {
        let scratch = ScratchDirectory()
        let ledger = scratch.ledger
        _ = try ledger.run(["submit", "--id", "kept", "--type", "t", "--owner", "alice", "--org", "acme"])
        let before = try ledger.run(["export"]).stdout
        #expect(before.contains("\"kept\""))
        let cases: [(String, String)] = [
            (scratch.path, "is a directory, not a file of exported events"),
            ("/dev/zero", "is a device, not a file of exported events"),
            (scratch.path + "/missing.jsonl", "No such file or directory"),
        ]
        for (path, expected) in cases {
            let outcome = try ledger.run(["import", path], timeout: 60)
            #expect(outcome.status == 2, "\(path): \(outcome.stderr)")
            #expect(outcome.stderr.contains("'\(path)'") && outcome.stderr.contains(expected), "\(path): \(outcome.stderr)")
        }
        #expect(try ledger.run(["export"]).stdout == before)
        // A range that ends before it starts is refused, not exported empty.
        let backwards = try ledger.run(["export", "--from", "5", "--to", "3"])
        #expect(backwards.status == 2 && backwards.stderr.contains("--to 3 is before --from 5"))
    }
}
