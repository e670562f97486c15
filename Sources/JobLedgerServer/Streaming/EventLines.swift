import EventStore
import Foundation

/// Events in the export's JSON Lines form, the one shape of an event that
/// the command line, the event pages, the stream and the export share.
enum EventLines {
    /// The export line of each event in `from...to`, without newlines.
    static func lines(_ store: any EventStorage, from: UInt64, to: UInt64) throws -> [Substring] {
        guard from <= to else { return [] }
        var text = ""
        try store.exportEvents(format: .jsonLines, selection: ExportSelection(fromPosition: from, toPosition: to)) { bytes in
            text += String(decoding: bytes, as: UTF8.self)
        }
        return text.split(separator: "\n", omittingEmptySubsequences: true)
    }
}
