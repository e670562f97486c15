/// The stream version an append was decided on.
///
/// Stream versions count events: a stream's first event has version 1, so a
/// stream that does not exist is at version 0.
public enum ExpectedVersion: Sendable, Hashable, CustomStringConvertible {
    /// Append whatever the stream's version.
    case any
    /// The stream must not exist yet.
    case noStream
    /// The stream must exist, at any version.
    case streamExists
    /// The stream must be exactly at this version (0 means no stream).
    case exact(UInt64)
    /// The stream must be at this version, or have gained since then only
    /// events of the given types: events that commute with the decision
    /// being appended (a lease renewal does not change whether a running
    /// job may be killed, so a kill need not lose to a heartbeat).
    case exactIgnoring(UInt64, commuting: Set<String>)
    /// As ``exactIgnoring(_:commuting:)``, but the stream may have moved
    /// on by at most `atMost` events: a decision that stays right while no
    /// more than so many others like it were stored meanwhile (a claim
    /// counted 5 running jobs under a limit of 8, so up to 2 other claims
    /// may land before it and the limit still holds).
    case exactIgnoringAtMost(UInt64, commuting: Set<String>, atMost: UInt64)

    /// Whether a stream currently at `actual` (0 = no stream) satisfies this expectation.
    public func isSatisfied(byActual actual: UInt64) -> Bool {
        switch self {
        case .any: return true
        case .noStream: return actual == 0
        case .streamExists: return actual > 0
        case .exact(let version): return actual == version
        case .exactIgnoring(let version, _): return actual == version
        case .exactIgnoringAtMost(let version, _, _): return actual == version
        }
    }

    /// Whether a stream at version `actual` (0 = no stream) accepts an
    /// append decided on this expectation: the one rule every backend
    /// applies inside its append transaction.
    ///
    /// For ``exactIgnoring(_:commuting:)``, a stream that moved on is still
    /// accepted when every event after the expected version is of a
    /// commuting type (and, for ``exactIgnoringAtMost(_:commuting:atMost:)``,
    /// there are no more of them than its bound); `typeAt` gives the stored type of the stream's event
    /// at a version (`nil` when it cannot be read, which refuses). It is
    /// called only in that case, from the oldest newer event on, and not
    /// after the first one that does not commute.
    public func check(actual: UInt64, typeAt: (UInt64) throws -> String?) rethrows -> Bool {
        if isSatisfied(byActual: actual) { return true }
        let version: UInt64, commuting: Set<String>
        switch self {
        case .exactIgnoring(let expected, let types):
            (version, commuting) = (expected, types)
        case .exactIgnoringAtMost(let expected, let types, let atMost):
            guard actual <= expected || actual - expected <= atMost else { return false }
            (version, commuting) = (expected, types)
        default:
            return false
        }
        guard actual > version else { return false }
        for newer in (version + 1)...actual {
            guard let type = try typeAt(newer), commuting.contains(type) else { return false }
        }
        return true
    }

    /// A short form such as `exact(3)` or `noStream`.
    public var description: String {
        switch self {
        case .any: return "any"
        case .noStream: return "noStream"
        case .streamExists: return "streamExists"
        case .exact(let version): return "exact(\(version))"
        case .exactIgnoring(let version, let types):
            return "exact(\(version)) ignoring \(types.sorted().joined(separator: ", "))"
        case .exactIgnoringAtMost(let version, let types, let atMost):
            return "exact(\(version)) ignoring up to \(atMost) of \(types.sorted().joined(separator: ", "))"
        }
    }
}
