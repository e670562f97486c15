import Foundation

/// Writes one flat JSON object by hand, keys in the order given.
///
/// Event payloads and audit entries are written on every command; the
/// general-purpose encoder cost a quarter of a command's instructions, so
/// these small, fixed shapes are written directly, through ``JSONText``.
/// The output is the same JSON ``FlatJSONObject`` and the general decoder
/// read back.
package struct JSONObjectWriter {
    /// The object so far, without its closing brace.
    package private(set) var bytes: [UInt8] = [UInt8(ascii: "{")]
    private var first = true

    /// An empty object.
    package init() { bytes.reserveCapacity(256) }

    private mutating func key(_ name: StaticString) {
        if !first { bytes.append(UInt8(ascii: ",")) }
        first = false
        bytes.append(UInt8(ascii: "\""))
        name.withUTF8Buffer { bytes.append(contentsOf: $0) }
        bytes.append(UInt8(ascii: "\""))
        bytes.append(UInt8(ascii: ":"))
    }

    /// Adds `name` with `value` as a string; nothing when `value` is `nil`.
    package mutating func string(_ name: StaticString, _ value: String?) {
        guard let value else { return }
        key(name)
        JSONText.appendString(value, to: &bytes)
    }

    /// Adds `name` with `value` as a string, or `null` when it is `nil`.
    package mutating func stringOrNull(_ name: StaticString, _ value: String?) {
        guard let value else {
            key(name)
            bytes.append(contentsOf: Self.nullText)
            return
        }
        string(name, value)
    }

    /// Adds `name` with `value`, text that is already one JSON value (the
    /// caller vouches for it), copied as it is.
    package mutating func json(_ name: StaticString, _ value: [UInt8]) {
        key(name)
        bytes.append(contentsOf: value)
    }

    /// Adds `name` with `value` as a number.
    package mutating func unsigned(_ name: StaticString, _ value: UInt64) {
        key(name)
        JSONText.appendDecimal(value, to: &bytes)
    }

    /// Adds `name` with `value` as a number.
    package mutating func int(_ name: StaticString, _ value: Int) {
        key(name)
        JSONText.appendInteger(value, to: &bytes)
    }

    /// Adds `name` with `value` as `true` or `false`.
    package mutating func bool(_ name: StaticString, _ value: Bool) {
        key(name)
        bytes.append(contentsOf: value ? Self.trueText : Self.falseText)
    }

    /// Adds `name` with `value` as its timestamp text
    /// (``UTCTimestamp/text(_:)``); nothing when `value` is `nil`.
    package mutating func date(_ name: StaticString, _ value: Date?) {
        guard let value else { return }
        string(name, UTCTimestamp.text(value))
    }

    /// The finished object.
    package mutating func finish() -> [UInt8] {
        bytes.append(UInt8(ascii: "}"))
        return bytes
    }

    private static let trueText: [UInt8] = Array("true".utf8)
    private static let falseText: [UInt8] = Array("false".utf8)
    private static let nullText: [UInt8] = Array("null".utf8)
}
