import NIOCore

/// Cuts a byte stream into lines as pieces of it arrive. A line ends at
/// `\n`; a `\r` before it is dropped too (CRLF and CSV records). What is
/// left after the last line feed is a line of its own at the end.
struct LineSplitter: Sendable {
    private var pending: [UInt8] = []
    private var ready: [String] = []
    private var readIndex = 0

    /// Adds a piece of the stream.
    mutating func append(_ buffer: ByteBuffer) {
        buffer.withUnsafeReadableBytes { bytes in
            var start = 0
            for index in bytes.indices where bytes[index] == 0x0A {
                pending.append(contentsOf: bytes[start..<index])
                if pending.last == 0x0D { pending.removeLast() }
                ready.append(String(decoding: pending, as: UTF8.self))
                pending.removeAll(keepingCapacity: true)
                start = index + 1
            }
            pending.append(contentsOf: bytes[start...])
        }
    }

    /// The next complete line, if one is there.
    mutating func nextLine() -> String? {
        guard readIndex < ready.count else {
            if !ready.isEmpty {
                ready.removeAll(keepingCapacity: true)
                readIndex = 0
            }
            return nil
        }
        defer { readIndex += 1 }
        return ready[readIndex]
    }

    /// The unterminated rest at the end of the stream, if any.
    mutating func finish() -> String? {
        guard !pending.isEmpty else { return nil }
        if pending.last == 0x0D { pending.removeLast() }
        defer { pending.removeAll() }
        return String(decoding: pending, as: UTF8.self)
    }
}

/// The lines of a streamed answer body, read piece by piece.
struct BodyLines<Body: AsyncSequence & Sendable>: AsyncSequence, Sendable where Body.Element == ByteBuffer {
    typealias Element = String
    let body: Body

    struct AsyncIterator: AsyncIteratorProtocol {
        var pieces: Body.AsyncIterator
        var splitter = LineSplitter()
        var ended = false

        mutating func next() async throws -> String? {
            while true {
                if let line = splitter.nextLine() { return line }
                if ended { return nil }
                if let piece = try await pieces.next() {
                    splitter.append(piece)
                } else {
                    ended = true
                    if let rest = splitter.finish() { return rest }
                    return nil
                }
            }
        }
    }

    func makeAsyncIterator() -> AsyncIterator { AsyncIterator(pieces: body.makeAsyncIterator()) }
}
