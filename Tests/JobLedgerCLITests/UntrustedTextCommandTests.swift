import Foundation
import Testing

/// Text from users, stored or just given, reaches the terminal escaped and a
/// spreadsheet unable to run it; names mean one thing whatever their
/// spelling; bytes that are not UTF-8 are refused, never changed.
@Suite struct UntrustedTextCommandTests {
    /// Bytes a terminal acts on: set the window title, ring, clear the screen, move the cursor.
    static let hostile = "\u{1B}]0;owned\u{7}\u{1B}[2J\u{1B}[H\r\nfake line\u{202E}"

    /// Whether `text` holds anything a terminal would act on (line feeds aside).
    static func actsOnTerminal(_ text: String) -> Bool {
        text.unicodeScalars.contains { ($0.value < 0x20 && $0 != "\n") || $0.value == 0x7F || $0 == "\u{202E}" }
    }

    @Test func reasonsAndErrorsShowEscapedInHistoryStatusAndReport() throws {
        let scratch = ScratchDirectory()
        let cli = scratch.ledger
        for id in ["r1", "r2"] {
            #expect(try cli.run(["submit", "--id", id, "--type", "t", "--owner", "alice", "--org", "acme"]).status == 0)
        }
        #expect(try cli.run(["claim", "--worker", "w1"]).status == 0)
        let failed = try cli.run(["fail", "r1", "--worker", "w1", "--attempt", "1", "--error", Self.hostile])
        #expect(failed.status == 0, "\(failed.stderr)")
        #expect(try cli.run(["cancel", "r2", "--actor", "alice", "--org", "acme", "--reason", Self.hostile]).status == 0)

        let escaped = #"\u{1B}]0;owned\u{7}\u{1B}[2J\u{1B}[H\r\nfake line\u{202E}"#
        // history r1 shows the failure's payload, JSON that escapes C0 controls its own way.
        for (command, showsText) in [(["history", "r1"], false), (["history", "r2"], true), (["status", "r1"], true), (["report"], true)] {
            let outcome = try cli.run(command)
            #expect(outcome.status == 0, "\(command): \(outcome.stderr)")
            #expect(!Self.actsOnTerminal(outcome.stdout), "\(command) printed raw control characters")
            #expect(!showsText || outcome.stdout.contains(escaped), "\(command): \(outcome.stdout)")
        }
        // The stored text is kept as given: --json has it exactly.
        let json = try cli.run(["status", "r1", "--json"])
        #expect(json.json?["error"] as? String == Self.hostile)
    }

