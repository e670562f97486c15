/// How the dashboard keeps its sessions.
public struct DashboardSettings: Sendable {
    /// True when the server is reached through HTTPS (a TLS-terminating
    /// proxy in front of it): cookies then carry `Secure` and the
    /// `__Host-` name prefix, so a browser never sends them over plain HTTP.
    public var behindHTTPS = false
    /// A session unused for this long ends.
    public var idleTimeout: Duration = .seconds(30 * 60)
    /// A session ends this long after sign-in, however busy.
    public var lifetime: Duration = .seconds(12 * 3600)
    /// Sessions kept at once; past it the least recently used one ends.
    public var maxSessions = 10_000

    /// The default settings: plain HTTP (a loopback address), 30 minutes
    /// idle, 12 hours at most.
    public init() {}
}
