import Foundation

/// The inputs a target starts from: its folder under `Fixtures/fuzz`
/// (seeds made by the project's encoders, and regressions), plus for the
/// import target the hand-written samples under `Fixtures/import`.
package struct Corpus: Sendable {
    /// The inputs, in path order.
    package let inputs: [[UInt8]]
    /// Each input's path, relative to the fixtures folder.
    package let names: [String]

    /// The corpus of `target` under `fixtures` (a `Fixtures` folder).
    package static func load(target: String, fixtures: URL) throws -> Corpus {
        var folders = [fixtures.appendingPathComponent("fuzz/\(target)")]
        if target == "import" { folders.append(fixtures.appendingPathComponent("import")) }
        var files: [(String, [UInt8])] = []
        for folder in folders {
            guard let walker = FileManager.default.enumerator(at: folder, includingPropertiesForKeys: [.isRegularFileKey]) else {
                continue
            }
            for case let url as URL in walker {
                guard try url.resourceValues(forKeys: [.isRegularFileKey]).isRegularFile == true,
                      url.pathExtension != "md" else { continue }
                let name = String(url.standardizedFileURL.path.dropFirst(fixtures.standardizedFileURL.path.count + 1))
                files.append((name, Array(try Data(contentsOf: url))))
            }
        }
        files.sort { $0.0 < $1.0 }
        return Corpus(inputs: files.map(\.1), names: files.map(\.0))
    }

    /// The `Fixtures` folder of the package that holds `path` (a source
    /// file, or a folder inside the package), found by walking up to
    /// `Package.swift`.
    package static func fixturesFolder(above path: String) -> URL? {
        var directory = URL(fileURLWithPath: path)
        while directory.path != "/" {
            if FileManager.default.fileExists(atPath: directory.appendingPathComponent("Package.swift").path) {
                return directory.appendingPathComponent("Fixtures")
            }
            directory.deleteLastPathComponent()
        }
        return nil
    }
}