    @Test func errorMessagesEscapeTheTextTheyQuote() throws {
        let scratch = ScratchDirectory()
        let cli = scratch.ledger
        #expect(try cli.run(["submit", "--id", "e1", "--type", "t", "--owner", "alice", "--org", "acme"]).status == 0)
        // Each command, and what its message quotes of the bad text, escaped.
        let commands: [([String], String)] = [
            (["status", "e\(Self.hostile)"], #"'e\u{1B}]0;owned\u{7}"#),
            (["kill-batch", Self.hostile, "--actor", "root", "--role", "admin", "--org", "acme", "--reason", "x"],
             #"'\u{1B}]0;owned\u{7}"#),
            (["cancel", "e1", "--actor", "a\(Self.hostile)", "--org", "acme", "--reason", "x"], "U+001B ESCAPE"),
            (["submit", "--type", "t", "--owner", "alice", "--org", "acme", "--priority", Self.hostile],
             #"'\u{1B}]0;owned\u{7}"#),
            (["list", "--state", Self.hostile], #"'\u{1B}]0;owned\u{7}"#),
        ]
        for (command, quoted) in commands {
            let outcome = try cli.run(command)
            #expect(outcome.status == 2, "\(command): \(outcome.stderr)")
            #expect(!Self.actsOnTerminal(outcome.stderr), "\(command) wrote raw control characters: \(outcome.stderr)")
            #expect(outcome.stderr.contains(quoted), "\(command): \(outcome.stderr)")
        }
    }

    @Test func csvExportAndReportGuardCellsASpreadsheetWouldRun() throws {
        let scratch = ScratchDirectory()
        let cli = scratch.ledger
        let formula = #"=HYPERLINK("http://evil.example","click")"#
        #expect(try cli.run(["submit", "--id", "f1", "--type", "@SUM(A1)", "--owner", "+alice", "--org", "acme"]).status == 0)
        #expect(try cli.run(["claim", "--worker=-w1"]).status == 0)
        #expect(try cli.run(["fail", "f1", "--worker=-w1", "--attempt", "1", "--error", formula]).status == 0)

        let export = try cli.run(["export", "--format", "csv"])
        #expect(export.status == 0, "\(export.stderr)")
        let records = export.stdout.split(separator: "\r\n").map(String.init)
        // The actor is the export's one cell that a user names from its first character on.
        #expect(records.contains { $0.contains(",'+alice,") })  // the actor of the submission
        #expect(records.contains { $0.contains(",'-w1,") })  // the actor of the claim
        #expect(!records.contains { $0.contains(",@") || $0.contains(",+") || $0.contains(",-w") || $0.contains(",=") })

        let report = try cli.run(["report", "--format", "csv"])
        #expect(report.status == 0, "\(report.stderr)")
        #expect(report.stdout.contains(#""'=HYPERLINK(""http://evil.example"",""click"")""#), "\(report.stdout)")
        #expect(!report.stdout.contains(#""=HYPERLINK"#))
    }

    @Test func bytesThatAreNotUTF8AreRefusedNamingTheOption() throws {
        let scratch = ScratchDirectory()
        let cli = scratch.ledger
        func args(_ texts: String...) -> [[UInt8]] { texts.map { Array($0.utf8) } }
        let invalid: [UInt8] = Array(#"{"note":"caf"#.utf8) + [0xE9] + Array(#""}"#.utf8)  // Latin-1 é
        let submit = args("submit", "--id", "u1", "--type", "t", "--owner", "alice", "--org", "acme")
        for (arguments, option) in [
            (submit + args("--payload") + [invalid], "--payload"),
            (submit + [Array("--payload=".utf8) + invalid], "--payload"),
            (args("submit", "--id", "u1", "--type", "t", "--org", "acme", "--owner") + [[0x61, 0xFF]], "--owner"),
        ] {
            let outcome = try cli.run(rawArguments: arguments)
            #expect(outcome.status == 2, "\(outcome.stderr)")
            #expect(outcome.stderr.contains("invalid \(option): the value is not valid UTF-8"), "\(outcome.stderr)")
        }
        #expect(try cli.run(["status", "u1"]).status != 0)
        // U+FFFD written as the valid UTF-8 it is stays an ordinary character of JSON.
        let replacement = try cli.run(
            ["submit", "--id", "u1", "--type", "t", "--owner", "alice", "--org", "acme", "--payload", "{\"note\":\"\u{FFFD}\"}"])
        #expect(replacement.status == 0, "\(replacement.stderr)")
    }

    @Test func oneOwnerWhateverItsSpellingOnTheCommandLine() throws {
        let scratch = ScratchDirectory()
        let cli = scratch.ledger
        let decomposed = "Jose\u{301}"
        let precomposed = "Jos\u{E9}"
        #expect(try cli.run(["submit", "--id", "n1", "--type", "t", "--owner", decomposed, "--org", "acme"]).status == 0)
        for spelling in [decomposed, precomposed] {
            let listed = try cli.run(["list", "--owner", spelling, "--json"])
            #expect((listed.json?["jobs"] as? [[String: Any]])?.compactMap { $0["id"] as? String } == ["n1"])
        }
        let refused = try cli.run(["submit", "--id", "n2", "--type", "t", "--owner", "   ", "--org", "acme"])
        #expect(refused.status == 2)
        #expect(refused.stderr.contains("invalid owner: is only whitespace"), "\(refused.stderr)")
        let hidden = try cli.run(["submit", "--id", "n3", "--type", "t", "--owner", "ad\u{200B}min", "--org", "acme"])
        #expect(hidden.status == 2)
        #expect(hidden.stderr.contains("U+200B ZERO WIDTH SPACE"), "\(hidden.stderr)")
    }
}
