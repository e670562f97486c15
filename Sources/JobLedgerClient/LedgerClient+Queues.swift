import Foundation

/// The settings of a job type, as the server answers them.
public struct LedgerQueueSettings: Sendable, Hashable, Codable {
    /// The job type.
    public var type: String
    /// At most this many jobs of the type running at once; `nil`: no limit.
    public var concurrency: Int?
    /// True while no job of the type is claimed.
    public var paused: Bool
    /// At most this many claims in any window of ``ratePeriod`` seconds.
    public var rate: Int?
    /// The rate limit's window, in seconds.
    public var ratePeriod: Double?
    /// The retention policy in seconds; `nil` keeps the type's events for ever.
    public var retentionSeconds: Int?
}

/// The settings of job types: read by any token, changed by admin and
/// system tokens (others get a `forbidden` problem).
extension LedgerClient {
    /// The settings in force for jobs of `type`.
    public func queueSettings(_ type: String) async throws -> LedgerQueueSettings {
        let call = Call(method: .GET, path: "/v1/queues/\(Self.segment(type))")
        return try decode(LedgerQueueSettings.self, try await perform(call), call)
    }

    /// Limits the jobs of `type` running at once to `limit`; `nil` lifts it.
    @discardableResult
    public func setConcurrencyLimit(_ limit: Int?, forType type: String, reason: String? = nil) async throws -> LedgerQueueSettings {
        try await change(type, "limit", body: LimitBody(concurrency: limit, reason: reason))
    }

    /// Limits claims of `type` to `rate` in any window of `period`
    /// seconds; `nil` lifts it.
    @discardableResult
    public func setRateLimit(
        _ rate: Int?, per period: Double = 1, forType type: String, reason: String? = nil
    ) async throws -> LedgerQueueSettings {
        try await change(type, "rate", body: RateBody(rate: rate, per: rate == nil ? nil : period, reason: reason))
    }

    /// Sets the retention policy of `type`: `jobledger scavenge` archives
    /// the events of its jobs ended more than `seconds` ago; `nil` keeps them.
    @discardableResult
    public func setRetention(_ seconds: Int?, forType type: String, reason: String? = nil) async throws -> LedgerQueueSettings {
        try await change(type, "retention", body: RetentionBody(after: seconds, reason: reason))
    }

    /// Pauses claims of `type`.
    @discardableResult
    public func pauseQueue(_ type: String, reason: String) async throws -> LedgerQueueSettings {
        try await change(type, "pause", body: ReasonOnly(reason: reason))
    }

    /// Resumes claims of `type`.
    @discardableResult
    public func resumeQueue(_ type: String, reason: String? = nil) async throws -> LedgerQueueSettings {
        try await change(type, "resume", body: ReasonOnly(reason: reason))
    }

    private func change(_ type: String, _ action: String, body: some Encodable) async throws -> LedgerQueueSettings {
        let call = Call(method: .POST, path: "/v1/queues/\(Self.segment(type))/\(action)", body: try encode(body))
        return try decode(LedgerQueueSettings.self, try await perform(call), call)
    }

    /// `concurrency` is always sent: `null` is what lifts the limit.
    private struct LimitBody: Encodable {
        var concurrency: Int?
        var reason: String?
        enum CodingKeys: String, CodingKey { case concurrency, reason }
        func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(concurrency, forKey: .concurrency)
            try container.encodeIfPresent(reason, forKey: .reason)
        }
    }

    /// `after` is always sent, like ``LimitBody``'s limit.
    private struct RetentionBody: Encodable {
        var after: Int?
        var reason: String?
        enum CodingKeys: String, CodingKey { case after, reason }
        func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(after, forKey: .after)
            try container.encodeIfPresent(reason, forKey: .reason)
        }
    }

    /// `rate` is always sent, like ``LimitBody``'s limit.
    private struct RateBody: Encodable {
        var rate: Int?
        var per: Double?
        var reason: String?
        enum CodingKeys: String, CodingKey { case rate, per, reason }
        func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(rate, forKey: .rate)
            try container.encodeIfPresent(per, forKey: .per)
            try container.encodeIfPresent(reason, forKey: .reason)
        }
    }

    private struct ReasonOnly: Encodable { var reason: String? }
}
