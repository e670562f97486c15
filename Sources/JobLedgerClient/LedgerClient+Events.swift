import Foundation

/// The calls over the whole log: event pages, export and the report. They
/// span every organisation and need a system token.
extension LedgerClient {
    /// The events after position `after` (`GET /v1/events`), at most
    /// `limit` of them (the server's default when `nil`).
    public func events(after: UInt64 = 0, limit: Int? = nil) async throws -> EventPage {
        var query = [("after", String(after))]
        if let limit { query.append(("limit", String(limit))) }
        let call = Call(method: .GET, path: "/v1/events", query: query)
        return try decode(EventPage.self, try await perform(call), call)
    }

    /// The export (`GET /v1/export`) as lines read piece by piece from the
    /// connection, so a log of any size is read in constant memory. The
    /// request is sent when this returns; iterate to read.
    ///
    /// - Parameters:
    ///   - from: the first log position to include.
    ///   - since: events recorded at or after this time.
    ///   - until: events recorded before this time.
    ///   - stream: the events of this stream only.
    ///   - types: events of these types only.
    public func export(
        format: ExportFormat = .jsonLines, from: UInt64? = nil, since: Date? = nil, until: Date? = nil,
        stream: String? = nil, types: [String] = []
    ) async throws -> ExportLines {
        var query = [("format", format.rawValue)]
        if let from { query.append(("from", String(from))) }
        if let since { query.append(("since", LedgerTimestamp.format(since))) }
        if let until { query.append(("until", LedgerTimestamp.format(until))) }
        if let stream { query.append(("stream", stream)) }
        query += types.map { ("type", $0) }
        let response = try await self.stream(Call(method: .GET, path: "/v1/export", query: query))
        return ExportLines(body: response.body)
    }

    /// The report's figures (`GET /v1/report`) for jobs submitted in the period.
    public func report(since: Date? = nil, until: Date? = nil) async throws -> LedgerReport {
        var query: [(String, String)] = []
        if let since { query.append(("since", LedgerTimestamp.format(since))) }
        if let until { query.append(("until", LedgerTimestamp.format(until))) }
        let call = Call(method: .GET, path: "/v1/report", query: query)
        return try decode(LedgerReport.self, try await perform(call), call)
    }
}

/// The service's own routes: liveness, readiness, metrics and the API's
/// description. They need no token.
extension LedgerClient {
    /// Whether the process answers (`GET /healthz`).
    public func isHealthy() async throws -> Bool {
        try await answersOK("/healthz")
    }

    /// Whether the ledger is open and writable (`GET /readyz`).
    public func isReady() async throws -> Bool {
        try await answersOK("/readyz")
    }

    private func answersOK(_ path: String) async throws -> Bool {
        do {
            return try await perform(Call(method: .GET, path: path)).status == 200
        } catch let problem as LedgerProblem where problem.status == 503 {
            return false
        }
    }

    /// The metrics in the Prometheus text format (`GET /metrics`).
    public func metrics() async throws -> String {
        let answer = try await perform(Call(method: .GET, path: "/metrics"))
        return String(decoding: answer.data, as: UTF8.self)
    }

    /// The OpenAPI document of the API (`GET /v1/openapi.json`).
    public func openAPIDocument() async throws -> JSONValue {
        let call = Call(method: .GET, path: "/v1/openapi.json")
        return try decode(JSONValue.self, try await perform(call), call)
    }
}
