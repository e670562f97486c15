import EventStore
import Foundation

extension JobEvent {
    /// The instants the event carries, each with its field name: what must
    /// lie inside ``LedgerTimeRange`` before the event is stored.
    var instants: [(field: String, date: Date)] {
        var found: [(field: String, date: Date)] = []
        _ = JobEventKind.of(self).mapInstants(self) { field, date in
            found.append((field, date))
            return date
        }
        return found
    }

    /// The event as it reads back once stored: each instant replaced by what
    /// its stored text (``UTCTimestamp/text(_:)``, whole milliseconds)
    /// decodes to, so that the decided event, the typed value handed to the
    /// projection and a later read of the payload are equal. Both the text
    /// and ``JSONCoding/truncated(_:)`` round to the nearest millisecond and
    /// divide the whole milliseconds by 1,000, so the rounding gives the
    /// same `Date` without writing and parsing the text (a test compares
    /// the two). An instant outside ``LedgerTimeRange`` is left as it is
    /// (the command refuses it).
    var asStored: JobEvent {
        JobEventKind.of(self).mapInstants(self) { _, date in
            LedgerInstant.isAccepted(date) ? JSONCoding.truncated(date) : date
        }
    }
}
