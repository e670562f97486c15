import EventStore
import Foundation
import Hummingbird

/// The events page's filters, as its form and its links send them: an
/// event type, the start of a stream id, and an actor. The page, its live
/// stream and its export apply the same ones.
struct EventFilters: Sendable, Hashable {
    /// Only events of this type (exact); empty for every type.
    var type = ""
    /// Only events of streams whose id starts with this; empty for every stream.
    var stream = ""
    /// Only events recorded for this actor (exact); empty for every actor.
    var actor = ""

    init(type: String = "", stream: String = "", actor: String = "") {
        (self.type, self.stream, self.actor) = (type, stream, actor)
    }

    init(_ parameters: Parameters) {
        func value(_ name: String) -> String { parameters.get(name)?.trimmingSpaces ?? "" }
        (type, stream, actor) = (value("type"), value("stream"), value("actor"))
    }

    /// The filters as query items, empty ones left out by ``URLPath/query(_:_:)``.
    var items: [(String, String?)] { [("type", type), ("stream", stream), ("actor", actor)] }

    /// What the store filters by itself: the type and the stream prefix.
    var storeFilter: EventFilter {
        EventFilter(types: type.isEmpty ? nil : [type], streamPrefix: stream.isEmpty ? nil : stream)
    }

    /// The types as an export selection names them.
    var exportTypes: Set<String>? { type.isEmpty ? nil : [type] }

    /// True when the store's export selects exactly these events by
    /// itself (no stream prefix, no actor): the export is then the text
    /// `jobledger export` writes for `--type`.
    var exportKnowsSelection: Bool { stream.isEmpty && actor.isEmpty }

    /// Whether `event` passes every filter.
    func matches(_ event: RecordedEvent) -> Bool {
        matches(type: event.type, stream: event.streamID, actor: event.actor)
    }

    /// Whether an event of this type, stream and actor passes every filter.
    func matches(type: String, stream: String, actor: String) -> Bool {
        (self.type.isEmpty || type == self.type) && stream.hasPrefix(self.stream) && (self.actor.isEmpty || actor == self.actor)
    }
}
