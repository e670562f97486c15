import Foundation

/// How a ``LedgerClient`` talks to the server.
public struct LedgerClientConfiguration: Sendable, Hashable {
    /// Connections kept open to the server. A waiting claim holds one for
    /// as long as it waits, so a process running N remote worker slots
    /// needs at least N, plus a few for renewals and settlements.
    public var maximumConnections: Int = 64
    /// How long an unused connection stays open for the next request.
    public var idleTimeout: Duration = .seconds(60)
    /// How long connecting to the server may take.
    public var connectTimeout: Duration = .seconds(5)
    /// How long a request may wait for the head of its answer. A claim
    /// adds the time it asks the server to wait.
    public var requestTimeout: Duration = .seconds(30)
    /// The largest answer body read into memory (lists, histories, pages).
    /// Export and the event stream are read piece by piece and are not bounded.
    public var maximumAnswerBytes: Int = 64 << 20

    /// The defaults: 64 connections, 60 s idle, 5 s to connect, 30 s per request.
    public init() {}
}
