import Foundation
import Testing

/// The command line refuses files that are not ledgers it can use, and
/// leaves them as they were.
@Suite struct HostileLedgerTests {
    static func contents(_ path: String) throws -> Data { try Data(contentsOf: URL(fileURLWithPath: path)) }

    @Test func aDirectoryHoldingSomethingElseIsRefusedAndLeftAlone() throws {
        let scratch = ScratchDirectory()
        let path = scratch.path + "/ledger"
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        let junk = Data((0..<20_000).map { UInt8(truncatingIfNeeded: $0 &* 31) })
        try junk.write(to: URL(fileURLWithPath: path + "/data.mdb"))
        for command in [["status", "x"], ["submit", "--id", "a", "--type", "t", "--owner", "u", "--org", "o"]] {
            let outcome = try scratch.ledger.run(command)
            #expect(outcome.status == 2, "\(command): \(outcome.stderr)")
            #expect(outcome.stderr.contains("not a usable ledger"))
        }
        #expect(try Self.contents(path + "/data.mdb") == junk)
    }

    @Test func aTruncatedDataFileIsRefusedAndLeftAlone() throws {
        let scratch = ScratchDirectory()
        let cli = scratch.ledger
        for index in 0..<200 {
            _ = try cli.run(["submit", "--id", "t\(index)", "--type", "t", "--owner", "u", "--org", "o",
                             "--payload", #"{"padding":"\#(String(repeating: "x", count: 2000))"}"#])
            if index > 30 { break }
        }
        let file = cli.ledgerPath + "/data.mdb"
        let whole = try Self.contents(file)
        let cut = whole.prefix(whole.count / 2)
        try cut.write(to: URL(fileURLWithPath: file))
        let outcome = try cli.run(["list", "--json"])
        #expect(outcome.status == 2, "\(outcome.stderr)")
        #expect(outcome.stderr.contains("truncated"))
        #expect(try Self.contents(file) == cut)
    }

    @Test func aLedgerOfANewerFormatIsRefusedAndLeftAlone() throws {
        let scratch = ScratchDirectory()
        let cli = scratch.ledger
        _ = try cli.run(["submit", "--id", "n", "--type", "t", "--owner", "u", "--org", "o"])
        // Raise the stored format byte ("format" key in the meta database) to 9.
        let file = cli.ledgerPath + "/data.mdb"
        var bytes = try Self.contents(file)
        let key = Array("format".utf8)
        var patched = false
        for start in 0..<(bytes.count - key.count - 1) where bytes[start..<start + key.count].elementsEqual(key) {
            if bytes[start + key.count] == 2 {
                bytes[start + key.count] = 9
                patched = true
            }
        }
        try #require(patched, "format record not found in the data file")
        try bytes.write(to: URL(fileURLWithPath: file))
        let outcome = try cli.run(["status", "n"])
        #expect(outcome.status == 2, "\(outcome.stderr)")
        #expect(outcome.stderr.contains("newer"))
        #expect(try Self.contents(file) == bytes)
    }
}
