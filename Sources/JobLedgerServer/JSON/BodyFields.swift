import Foundation
import JobLedger

/// The fields of a JSON object body, read with type checks that name the
/// field at fault; fields the route does not know are refused.
struct BodyFields {
    private let fields: [String: JSONValue]
    /// Put before a field's name in messages: `settlements[2].` for an
    /// object inside a list, empty for the body itself.
    private let prefix: String

    /// Parses `bytes` (empty means `{}`) and refuses fields outside `allowed`.
    init(_ bytes: [UInt8], allowed: Set<String>) throws {
        prefix = ""
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
        try Self.check(object, allowed: allowed, prefix: "")
        fields = object
    }

    /// The fields of an object found inside a body, such as one entry of a
    /// list; messages name its fields as `prefix` + name.
    init(_ object: [String: JSONValue], allowed: Set<String>, prefix: String) throws {
        try Self.check(object, allowed: allowed, prefix: prefix)
        fields = object
        self.prefix = prefix
    }

    private static func check(_ object: [String: JSONValue], allowed: Set<String>, prefix: String) throws {
        let identity: Set<String> = ["owner", "org", "organisation", "role", "actor", "worker"]
        if let named = object.keys.sorted().first(where: { identity.contains($0) && !allowed.contains($0) }) {
            throw Problem(.badInput, "'\(prefix)\(named)' may not be given: identity comes from the bearer token only")
        }
        if let unknown = object.keys.sorted().first(where: { !allowed.contains($0) }) {
            throw Problem(.badInput, "unknown field '\(prefix)\(unknown)'; allowed: \(allowed.sorted().joined(separator: ", "))")
        }
    }

    /// `attempt`, required: the attempt a worker claimed, which a worker's
    /// report names.
    func attempt() throws -> Int {
        guard let attempt = try integer("attempt") else {
            throw Problem(.badInput, "'\(prefix)attempt' is required: the attempt the worker claimed")
        }
        return attempt
    }

    /// The value of a field as it was given.
    func value(_ name: String) -> JSONValue? { fields[name] }

    /// Whether the body names the field at all, `null` included: `null`
    /// may mean "lift this", where a missing field is a mistake.
    func contains(_ name: String) -> Bool { fields[name] != nil }

    func string(_ name: String) throws -> String? {
        switch fields[name] {
        case nil, .null?: return nil
        case .string(let value)?: return value
        default: throw Problem(.badInput, "'\(prefix)\(name)' must be a string")
        }
    }

    func requiredString(_ name: String) throws -> String {
        guard let value = try string(name) else { throw Problem(.badInput, "'\(prefix)\(name)' is required") }
        return value
    }

    func integer(_ name: String) throws -> Int? {
        switch fields[name] {
        case nil, .null?: return nil
        case .number(.integer(let value))?:
            guard let int = Int(exactly: value) else { throw Problem(.badInput, "'\(prefix)\(name)' is out of range") }
            return int
        case .number(.fraction(let value))?:
            guard value.isFinite, value == value.rounded(), let int = Int(exactly: value) else {
                throw Problem(.badInput, "'\(prefix)\(name)' must be a whole number")
            }
            return int
        default: throw Problem(.badInput, "'\(prefix)\(name)' must be a whole number")
        }
    }

    func number(_ name: String) throws -> Double? {
        switch fields[name] {
        case nil, .null?: return nil
        case .number(.integer(let value))?: return Double(value)
        case .number(.fraction(let value))?:
            guard value.isFinite else { throw Problem(.badInput, "'\(prefix)\(name)' must be a finite number") }
            return value
        default: throw Problem(.badInput, "'\(prefix)\(name)' must be a number")
        }
    }

    func bool(_ name: String) throws -> Bool? {
        switch fields[name] {
        case nil, .null?: return nil
        case .bool(let value)?: return value
        default: throw Problem(.badInput, "'\(prefix)\(name)' must be true or false")
        }
    }

    func strings(_ name: String) throws -> [String]? {
        switch fields[name] {
        case nil, .null?: return nil
        case .array(let values)?:
            return try values.map { value in
                guard case .string(let text) = value else { throw Problem(.badInput, "'\(prefix)\(name)' must be an array of strings") }
                return text
            }
        default: throw Problem(.badInput, "'\(prefix)\(name)' must be an array of strings")
        }
    }

    /// A unique key given as `{"key": string, "window": seconds}`, each
    /// required; `nil` when the field is absent or `null`.
    func uniqueKey(_ name: String) throws -> UniqueKey? {
        switch fields[name] {
        case nil, .null?: return nil
        case .object(let object)?:
            if let unknown = object.keys.sorted().first(where: { $0 != "key" && $0 != "window" }) {
                throw Problem(.badInput, "unknown field '\(prefix)\(name).\(unknown)'; allowed: key, window")
            }
            guard case .string(let key)? = object["key"] else { throw Problem(.badInput, "'\(prefix)\(name).key' is required and must be a string") }
            let window: Double
            switch object["window"] {
            case .number(.integer(let value))?: window = Double(value)
            case .number(.fraction(let value))? where value.isFinite: window = value
            default: throw Problem(.badInput, "'\(prefix)\(name).window' is required and must be a finite number of seconds")
            }
            return UniqueKey(key: key, window: window)
        default: throw Problem(.badInput, "'\(prefix)\(name)' must be an object with 'key' and 'window'")
        }
    }

    /// A field holding any JSON value, as JSON text (`nil` when absent).
    func json(_ name: String) -> String? {
        guard let value = fields[name] else { return nil }
        return value.jsonText
    }
}
