import ArgumentParser

/// The options of `jobledger serve`, declared once: `jobledger` parses them
/// and hands the ones given on to `jobledger-server`, which parses the same
/// declaration and applies the defaults.
package struct ServeOptions: ParsableArguments {
    /// Largest request body unless told otherwise, in bytes.
    package static let defaultMaxBody = 1 << 20
    /// Claims that may wait at once unless told otherwise.
    package static let defaultMaxLongPolls = 512
    /// Event streams that may be open at once unless told otherwise.
    package static let defaultMaxStreams = 64

    @Option(name: .long, help: "Ledger directory (default: $JOBLEDGER_DB, else ./jobledger.db).")
    package var db: String?
    @Option(name: .long, help: ArgumentHelp(
        "PostgreSQL URL of a shared ledger, in place of --db (default: $JOBLEDGER_POSTGRES).", valueName: "url"))
    package var postgres: String?
    @Option(help: "HOST:PORT to listen on (default: $JOBLEDGER_LISTEN, else 127.0.0.1:8080).")
    package var listen: String?
    @Option(help: "Largest request body in bytes (default: 1048576).")
    package var maxBody: Int?
    @Option(help: "Claims that may wait at the same time (default: 512).")
    package var maxLongPolls: Int?
    @Option(help: "Event streams that may be open at the same time (default: 64).")
    package var maxStreams: Int?
    @Option(help: "Log level: trace, debug, info, notice, warning, error or critical (default: info).")
    package var logLevel: String?
    @Flag(help: "The server is reached through HTTPS (a TLS proxy in front): the dashboard's cookies are Secure (default: $JOBLEDGER_BEHIND_HTTPS=1).")
    package var behindHttps = false

    /// The parser makes the options.
    package init() {}

    /// The options that were given, as arguments for `jobledger-server`.
    package var arguments: [String] {
        var arguments: [String] = []
        if let db { arguments += ["--db", db] }
        if let postgres { arguments += ["--postgres", postgres] }
        if let listen { arguments += ["--listen", listen] }
        if let maxBody { arguments += ["--max-body", String(maxBody)] }
        if let maxLongPolls { arguments += ["--max-long-polls", String(maxLongPolls)] }
        if let maxStreams { arguments += ["--max-streams", String(maxStreams)] }
        if let logLevel { arguments += ["--log-level", logLevel] }
        if behindHttps { arguments.append("--behind-https") }
        return arguments
    }
}
