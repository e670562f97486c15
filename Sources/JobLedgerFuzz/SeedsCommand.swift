import ArgumentParser
import Foundation
import FuzzKit

/// Writes the seed corpus made by the project's encoders and exporter.
struct SeedsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "seeds",
        abstract: "Write the seed corpus under Fixtures/fuzz/<target>/seeds (after a format change).")

    @OptionGroup var corpus: CorpusOptions

    func run() throws {
        let fuzz = try corpus.fixturesFolder().appendingPathComponent("fuzz")
        for file in try SeedCorpus.files() {
            let url = fuzz.appendingPathComponent(file.path)
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try Data(file.bytes).write(to: url)
            print(file.path)
        }
    }
}
