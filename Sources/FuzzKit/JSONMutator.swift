/// Mutations that know JSON's shape: values swapped for edge cases, fields
/// renamed, dropped, repeated or reordered, escapes and nesting stressed.
package enum JSONMutator {
    /// JSON values that sit on the edges of the decoders' checks.
    package static let edgeValues: [String] = [
        // Numbers around every width and sign, and forms JSON forbids.
        "0", "-0", "1", "-1", "01", "1.0", "1e3", "1E+2", "-1e-2", "2147483648", "-2147483649",
        "9223372036854775807", "9223372036854775808", "-9223372036854775808", "-9223372036854775809",
        "18446744073709551615", "18446744073709551616", "123456789012345678901234567890", "1e400", "-", "1.", ".5",
        "0x10", "NaN", "Infinity",
        // Strings: empty, escapes, surrogates, control characters, length.
        #""""#, #""\u0000""#, #""\ud800""#, #""\udc00""#, #""\ud83d\ude00""#, #""\ud800\u0041""#, #""\u00e9""#,
        #""\"""#, #""\\""#, #""\/""#, #""\x""#, #""\u12""#, #""\u12G4""#, #""a\nb""#, "\"tab\there\"",
        "\"" + String(repeating: "a", count: 201) + "\"", "\"" + String(repeating: "\\\"", count: 120) + "\"",
        #""Zoë ☃ 𝄞""#,
        // Times: ranges, leap days, precision, zones, expanded years.
        #""2026-11-23T12:00:00Z""#, #""2026-11-23T12:00:00.123Z""#, #""2026-11-23T12:00:00.1234567Z""#,
        #""2026-11-23T12:00:00.Z""#, #""+99999-12-31T23:59:59.999999Z""#, #""-99999-01-01T00:00:00.000000Z""#,
        #""+292277-12-31T23:59:59.999999Z""#, #""-292277-01-01T00:00:00.000000Z""#, #""-290308-12-21T19:59:05.224192Z""#,
        #""+294247-01-10T04:00:54.775807Z""#, #""+999999-12-31T23:59:59.999999Z""#, #""+1000000-01-01T00:00:00Z""#,
        #""0000-02-29T00:00:00.000000Z""#, #""1900-02-29T00:00:00.000000Z""#, #""2024-02-29T00:00:00.000000Z""#,
        #""2026-13-01T00:00:00Z""#, #""2026-00-01T00:00:00Z""#, #""2026-01-32T00:00:00Z""#, #""2026-01-01T24:00:00Z""#,
        #""2026-01-01T23:59:60Z""#, #""2026-01-01T00:00:00+01:00""#, #""2026-01-01 00:00:00Z""#,
        #""1969-12-31T23:59:59.999999Z""#, #""9999-12-31T23:59:59.999Z""#, #""0001-01-01T00:00:00Z""#,
        // Ids.
        #""00000000-0000-0000-0000-000000000000""#, #""FFFFFFFF-FFFF-FFFF-FFFF-FFFFFFFFFFFF""#,
        #""5f0c1a2e-7b1d-4c3a-9e21-000000000001""#, #""5f0c1a2e-7b1d-4c3a-9e21-000000000002""#,
        #""5f0c1a2e7b1d4c3a9e21000000000001""#, #""5f0c1a2e-7b1d-4c3a-9e21-00000000000""#,
        #""{5f0c1a2e-7b1d-4c3a-9e21-000000000001}""#, #""5f0c1a2e-7b1d-4c3a-9e21+000000000001""#,
        // Structures and literals.
        "null", "true", "false", "nul", "tru", "{}", "[]", "[1,]", "{,}", #"{"a":1,"a":2}"#, #"{"":null}"#,
        #"{"$base64":"AAEC/w=="}"#, #"{"$base64":"!!"}"#, #"{"$base64":1}"#, #"{"$base64":""}"#,
        #"{"$base64":"QQ"}"#, #"{"$base64":"QQ==","x":1}"#, #"{"kind":"email","to":["a"],"n":1.5e3}"#,
        String(repeating: "[", count: 40) + String(repeating: "]", count: 40),
        String(repeating: "[", count: 3000) + String(repeating: "]", count: 3000),
        String(repeating: "{\"a\":", count: 600) + "1" + String(repeating: "}", count: 600),
        String(repeating: "[", count: 5000),
    ]

    private static let edgeValueBytes: [[UInt8]] = edgeValues.map { Array($0.utf8) }

    /// Raw byte strings that are not valid UTF-8 or hold control bytes,
    /// to put inside string values.
    private static let rawStringInsides: [[UInt8]] = [
        [0xFF], [0xC0, 0x80], [0xED, 0xA0, 0x80], [0xF4, 0x90, 0x80, 0x80], [0xE2, 0x82], [0x01], [0x7F],
        [0xC3, 0xA9], [0xEF, 0xBF, 0xBD], [0x00],
    ]

    /// Applies one JSON-aware mutation to `bytes`. `dictionary` holds words
    /// of the format (field names, type names, states) to use as keys and
    /// strings; `others` are inputs to take lines from.
    package static func mutate(
        _ bytes: inout [UInt8], dictionary: [[UInt8]], others: [[UInt8]], maxLength: Int,
        using random: inout FuzzRandom
    ) {
        if random.oneIn(4) && mutateLines(&bytes, others: others, using: &random) {
            if bytes.count > maxLength { bytes.removeSubrange(maxLength...) }
            return
        }
        let tokens = JSONTokens(bytes)
        let values = tokens.values
        guard !values.isEmpty else {
            ByteMutator.mutate(&bytes, others: others, maxLength: maxLength, using: &random)
            return
        }
        let target = random.pick(values)
        switch random.below(10) {
        case 0, 1, 2:
            bytes.replaceSubrange(target.range, with: random.pick(edgeValueBytes))
        case 3 where !dictionary.isEmpty:
            bytes.replaceSubrange(target.range, with: [0x22] + random.pick(dictionary) + [0x22])
        case 4 where target.kind == .string && target.range.count >= 2:
            // Damage the inside of a string: a raw odd byte, or a character
            // changed, which breaks ids and times in interesting places.
            let inside = target.range.lowerBound + 1 + random.below(target.range.count - 1)
            if random.oneIn(2) {
                bytes.insert(contentsOf: random.pick(rawStringInsides), at: inside)
            } else if inside < target.range.upperBound - 1 {
                bytes[inside] = random.pick(Array("0123456789aAfFzZ-+.:T \\\"".utf8))
            }
        case 5:
            // Drop a value with the punctuation before it.
            let all = tokens.tokens
            guard let position = all.firstIndex(where: { $0.range == target.range }) else { return }
            let start = position >= 2 ? all[position - 2].range.lowerBound : target.range.lowerBound
            bytes.removeSubrange(start..<target.range.upperBound)
        case 6:
            // Repeat a stretch of tokens, such as a whole field.
            let all = tokens.tokens
            let first = random.below(all.count)
            let last = min(all.count - 1, first + random.smallLength(6))
            let chunk = Array(bytes[all[first].range.lowerBound..<all[last].range.upperBound])
            bytes.insert(contentsOf: chunk, at: all[last].range.upperBound)
        case 7:
            // Swap two values.
            let other = random.pick(values)
            guard other.range != target.range else { return }
            let (low, high) = other.range.lowerBound < target.range.lowerBound ? (other, target) : (target, other)
            guard low.range.upperBound <= high.range.lowerBound else { return }
            let lowBytes = Array(bytes[low.range])
            let highBytes = Array(bytes[high.range])
            bytes.replaceSubrange(high.range, with: lowBytes)
            bytes.replaceSubrange(low.range, with: highBytes)
        case 8:
            // Whitespace where the grammar allows it, and where it does not.
            let whitespace: [[UInt8]] = [[0x20], [0x09], [0x0D], [0x0D, 0x0A], [0x0A], [0x20, 0x20, 0x20]]
            bytes.insert(contentsOf: random.pick(whitespace), at: random.oneIn(2) ? target.range.lowerBound : target.range.upperBound)
        default:
            ByteMutator.mutate(&bytes, others: others, maxLength: maxLength, using: &random)
        }
        if bytes.count > maxLength { bytes.removeSubrange(maxLength...) }
    }

    /// Line-level changes for JSON Lines: repeat, drop, swap, blank and
    /// borrowed lines, CRLF endings, a missing last line feed. Returns false
    /// when the text has no lines to work on.
    private static func mutateLines(_ bytes: inout [UInt8], others: [[UInt8]], using random: inout FuzzRandom) -> Bool {
        var lines = bytes.split(separator: 0x0A, omittingEmptySubsequences: false).map(Array.init)
        let endsWithNewline = lines.last?.isEmpty == true
        if endsWithNewline { lines.removeLast() }
        guard !lines.isEmpty else { return false }
        let index = random.below(lines.count)
        switch random.below(8) {
        case 0: lines.insert(lines[index], at: random.below(lines.count + 1))
        case 1 where lines.count > 1: lines.remove(at: index)
        case 2: lines.swapAt(index, random.below(lines.count))
        case 3: lines.insert(random.pick([[], [0x20], [0x09, 0x0D]]), at: random.below(lines.count + 1))
        case 4 where !others.isEmpty:
            let borrowed = random.pick(others).split(separator: 0x0A).map(Array.init)
            guard !borrowed.isEmpty else { return false }
            lines.insert(random.pick(borrowed), at: random.below(lines.count + 1))
        case 5: lines[index].append(0x0D)
        case 6: lines.append(lines[index])
        default:
            bytes = Array(lines.joined(separator: [0x0A]))
            if !endsWithNewline { bytes.append(0x0A) }
            return true
        }
        bytes = Array(lines.joined(separator: [0x0A]))
        if endsWithNewline { bytes.append(0x0A) }
        return true
    }
}
