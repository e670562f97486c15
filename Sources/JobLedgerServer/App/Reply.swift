import Foundation
import Hummingbird
import JobLedger

/// Building responses: JSON documents and empty answers.
enum Reply {
    /// A JSON document (`JSONSerialization` values, as built by ``JobJSON``).
    static func json(_ value: Any, status: HTTPResponse.Status = .ok) -> Response {
        raw(JobJSON.data(value), status: status)
    }

    /// JSON text already rendered.
    static func raw(_ data: Data, status: HTTPResponse.Status = .ok, contentType: String = "application/json") -> Response {
        var headers = HTTPFields()
        headers[.contentType] = contentType
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }

    /// `{"job": JOB}`, or JOB alone when `wrapped` is false.
    static func job(_ job: Job, wrapped: Bool = true, status: HTTPResponse.Status = .ok) -> Response {
        let body = JobJSON.jobData(job)
        guard wrapped else { return raw(body, status: status) }
        var data = Data("{\"job\":".utf8)
        data.append(body)
        data.append(0x7D)
        return raw(data, status: status)
    }

    /// `{"<flag>": bool, "job": JOB}`: the answers of submit and renew (keys sorted).
    static func job(_ job: Job, flag: String, _ value: Bool, status: HTTPResponse.Status = .ok) -> Response {
        var data = Data("{\"\(flag)\":\(value),\"job\":".utf8)
        data.append(JobJSON.jobData(job))
        data.append(0x7D)
        return raw(data, status: status)
    }

    /// `{"created": false, "duplicate": true, "job": JOB}`: the answer of a
    /// submit whose unique key `job` holds (keys sorted).
    static func duplicate(_ job: Job) -> Response {
        var data = Data("{\"created\":false,\"duplicate\":true,\"job\":".utf8)
        data.append(JobJSON.jobData(job))
        data.append(0x7D)
        return raw(data)
    }

    /// `{"cancelRequested": bool, "job": JOB, "timedOut": bool}`: the answer of a renewal (keys sorted).
    static func renewal(_ renewal: RenewResult) -> Response {
        var data = Data("{\"cancelRequested\":\(renewal.cancelRequested),\"job\":".utf8)
        data.append(JobJSON.jobData(renewal.job))
        data.append(contentsOf: Data(",\"timedOut\":\(renewal.timedOut)}".utf8))
        return raw(data)
    }

    /// `{"jobs": [JOB, ...]}`: the answer of a claim with a count.
    static func jobs(_ jobs: [Job]) -> Response {
        var data = Data("{\"jobs\":[".utf8)
        for (index, job) in jobs.enumerated() {
            if index > 0 { data.append(0x2C) }
            data.append(JobJSON.jobData(job))
        }
        data.append(contentsOf: [0x5D, 0x7D])
        return raw(data)
    }

    /// 204, no body.
    static func noContent() -> Response { Response(status: .noContent) }
}

/// Reading request bodies within the size and time limits.
enum RequestBodies {
    /// The whole body, refused with 413 over `maxBodyBytes` (announced or
    /// actual) and with 408 when it has not arrived within the request timeout.
    static func bytes(_ request: Request, limits: ServerLimits) async throws -> [UInt8] {
        if let length = request.headers[.contentLength].flatMap({ Int($0) }), length > limits.maxBodyBytes {
            throw Problem(.tooLarge, "the body is \(length) bytes; the limit is \(limits.maxBodyBytes)")
        }
        let body = request.body
        let maximum = limits.maxBodyBytes
        let timeout = limits.requestTimeout
        return try await withThrowingTaskGroup(of: [UInt8]?.self) { group in
            group.addTask {
                do {
                    return Array(try await body.collect(upTo: maximum).readableBytesView)
                } catch let error as HTTPError where error.status == .contentTooLarge {
                    throw Problem(.tooLarge, "the body is larger than the limit of \(maximum) bytes")
                }
            }
            group.addTask {
                try await Task.sleep(for: timeout)
                return nil
            }
            defer { group.cancelAll() }
            guard let first = try await group.next(), let bytes = first else {
                throw Problem(.timeout, "the request body did not arrive within \(timeout)")
            }
            return bytes
        }
    }
}
