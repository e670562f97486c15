import Foundation

extension JobEvent {
    /// The instants the event carries, each with its field name: what must
    /// lie inside ``LedgerTimeRange`` before the event is stored.
    var instants: [(field: String, date: Date)] {
        switch self {
        case .claimed(let data), .leaseRenewed(let data): return [("leaseUntil", data.leaseUntil)]
        case .attemptFailed(let data): return [("retryAt", data.retryAt)]
        case .leaseExpired(let data): return data.retryAt.map { [("retryAt", $0)] } ?? []
        case .submitted, .completed, .failed, .cancelRequested, .cancelled, .killed, .retried: return []
        }
    }
}
