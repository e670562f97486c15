import Foundation

/// One event of `GET /v1/events/stream`: `id` is the event's position in
/// the log, `event` its type and `data` its export JSON line.
public struct ServerSentEvent: Sendable, Hashable {
    /// The `id:` field: the position, as text.
    public var id: String?
    /// The `event:` field; `message` when absent, as the format says.
    public var event: String
    /// The `data:` lines, joined with line feeds.
    public var data: String

    /// The event's position in the log, when `id` is one.
    public var position: UInt64? { id.flatMap(UInt64.init) }

    /// The event decoded from its data.
    public func decoded() throws -> LedgerEvent { try LedgerEvent(line: data) }
}

/// Reads the text/event-stream format line by line: fields accumulate
/// until a blank line dispatches the event; comment lines (`:`) and unknown
/// fields are skipped, as the format says.
struct ServerSentEventParser: Sendable {
    private var id: String?
    private var event: String?
    private var data: [String] = []
    private var hasField = false

    /// Takes one line (without its line end); returns an event when the
    /// line is the blank line that ends one.
    mutating func take(_ line: String) -> ServerSentEvent? {
        if line.isEmpty {
            defer { reset() }
            guard hasField, !data.isEmpty else { return nil }
            return ServerSentEvent(id: id, event: event ?? "message", data: data.joined(separator: "\n"))
        }
        if line.hasPrefix(":") { return nil }
        let name: Substring
        var value: Substring
        if let colon = line.firstIndex(of: ":") {
            name = line[..<colon]
            value = line[line.index(after: colon)...]
            if value.hasPrefix(" ") { value = value.dropFirst() }
        } else {
            name = Substring(line)
            value = ""
        }
        switch name {
        case "id": if !value.contains("\0") { id = String(value) }
        case "event": event = String(value)
        case "data": data.append(String(value))
        default: return nil
        }
        hasField = true
        return nil
    }

    private mutating func reset() {
        id = nil
        event = nil
        data.removeAll()
        hasField = false
    }
}
