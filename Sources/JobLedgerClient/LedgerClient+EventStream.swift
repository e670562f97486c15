import AsyncHTTPClient
import Foundation

/// The events of one connection to `GET /v1/events/stream`, in log order,
/// as they arrive. The sequence ends when the server ends the stream (it
/// shuts down); stopping the iteration closes the connection.
public struct ServerSentEvents: AsyncSequence, Sendable {
    /// An event.
    public typealias Element = ServerSentEvent
    let body: HTTPClientResponse.Body

    /// Reads the next event.
    public struct AsyncIterator: AsyncIteratorProtocol {
        var lines: BodyLines<HTTPClientResponse.Body>.AsyncIterator
        var parser = ServerSentEventParser()

        /// The next event; `nil` when the server ended the stream.
        public mutating func next() async throws -> ServerSentEvent? {
            while let line = try await lines.next() {
                if let event = parser.take(line) { return event }
            }
            return nil
        }
    }

    /// Starts reading.
    public func makeAsyncIterator() -> AsyncIterator {
        AsyncIterator(lines: BodyLines(body: body).makeAsyncIterator())
    }
}

extension LedgerClient {
    /// Opens the live event stream. With `lastEventID` (the `id` of the
    /// last event seen), it starts with the next event of the log, however
    /// many were appended meanwhile: the `Last-Event-ID` resume of the
    /// format. Without it, it starts with the events appended from now on.
    public func eventStream(lastEventID: String? = nil) async throws -> ServerSentEvents {
        var call = Call(method: .GET, path: "/v1/events/stream", headers: [("Accept", "text/event-stream")])
        if let lastEventID { call.headers.append(("Last-Event-ID", lastEventID)) }
        let response = try await stream(call)
        return ServerSentEvents(body: response.body)
    }

    /// Every event after `position`, then live events, across lost
    /// connections: after a drop it reconnects with `Last-Event-ID` set to
    /// the last event it passed on, so no event is missed or repeated.
    ///
    /// Reconnects wait `retryDelay`, doubling up to 5 s while the server
    /// stays unreachable. A refusal that waiting cannot fix (a bad token)
    /// ends the sequence with that ``LedgerProblem``; cancelling the
    /// consuming task ends it quietly.
    public func followEvents(after position: UInt64, retryDelay: Duration = .milliseconds(100))
        -> AsyncThrowingStream<ServerSentEvent, any Error>
    {
        let (events, continuation) = AsyncThrowingStream<ServerSentEvent, any Error>.makeStream(bufferingPolicy: .bufferingOldest(1024))
        let reader = Task {
            var lastID = String(position)
            var delay = retryDelay
            while !Task.isCancelled {
                do {
                    for try await event in try await eventStream(lastEventID: lastID) {
                        if let id = event.id { lastID = id }
                        delay = retryDelay
                        // A full buffer: the consumer is slow; wait for room rather than drop.
                        while case .dropped = continuation.yield(event) {
                            try await Task.sleep(for: .milliseconds(5))
                        }
                    }
                } catch is CancellationError {
                    break
                } catch let problem as LedgerProblem where !problem.isTransient {
                    continuation.finish(throwing: problem)
                    return
                } catch {
                    // A dropped connection or a busy server: try again below.
                }
                if Task.isCancelled { break }
                try? await Task.sleep(for: delay)
                delay = min(delay * 2, .seconds(5))
            }
            continuation.finish()
        }
        continuation.onTermination = { _ in reader.cancel() }
        return events
    }
}
