import Foundation

/// Where the server listens and the limits it keeps.
public struct ServerConfiguration: Sendable {
    /// The address to bind, such as `127.0.0.1`.
    public var host: String
    /// The port to bind; 0 lets the system pick a free one.
    public var port: Int
    /// The limits on requests, connections and waits.
    public var limits: ServerLimits
    /// How often the lease sweeper expires ended leases.
    public var sweepInterval: Duration
    /// The dashboard's sessions and cookies.
    public var dashboard = DashboardSettings()

    /// Creates a configuration.
    public init(host: String = "127.0.0.1", port: Int = 8080, limits: ServerLimits = ServerLimits(), sweepInterval: Duration = .seconds(1)) {
        self.host = host
        self.port = port
        self.limits = limits
        self.sweepInterval = sweepInterval
    }

    /// Parses `HOST:PORT` (IPv6 hosts in brackets, `[::1]:8080`).
    public static func parseListen(_ text: String) -> (host: String, port: Int)? {
        guard let colon = text.lastIndex(of: ":") else { return nil }
        var host = String(text[..<colon])
        guard let port = Int(text[text.index(after: colon)...]), (0...65535).contains(port) else { return nil }
        if host.hasPrefix("[") && host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        guard !host.isEmpty else { return nil }
        return (host, port)
    }
}

/// The limits a server keeps so that no client can exhaust it: over a
/// limit a request gets a clean 4xx or a 503 with `Retry-After`.
public struct ServerLimits: Sendable {
    /// Largest request body accepted (413 above).
    public var maxBodyBytes = 1 << 20
    /// Largest header field and header list accepted.
    public var maxHeaderBytes = 16 * 1024
    /// A connection with no traffic for this long is closed.
    public var idleTimeout: Duration = .seconds(75)
    /// A request body must arrive whole within this time (408 after).
    public var requestTimeout: Duration = .seconds(30)
    /// Claims waiting at the same time (503 above).
    public var maxLongPolls = 512
    /// Event streams open at the same time (503 above).
    public var maxEventStreams = 64
    /// The longest `wait` of a claim, in seconds.
    public var maxClaimWait: Double = 30
    /// How often the server looks at the queue while claims wait, for jobs
    /// that became claimable without a commit of this process (submitted by
    /// another process, or a retry time come due).
    public var claimRecheck: Duration = .seconds(1)
    /// An event stream ends after this long; the client reconnects with
    /// `Last-Event-ID` and misses nothing (and load spreads again).
    public var maxStreamDuration: Duration = .seconds(3600)
    /// How often an event stream looks for events appended by other processes.
    public var streamPollInterval: Duration = .milliseconds(200)
    /// Comment lines sent on an idle event stream, to keep proxies from closing it.
    public var streamHeartbeat: Duration = .seconds(15)

    /// The default limits.
    public init() {}
}
