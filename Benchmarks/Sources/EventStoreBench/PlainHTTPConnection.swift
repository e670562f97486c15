import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// One kept-alive HTTP/1.1 connection over a blocking loopback socket, for
/// the dashboard workload: it must send cookies and read a server-sent
/// event stream as it arrives, and a plain socket times a request with
/// nothing of a client library's own in the figure.
final class PlainHTTPConnection {
    struct Response {
        var status: Int
        var headers: [(String, String)]
        var body: [UInt8]

        func header(_ name: String) -> [String] {
            headers.filter { $0.0.caseInsensitiveCompare(name) == .orderedSame }.map(\.1)
        }
        var text: String { String(decoding: body, as: UTF8.self) }
    }

    private let socket: Int32
    private var buffer: [UInt8] = []
    private let host: String

    /// Connects to `url`'s host and port (`http://127.0.0.1:PORT`).
    init(url: String) throws {
        guard let parsed = URL(string: url), let host = parsed.host, let port = parsed.port else {
            throw BenchError.verification("not a server address: \(url)")
        }
        self.host = "\(host):\(port)"
        let descriptor = Glibc.socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard descriptor >= 0 else { throw BenchError.verification("socket() failed: errno \(errno)") }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        inet_pton(AF_INET, host, &address.sin_addr)
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                Glibc.connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard connected == 0 else {
            close(descriptor)
            throw BenchError.verification("cannot connect to \(url): errno \(errno)")
        }
        var one: Int32 = 1
        setsockopt(descriptor, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
        socket = descriptor
    }

    deinit { close(socket) }

    /// Sends one request and reads its whole answer (content length or chunked).
    func request(_ method: String, _ path: String, headers: [(String, String)] = [], body: [UInt8] = []) throws -> Response {
        try send(method, path, headers: headers, body: body)
        let (status, responseHeaders) = try readHead()
        let lengthText = responseHeaders.first { $0.0.lowercased() == "content-length" }?.1
        let chunked = responseHeaders.contains { $0.0.lowercased() == "transfer-encoding" && $0.1.lowercased().contains("chunked") }
        var content: [UInt8] = []
        if chunked {
            while let chunk = try readChunk() { content += chunk }
        } else if let lengthText, let length = Int(lengthText.trimmingCharacters(in: .whitespaces)) {
            content = try readExactly(length)
        }
        return Response(status: status, headers: responseHeaders, body: content)
    }

    /// Sends a request for an event stream and calls `onChunk` with each
    /// chunk of its body as it arrives, until `onChunk` returns false or
    /// the stream ends.
    func stream(_ path: String, headers: [(String, String)], _ onChunk: ([UInt8]) -> Bool) throws -> Int {
        try send("GET", path, headers: headers + [("Accept", "text/event-stream")], body: [])
        let (status, _) = try readHead()
        guard status == 200 else { return status }
        while let chunk = try readChunk() {
            if !onChunk(chunk) { break }
        }
        return status
    }

    /// Shuts the socket down, ending a blocked read on another thread.
    func shutDown() { Glibc.shutdown(socket, Int32(SHUT_RDWR)) }

    private func send(_ method: String, _ path: String, headers: [(String, String)], body: [UInt8]) throws {
        var head = "\(method) \(path) HTTP/1.1\r\nHost: \(host)\r\n"
        for (name, value) in headers { head += "\(name): \(value)\r\n" }
        if !body.isEmpty || method == "POST" { head += "Content-Length: \(body.count)\r\n" }
        head += "\r\n"
        let bytes = Array(head.utf8) + body
        var sent = 0
        while sent < bytes.count {
            let written = bytes[sent...].withUnsafeBytes { Glibc.send(socket, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            guard written > 0 else { throw BenchError.verification("the server closed the connection while sending") }
            sent += written
        }
    }

    private func fill() throws {
        var chunk = [UInt8](repeating: 0, count: 65_536)
        let count = chunk.withUnsafeMutableBytes { recv(socket, $0.baseAddress, $0.count, 0) }
        guard count > 0 else { throw BenchError.verification("the server closed the connection") }
        buffer += chunk[0..<count]
    }

    private func readLine() throws -> String {
        while true {
            if let end = buffer.firstIndex(of: 0x0A) {
                let line = String(decoding: buffer[0..<end], as: UTF8.self)
                buffer.removeSubrange(0...end)
                return line.hasSuffix("\r") ? String(line.dropLast()) : line
            }
            try fill()
        }
    }

    private func readExactly(_ count: Int) throws -> [UInt8] {
        while buffer.count < count { try fill() }
        let bytes = Array(buffer[0..<count])
        buffer.removeSubrange(0..<count)
        return bytes
    }

    private func readHead() throws -> (Int, [(String, String)]) {
        let statusLine = try readLine()
        let parts = statusLine.split(separator: " ")
        guard parts.count >= 2, let status = Int(parts[1]) else { throw BenchError.verification("not an HTTP answer: \(statusLine)") }
        var headers: [(String, String)] = []
        while true {
            let line = try readLine()
            if line.isEmpty { break }
            if let colon = line.firstIndex(of: ":") {
                headers.append((String(line[..<colon]), line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)))
            }
        }
        return (status, headers)
    }

    /// The next chunk of a chunked body, or nil after the last.
    private func readChunk() throws -> [UInt8]? {
        let sizeLine = try readLine()
        guard let size = Int(sizeLine.split(separator: ";").first ?? "", radix: 16) else {
            throw BenchError.verification("not a chunk size: \(sizeLine)")
        }
        if size == 0 {
            _ = try readLine()
            return nil
        }
        let chunk = try readExactly(size)
        _ = try readLine()
        return chunk
    }
}
