/// Building the dashboard's own links from values a user wrote.
enum URLPath {
    /// Bytes left as they are in a path segment or a query value: RFC 3986's
    /// unreserved characters. Everything else is percent-encoded, so a job
    /// id can neither leave its segment nor start a scheme.
    private static func isUnreserved(_ byte: UInt8) -> Bool {
        (0x41...0x5A).contains(byte) || (0x61...0x7A).contains(byte) || (0x30...0x39).contains(byte)
            || byte == 0x2D || byte == 0x2E || byte == 0x5F || byte == 0x7E
    }

    /// `text` percent-encoded for one path segment or one query value.
    static func encode(_ text: String) -> String {
        var result = ""
        for byte in text.utf8 {
            if isUnreserved(byte) {
                result.unicodeScalars.append(Unicode.Scalar(byte))
            } else {
                result += "%" + String(byte >> 4, radix: 16, uppercase: true) + String(byte & 0xF, radix: 16, uppercase: true)
            }
        }
        return result
    }

    /// `/jobs/<id>`, and further segments after it.
    static func job(_ id: String, _ more: String...) -> String {
        (["/jobs", encode(id)] + more).joined(separator: "/")
    }

    /// `/batches/<batch>/kill`.
    static func batchKill(_ batch: String) -> String {
        "/batches/" + encode(batch) + "/kill"
    }

    /// `path?name=value&...`, leaving out empty values.
    static func query(_ path: String, _ items: [(String, String?)]) -> String {
        let pairs = items.compactMap { name, value -> String? in
            guard let value, !value.isEmpty else { return nil }
            return encode(name) + "=" + encode(value)
        }
        return pairs.isEmpty ? path : path + "?" + pairs.joined(separator: "&")
    }
}
