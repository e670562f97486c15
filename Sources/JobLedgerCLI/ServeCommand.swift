import ArgumentParser
import Foundation

/// `jobledger serve`: runs `jobledger-server`, the executable beside this one,
/// in this process's place (same pid, same stdout, same signals). The HTTP
/// server is kept out of `jobledger` so that every other command starts as
/// fast as before.
struct Serve: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Serve the ledger over HTTP (JSON API under /v1, bearer tokens).",
        discussion: """
            Prints one line, 'listening on http://HOST:PORT', once it accepts requests (port 0 picks a free port). \
            SIGTERM or SIGINT: waiting claims answer 204, requests in flight finish, the ledger closes, exit 0. \
            Logs go to stderr, one line per request. Runs jobledger-server, built beside jobledger \
            (swift build -c release --product jobledger-server).

            Example:
              jobledger token create --db ./jobs.db --actor ops --role system --org acme --json
              jobledger serve --db ./jobs.db --listen 127.0.0.1:8080
              curl -H "Authorization: Bearer jl_..." http://127.0.0.1:8080/v1/jobs
            """)

    @OptionGroup var options: ServeOptions

    func run() throws {
        let own = URL(fileURLWithPath: (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe"))
            ?? CommandLine.arguments[0])
        let server = own.deletingLastPathComponent().appendingPathComponent("jobledger-server").path
        guard FileManager.default.isExecutableFile(atPath: server) else {
            FileHandle.standardError.write(Data(
                "error: \(server) not found; build it with: swift build -c release --product jobledger-server\n".utf8))
            throw ExitCode(1)
        }
        let arguments = [server] + options.arguments
        let pointers = arguments.map { strdup($0) } + [nil]
        execv(server, pointers)
        FileHandle.standardError.write(Data("error: cannot run \(server): \(String(cString: strerror(errno)))\n".utf8))
        throw ExitCode(1)
    }
}
