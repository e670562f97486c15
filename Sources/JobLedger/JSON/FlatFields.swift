import EventStore
import Foundation

/// The typed fields of a flat JSON object (``FlatJSONObject``), as the fast
/// path of reading a stored job event needs them: each accessor is `nil`
/// when the field is missing or of another kind (the general decoder then
/// decides).
struct FlatFields {
    let object: FlatJSONObject

    /// A string field.
    func text(_ key: StaticString) -> String? {
        if case .string(let value)? = object[key] { value } else { nil }
    }

    /// A string field that may be absent or `null` (`.some(nil)`).
    func optionalText(_ key: StaticString) -> String?? {
        switch object[key] {
        case nil, .null?: return .some(nil)
        case .string(let value)?: return .some(value)
        default: return nil
        }
    }

    /// An integer field.
    func int(_ key: StaticString) -> Int? {
        if case .int(let value)? = object[key] { value } else { nil }
    }

    /// An integer field that may be absent or `null` (`.some(nil)`).
    func optionalInt(_ key: StaticString) -> Int?? {
        switch object[key] {
        case nil, .null?: return .some(nil)
        case .int(let value)?: return .some(value)
        default: return nil
        }
    }

    /// A Boolean field.
    func bool(_ key: StaticString) -> Bool? {
        if case .bool(let value)? = object[key] { value } else { nil }
    }

    /// An instant inside ``LedgerTimeRange``.
    func date(_ key: StaticString) -> Date? {
        text(key).flatMap(LedgerInstant.date(from:))
    }

    /// An instant that may be absent or `null` (`.some(nil)`).
    func optionalDate(_ key: StaticString) -> Date?? {
        switch object[key] {
        case nil, .null?: return .some(nil)
        default: return date(key).map { .some($0) }
        }
    }
}
