import Foundation
import JobLedger
import Synchronization

/// How the command line opens a ledger on a database server.
///
/// `jobledger` itself links no database client, so that every command on
/// an embedded ledger starts as fast as before: asked for a shared ledger
/// (`--postgres`), it runs `jobledger-server`, built beside it, in its own
/// place with the same arguments. That executable installs an opener here
/// before it runs the command.
package enum SharedLedgerBackend {
    /// Opens the ledger at a database URL with the given options.
    package typealias Opener = @Sendable (_ url: String, _ options: JobLedgerOptions) throws -> JobLedger

    private static let opener = Mutex<Opener?>(nil)

    /// Makes `open` the way to a shared ledger in this process.
    package static func install(_ open: @escaping Opener) {
        opener.withLock { $0 = open }
    }

    /// Opens the ledger at `url`; without an opener, replaces this process
    /// with `jobledger-server` running the same command.
    static func open(url: String, options: JobLedgerOptions) throws -> JobLedger {
        if let open = opener.withLock({ $0 }) { return try open(url, options) }
        try SiblingExecutable.replaceProcess(
            with: "jobledger-server", arguments: ["command"] + CommandLine.arguments.dropFirst())
    }
}

/// The executables built beside `jobledger`.
enum SiblingExecutable {
    /// Runs `name`, found beside this executable, in this process's place
    /// (same pid, standard streams and signals); returns only by throwing.
    static func replaceProcess(with name: String, arguments: [String]) throws -> Never {
        let own = URL(fileURLWithPath: (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe"))
            ?? CommandLine.arguments[0])
        let executable = own.deletingLastPathComponent().appendingPathComponent(name).path
        guard FileManager.default.isExecutableFile(atPath: executable) else {
            throw CLIError.missingExecutable(executable, product: name)
        }
        let pointers = ([executable] + arguments).map { strdup($0) } + [nil]
        execv(executable, pointers)
        throw CLIError.missingExecutable(executable, product: name, reason: String(cString: strerror(errno)))
    }
}
