import Foundation

/// Any JSON value, decoded with exact types (a `true` is never a 1), so
/// request bodies can be checked field by field.
enum JSONValue: Codable, Sendable, Hashable {
    case null
    case bool(Bool)
    case integer(Int64)
    case number(Double)
    case string(String)
    case array([JSONValue])
    case object([String: JSONValue])

    init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if container.decodeNil() {
            self = .null
        } else if let value = try? container.decode(Bool.self) {
            self = .bool(value)
        } else if let value = try? container.decode(Int64.self) {
            self = .integer(value)
        } else if let value = try? container.decode(Double.self) {
            self = .number(value)
        } else if let value = try? container.decode(String.self) {
            self = .string(value)
        } else if let value = try? container.decode([JSONValue].self) {
            self = .array(value)
        } else {
            self = .object(try container.decode([String: JSONValue].self))
        }
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .null: try container.encodeNil()
        case .bool(let value): try container.encode(value)
        case .integer(let value): try container.encode(value)
        case .number(let value): try container.encode(value)
        case .string(let value): try container.encode(value)
        case .array(let value): try container.encode(value)
        case .object(let value): try container.encode(value)
        }
    }

    /// Compact JSON text with sorted keys.
    var text: String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return (try? encoder.encode(self)).map { String(decoding: $0, as: UTF8.self) } ?? "null"
    }
}

/// The fields of a JSON object body, read with type checks that name the
/// field at fault; fields the route does not know are refused.
struct BodyFields {
    private let fields: [String: JSONValue]

    /// Parses `bytes` (empty means `{}`) and refuses fields outside `allowed`.
    init(_ bytes: [UInt8], allowed: Set<String>) throws {
        if bytes.allSatisfy({ $0 == 0x20 || $0 == 0x0A || $0 == 0x0D || $0 == 0x09 }) {
            fields = [:]
            return
        }
        let value: JSONValue
        do {
            value = try JSONDecoder().decode(JSONValue.self, from: Data(bytes))
        } catch {
            throw Problem(.badInput, "the body is not valid JSON")
        }
        guard case .object(let object) = value else { throw Problem(.badInput, "the body must be a JSON object") }
        let identity: Set<String> = ["owner", "org", "organisation", "role", "actor", "worker"]
        if let named = object.keys.sorted().first(where: { identity.contains($0) && !allowed.contains($0) }) {
            throw Problem(.badInput, "'\(named)' may not be given: identity comes from the bearer token only")
        }
        if let unknown = object.keys.sorted().first(where: { !allowed.contains($0) }) {
            throw Problem(.badInput, "unknown field '\(unknown)'; allowed: \(allowed.sorted().joined(separator: ", "))")
        }
        fields = object
    }

    func string(_ name: String) throws -> String? {
        switch fields[name] {
        case nil, .null?: return nil
        case .string(let value)?: return value
        default: throw Problem(.badInput, "'\(name)' must be a string")
        }
    }

    func requiredString(_ name: String) throws -> String {
        guard let value = try string(name) else { throw Problem(.badInput, "'\(name)' is required") }
        return value
    }

    func integer(_ name: String) throws -> Int? {
        switch fields[name] {
        case nil, .null?: return nil
        case .integer(let value)?:
            guard let int = Int(exactly: value) else { throw Problem(.badInput, "'\(name)' is out of range") }
            return int
        case .number(let value)?:
            guard value.isFinite, value == value.rounded(), let int = Int(exactly: value) else {
                throw Problem(.badInput, "'\(name)' must be a whole number")
            }
            return int
        default: throw Problem(.badInput, "'\(name)' must be a whole number")
        }
    }

    func number(_ name: String) throws -> Double? {
        switch fields[name] {
        case nil, .null?: return nil
        case .integer(let value)?: return Double(value)
        case .number(let value)?:
            guard value.isFinite else { throw Problem(.badInput, "'\(name)' must be a finite number") }
            return value
        default: throw Problem(.badInput, "'\(name)' must be a number")
        }
    }

    func bool(_ name: String) throws -> Bool? {
        switch fields[name] {
        case nil, .null?: return nil
        case .bool(let value)?: return value
        default: throw Problem(.badInput, "'\(name)' must be true or false")
        }
    }

    func strings(_ name: String) throws -> [String]? {
        switch fields[name] {
        case nil, .null?: return nil
        case .array(let values)?:
            return try values.map { value in
                guard case .string(let text) = value else { throw Problem(.badInput, "'\(name)' must be an array of strings") }
                return text
            }
        default: throw Problem(.badInput, "'\(name)' must be an array of strings")
        }
    }

    /// A field holding any JSON value, as JSON text (`nil` when absent).
    func json(_ name: String) -> String? {
        guard let value = fields[name] else { return nil }
        return value.text
    }
}
