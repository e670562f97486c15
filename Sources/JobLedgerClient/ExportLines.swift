import AsyncHTTPClient
import NIOCore

/// The lines of an export, without their line ends, read from the
/// connection as they arrive: one event per line in JSON Lines (decode one
/// with ``LedgerEvent/init(line:)``), the header then one record per line in
/// CSV (a quoted field holding a line break spans two lines).
///
/// Iterate once. Stopping early closes the connection.
public struct ExportLines: AsyncSequence, Sendable {
    /// A line.
    public typealias Element = String
    let body: HTTPClientResponse.Body

    /// Reads the next line.
    public struct AsyncIterator: AsyncIteratorProtocol {
        var lines: BodyLines<HTTPClientResponse.Body>.AsyncIterator

        /// The next line; `nil` at the end of the export.
        public mutating func next() async throws -> String? {
            try await lines.next()
        }
    }

    /// Starts reading.
    public func makeAsyncIterator() -> AsyncIterator {
        AsyncIterator(lines: BodyLines(body: body).makeAsyncIterator())
    }
}
