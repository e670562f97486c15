import ArgumentParser
import Foundation
import FuzzKit

/// `jobledger-fuzz`: the nightly fuzz run, seed generation and replay.
///
/// Built with `-DLIBFUZZER` (and `-sanitize=fuzzer`) the executable is a
/// libFuzzer binary instead; see `LibFuzzerEntry.swift`.
struct FuzzCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "jobledger-fuzz",
        abstract: "Fuzz the envelope decoder, the import parser, the job payload and record readers, and the command line.",
        subcommands: [RunCommand.self, ReplayCommand.self, SeedsCommand.self],
        defaultSubcommand: RunCommand.self)
}

#if !LIBFUZZER
@main
extension FuzzCommand {}
#endif

/// Options every subcommand shares.
struct CorpusOptions: ParsableArguments {
    @Option(help: "The package's Fixtures folder (default: found above the current directory).")
    var fixtures: String?

    func fixturesFolder() throws -> URL {
        if let fixtures { return URL(fileURLWithPath: fixtures) }
        guard let found = Corpus.fixturesFolder(above: FileManager.default.currentDirectoryPath) else {
            throw ValidationError("no Package.swift above the current directory; pass --fixtures")
        }
        return found
    }

    /// The targets `name` stands for (`all` for every one).
    static func targets(_ name: String) throws -> [String] {
        if name == "all" { return FuzzTargets.names }
        guard FuzzTargets.names.contains(name) else {
            throw ValidationError("unknown target '\(name)'; use \(FuzzTargets.names.joined(separator: ", ")) or all")
        }
        return [name]
    }
}
