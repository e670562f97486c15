import EventStore
import Foundation
import HTTPTypes
import Hummingbird
import JobLedger
import Synchronization

/// `GET /v1/events/stream`: server-sent events over the ledger's
/// subscription, every event after `after` (or `Last-Event-ID`) once and in
/// order, then live events. Each event is `id: <position>`,
/// `event: <type>`, `data: <its export JSON line>`.
///
/// A task reads the subscription and hands events over through a small
/// window of ``StreamCredits``, so a slow client holds at most that many
/// events in memory; comment lines keep an idle stream open; the stream
/// ends when the client goes away or the server shuts down.
struct EventStreamResponse {
    let state: ServerState
    static let window = 256

    /// A resume position within the log: one beyond its end names events
    /// this ledger never had (a client of another ledger, or of this one
    /// before it was restored from an older copy), and waiting for them
    /// would look like a quiet log.
    static func resume(_ position: UInt64, _ name: String, last: UInt64) throws -> UInt64 {
        guard position <= last else {
            throw Problem(
                .badInput,
                "\(name): position \(position) is beyond the log's last position \(last); this ledger never had it "
                    + "(was it restored from an older copy, or is this another ledger?)")
        }
        return position
    }

    func response(_ request: Request, _ context: LedgerRequestContext) throws -> Response {
        try Permissions.requireSystem(try context.caller(), for: "the event stream")
        let parameters = request.uri.queryParameters
        let after: UInt64
        let last = try state.ledger.store.lastPosition()
        if let text = parameters.get("after") {
            after = try Self.resume(EventRoutes.position(text, "after"), "after", last: last)
        } else if let text = request.headers[.lastEventID] {
            let name = "Last-Event-ID"
            after = try Self.resume(EventRoutes.position(text.trimmingCharacters(in: .whitespaces), name), name, last: last)
        } else {
            after = last
        }
        return try stream(after: after, select: { _ in true }, render: Self.render)
    }

    /// The stream of every event after `after` that `select` keeps (an
    /// error thrown by `select` ends the stream), each
    /// written as `render` makes it: the machinery the API's stream and the
    /// dashboard's share (the limit on open streams, the window, heartbeats,
    /// the end at shutdown or after the longest duration).
    func stream(
        after: UInt64, select: @escaping @Sendable (RecordedEvent) throws -> Bool,
        render: @escaping @Sendable (RecordedEvent, any EventStorage) throws -> ByteBuffer
    ) throws -> Response {
        if state.gate.isShuttingDown { throw Problem(.unavailable, "the server is shutting down", retryAfter: 5) }
        guard state.eventStreams.acquire() else {
            state.metrics.refusedOverLimit("event-streams")
            throw Problem(.busy, "too many event streams are open (\(state.eventStreams.maximum)); try again", retryAfter: 1)
        }
        let state = self.state
        var headers = HTTPFields()
        headers[.contentType] = "text/event-stream"
        headers[.cacheControl] = "no-cache"
        let body = ResponseBody { writer in
            defer { state.eventStreams.release() }
            let (items, continuation) = AsyncStream<StreamItem>.makeStream()
            let credits = StreamCredits(Self.window)
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask {
                    do {
                        // Commits of this process wake the subscription at once; the
                        // poll interval only bounds how late another process's
                        // commits are seen, so it need not spin an idle stream.
                        let events = state.ledger.store.subscribe(after: after, pollInterval: state.limits.streamPollInterval)
                        for try await event in events {
                            guard try select(event) else { continue }
                            guard await credits.take() else { break }
                            continuation.yield(.event(event))
                        }
                    } catch {
                        continuation.yield(.failed("\(error)"))
                    }
                }
                group.addTask {
                    await state.gate.wait()
                    continuation.yield(.end)
                }
                group.addTask {
                    try? await Task.sleep(for: state.limits.maxStreamDuration)
                    continuation.yield(.end)
                }
                group.addTask {
                    while !Task.isCancelled {
                        try? await Task.sleep(for: state.limits.streamHeartbeat)
                        continuation.yield(.heartbeat)
                    }
                }
                defer {
                    group.cancelAll()
                    credits.close()
                    continuation.finish()
                }
                try await writer.write(ByteBuffer(string: ": stream after \(after)\n\n"))
                for await item in items {
                    switch item {
                    case .event(let event):
                        // The status is sent: an event that cannot be read
                        // ends the stream cleanly (the client reconnects
                        // after the last id it got) rather than breaking it.
                        let rendered: ByteBuffer
                        do {
                            rendered = try render(event, state.ledger.store)
                        } catch {
                            state.logger.error("event stream ended by an error", metadata: ["error": "\(error)"])
                            return
                        }
                        try await writer.write(rendered)
                        credits.give()
                    case .heartbeat:
                        try await writer.write(ByteBuffer(string: ": keep-alive\n\n"))
                    case .failed(let reason):
                        state.logger.warning("event stream ended by an error", metadata: ["error": "\(reason)"])
                        return
                    case .end:
                        return
                    }
                }
            }
            try await writer.finish(nil)
        }
        return Response(status: .ok, headers: headers, body: body)
    }

    /// One event in the server-sent events form.
    static func render(_ event: RecordedEvent, _ store: any EventStorage) throws -> ByteBuffer {
        let line = try EventLines.lines(store, from: event.position, to: event.position).first ?? "{}"
        return ByteBuffer(string: "id: \(event.position)\nevent: \(event.type)\ndata: \(line)\n\n")
    }

    enum StreamItem: Sendable {
        case event(RecordedEvent)
        case heartbeat
        case failed(String)
        case end
    }
}

/// A window of events the reader may run ahead of the writer: the reader
/// takes a credit per event and waits when none is left; the writer gives
/// one back per event written.
final class StreamCredits: Sendable {
    private struct State {
        var available: Int
        var closed = false
        var waiter: CheckedContinuation<Bool, Never>?
    }

    private let state: Mutex<State>

    init(_ window: Int) { state = Mutex(State(available: window)) }

    /// Takes a credit, waiting for one; false once closed.
    func take() async -> Bool {
        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Bool, Never>) in
                let answer: Bool? = state.withLock { state in
                    if state.closed || Task.isCancelled { return false }
                    if state.available > 0 {
                        state.available -= 1
                        return true
                    }
                    state.waiter = continuation
                    return nil
                }
                if let answer { continuation.resume(returning: answer) }
            }
        } onCancel: {
            close()
        }
    }

    /// Gives a credit back, waking the reader if it waits.
    func give() {
        let waiter: CheckedContinuation<Bool, Never>? = state.withLock { state in
            if let waiter = state.waiter {
                state.waiter = nil
                return waiter
            }
            state.available += 1
            return nil
        }
        waiter?.resume(returning: true)
    }

    /// Ends the window: a waiting reader gets false.
    func close() {
        let waiter: CheckedContinuation<Bool, Never>? = state.withLock { state in
            state.closed = true
            defer { state.waiter = nil }
            return state.waiter
        }
        waiter?.resume(returning: false)
    }
}

extension HTTPField.Name {
    /// `Last-Event-ID`, sent by a reconnecting event-stream client.
    static let lastEventID = Self("Last-Event-ID")!
}
