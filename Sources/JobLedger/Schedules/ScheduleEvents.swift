import EventStore
import Foundation

/// The events of the `schedules` stream: every schedule set (created or
/// changed) and removed, each carrying what holds after it.
enum ScheduleEvents {
    /// The stream of every schedule.
    static let stream = "schedules"
    /// A schedule was set; its payload is the whole schedule.
    static let set = "ScheduleSet"
    /// A schedule was removed.
    static let removed = "ScheduleRemoved"
    /// Both kinds.
    static let typeNames: Set<String> = [set, removed]

    /// The payload of a removal.
    struct Removal: Codable {
        var name: String
        var removedBy: String
        var reason: String?
    }

    /// The schedules in force after `events`, by name.
    static func fold(_ events: [RecordedEvent]) throws -> [String: RecurringSchedule] {
        var schedules: [String: RecurringSchedule] = [:]
        for event in events { try apply(type: event.type, payload: event.payload, to: &schedules) }
        return schedules
    }

    /// Applies one event of the stream; other types change nothing.
    static func apply(type: String, payload: [UInt8], to schedules: inout [String: RecurringSchedule]) throws {
        switch type {
        case set:
            let schedule = try JSONCoding.decoder.decode(RecurringSchedule.self, from: Data(payload))
            schedules[schedule.name] = schedule
        case removed:
            let removal = try JSONCoding.decoder.decode(Removal.self, from: Data(payload))
            schedules[removal.name] = nil
        default:
            return
        }
    }
}
