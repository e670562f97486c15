import Foundation

/// An executable the build put next to the test binary (`jobledger`,
/// `RemoteWorkerProbe`).
enum BuiltExecutable {
    struct NotFound: Error, CustomStringConvertible {
        let name: String
        let searched: [String]
        var description: String {
            "the \(name) executable was not found; build it with the tests (swift build --build-tests). Looked in: "
                + searched.joined(separator: ", ")
        }
    }

    /// The executable `name`, from the directory of the running test binary
    /// or the package's default build directories.
    static func url(_ name: String) throws -> URL {
        var directories: [URL] = []
        #if os(Linux)
        directories.append(URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath().deletingLastPathComponent())
        #endif
        if let first = CommandLine.arguments.first, first.contains("/") {
            var directory = URL(fileURLWithPath: first).resolvingSymlinksInPath().deletingLastPathComponent()
            // Inside an .xctest bundle on macOS: walk up to the products directory.
            for _ in 0..<4 {
                directories.append(directory)
                directory = directory.deletingLastPathComponent()
            }
        }
        let packageRoot = URL(fileURLWithPath: #filePath)
            .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        directories += ["debug", "release"].map { packageRoot.appendingPathComponent(".build/\($0)") }
        for directory in directories {
            let candidate = directory.appendingPathComponent(name)
            if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate }
        }
        throw NotFound(name: name, searched: directories.map(\.path))
    }
}
