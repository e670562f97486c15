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
        try runReportingErrors {
            try SiblingExecutable.replaceProcess(with: "jobledger-server", arguments: options.arguments)
        }
    }
}
