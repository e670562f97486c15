import Crypto

/// The chain of SHA-256 digests that runs through a JSON Lines export.
///
/// Each event line ends in a `digest` field: the SHA-256 of the digest
/// before it (32 bytes; 32 zero bytes before the first line) followed by the
/// line's content, which is every byte of the line before `,"digest":`. A
/// closing line, `{"count":N,"digest":"…"}`, carries the number of event
/// lines and the last digest. Changing, removing, reordering or adding a
/// line, or cutting the file short, breaks the chain from that line on.
///
/// The chain is not keyed: whoever rewrites a file can compute a new one.
/// What it proves is that a file agrees with a digest kept elsewhere, such
/// as the one `jobledger digest` prints for the ledger's head.
package struct ExportDigestChain {
    /// The digest of the last line added; 32 zero bytes before the first.
    private(set) var last: [UInt8] = Array(repeating: 0, count: 32)
    /// The lines added so far.
    package private(set) var count: UInt64 = 0

    /// A chain with no line yet.
    package init() {}

    /// Adds the content of one line (the bytes before `,"digest":`).
    package mutating func add(_ content: UnsafeRawBufferPointer) {
        var hasher = SHA256()
        hasher.update(data: last)
        hasher.update(bufferPointer: content)
        let digest = hasher.finalize()
        digest.withUnsafeBytes { bytes in
            last.withUnsafeMutableBytes { $0.copyMemory(from: bytes) }
        }
        count += 1
    }

    /// Counts a line that carries no digest (CSV and plain JSON Lines).
    mutating func countWithoutDigest() { count += 1 }

    /// The last digest as 64 lowercase hexadecimal digits.
    package var hex: String { String(decoding: Self.hexBytes(last), as: UTF8.self) }

    /// Appends the last digest as 64 lowercase hexadecimal digits.
    func appendHex(to output: inout [UInt8]) {
        // Straight into the output: the export does this once per line.
        for byte in last { HexDigits.append(byte, to: &output) }
    }

    static func hexBytes(_ digest: [UInt8]) -> [UInt8] {
        var text: [UInt8] = []
        text.reserveCapacity(digest.count * 2)
        for byte in digest { HexDigits.append(byte, to: &text) }
        return text
    }

    /// The text before an event line's digest.
    static let digestKey: [UInt8] = Array(#","digest":""#.utf8)
    /// The text a closing line starts with.
    static let closingPrefix: [UInt8] = Array(#"{"count":"#.utf8)

    /// Where an event line's content ends, when the line ends in
    /// `,"digest":"<64 lowercase hex digits>"}`; `nil` otherwise.
    static func contentEnd(of line: UnsafeRawBufferPointer) -> Int? {
        let suffixLength = digestKey.count + 64 + 2
        guard line.count >= suffixLength + 1 else { return nil }
        let start = line.count - suffixLength
        guard line[line.count - 2] == 0x22, line[line.count - 1] == 0x7D,
              UnsafeRawBufferPointer(rebasing: line[start..<start + digestKey.count]).elementsEqual(digestKey),
              isLowercaseHex(UnsafeRawBufferPointer(rebasing: line[(start + digestKey.count)..<(line.count - 2)]))
        else { return nil }
        return start
    }

    /// The 64 hex digits of an event line's digest; call after ``contentEnd(of:)``.
    static func digestText(of line: UnsafeRawBufferPointer) -> [UInt8] {
        Array(UnsafeRawBufferPointer(rebasing: line[(line.count - 66)..<(line.count - 2)]))
    }

    static func isLowercaseHex(_ bytes: UnsafeRawBufferPointer) -> Bool {
        bytes.count == 64 && bytes.allSatisfy { ($0 >= 0x30 && $0 <= 0x39) || ($0 >= 0x61 && $0 <= 0x66) }
    }

    /// Reads a closing line: exactly `{"count":N,"digest":"<64 lowercase hex digits>"}`.
    static func parseClosing(_ line: UnsafeRawBufferPointer) -> (count: UInt64, digest: [UInt8])? {
        guard line.starts(with: closingPrefix), let end = contentEnd(of: line) else { return nil }
        let digits = UnsafeRawBufferPointer(rebasing: line[closingPrefix.count..<end])
        guard !digits.isEmpty, digits.count <= 19, digits.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }),
              digits.count == 1 || digits[0] != 0x30
        else { return nil }
        var count: UInt64 = 0
        for digit in digits { count = count * 10 + UInt64(digit - 0x30) }
        return (count, digestText(of: line))
    }

    /// Appends the closing line for the lines added so far.
    func appendClosingLine(to output: inout [UInt8]) {
        output.append(contentsOf: Self.closingPrefix)
        JSONText.appendDecimal(count, to: &output)
        output.append(contentsOf: Self.digestKey)
        appendHex(to: &output)
        output.append(0x22)
        output.append(0x7D)
        output.append(0x0A)
    }
}
