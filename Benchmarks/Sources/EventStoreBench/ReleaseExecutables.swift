import Foundation

/// Where the HTTP workload finds the ledger package's release executables
/// (`jobledger`, which starts `jobledger-server` beside itself, and
/// `RemoteWorkerProbe`). The benchmark is a package of its own, so they are
/// not built beside it unless asked for.
struct ReleaseExecutables: Sendable {
    /// The directories searched, in order.
    let directories: [URL]

    /// Only `binDirectory` when given; else the benchmark's own directory,
    /// then the `.build/release` of the ledger package the benchmark was
    /// built in (the nearest parent of the executable that holds
    /// `Benchmarks/Package.swift`).
    init(binDirectory: String?) {
        if let binDirectory {
            directories = [URL(fileURLWithPath: binDirectory, isDirectory: true)]
            return
        }
        let own = Self.ownDirectory
        directories = [own] + (Self.ledgerPackage.map { [$0.appendingPathComponent(".build/release", isDirectory: true)] } ?? [])
    }

    /// The directory of this executable.
    private static var ownDirectory: URL {
        URL(fileURLWithPath: Bundle.main.executablePath ?? CommandLine.arguments[0])
            .resolvingSymlinksInPath().deletingLastPathComponent()
    }

    /// The root of the ledger package the benchmark was built in: the
    /// nearest parent of the executable that holds `Benchmarks/Package.swift`.
    static var ledgerPackage: URL? {
        var parent = ownDirectory
        while parent.pathComponents.count > 1 {
            parent = parent.deletingLastPathComponent()
            if FileManager.default.fileExists(atPath: parent.appendingPathComponent("Benchmarks/Package.swift").path) {
                return parent
            }
        }
        return nil
    }

    /// The executable `name` in the first directory that has it.
    func url(of name: String) throws -> URL {
        for directory in directories {
            let candidate = directory.appendingPathComponent(name)
            if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate }
        }
        throw BenchError.missingExecutable(name, searched: directories.map(\.path))
    }

    /// Throws unless the executable `name` is in the directory of `executable`.
    func requireBeside(_ executable: URL, _ name: String) throws {
        let directory = executable.deletingLastPathComponent()
        guard FileManager.default.isExecutableFile(atPath: directory.appendingPathComponent(name).path) else {
            throw BenchError.missingExecutable(name, searched: [directory.path])
        }
    }
}
