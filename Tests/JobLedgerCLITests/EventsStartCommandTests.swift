import Foundation
import Testing

/// Where `jobledger events` may start: at most one past the log's last
/// position, as the HTTP event pages and stream allow.
@Suite struct EventsStartCommandTests {
    @Test("events --from beyond the position after the log's end exits 2 naming both, with and without --follow; one past the end prints nothing")
    func eventsFromBeyondTheEndIsRefused() throws {
        let scratch = ScratchDirectory()
        let cli = scratch.ledger
        #expect(try cli.run(["submit", "--id", "j1", "--type", "email", "--owner", "alice", "--org", "acme"]).status == 0)
        let all = try cli.run(["events"])
        #expect(all.status == 0, "\(all.stderr)")
        let last = all.stdout.split(separator: "\n").count
        #expect(last > 0)

        let next = try cli.run(["events", "--from", "\(last + 1)"])
        #expect(next.status == 0, "\(next.stderr)")
        #expect(next.stdout.isEmpty)

        for follow in [false, true] {
            let beyond = try cli.run(["events", "--from", "\(last + 2)"] + (follow ? ["--follow"] : []), timeout: 20)
            #expect(!beyond.timedOut)
            #expect(beyond.status == 2, "\(beyond.stderr)")
            #expect(beyond.stdout.isEmpty)
            #expect(beyond.stderr.contains("--from: position \(last + 2)"))
            #expect(beyond.stderr.contains("last position \(last)"))
        }
        #expect(try cli.run(["events"]).stdout.split(separator: "\n").count == last)
    }

    @Test("export --from beyond the position after the log's end exits 2 and makes no file; one past the end is an empty export")
    func exportFromBeyondTheEndIsRefused() throws {
        let scratch = ScratchDirectory()
        let cli = scratch.ledger
        #expect(try cli.run(["submit", "--id", "j1", "--type", "email", "--owner", "alice", "--org", "acme"]).status == 0)
        let last = try cli.run(["events"]).stdout.split(separator: "\n").count
        #expect(last > 0)

        let next = try cli.run(["export", "--from", "\(last + 1)"])
        #expect(next.status == 0, "\(next.stderr)")
        #expect(next.stdout.contains("\"count\":0"), "the closing line of an empty export: \(next.stdout)")

        let out = scratch.path + "/beyond.jsonl"
        let beyond = try cli.run(["export", "--from", "\(last + 2)", "--out", out])
        #expect(beyond.status == 2, "\(beyond.stderr)")
        #expect(beyond.stderr.contains("--from: position \(last + 2)"))
        #expect(beyond.stderr.contains("last position \(last)"))
        #expect(!FileManager.default.fileExists(atPath: out), "no file is made")
    }
}
