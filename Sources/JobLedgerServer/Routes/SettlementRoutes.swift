import Foundation
import Hummingbird
import JobLedger
import LedgerWire

/// `POST /v1/settlements`: a worker reports the ends of several attempts
/// in one request (complete, fail, acknowledge a cancel), as SQS deletes
/// messages in batches. Each settlement is the same command as its own
/// route and is committed on its own; they run concurrently, so the group
/// commit writes them together. The answer lists one outcome per entry, in
/// the order given: a refused settlement (the job moved on, a stale
/// attempt) is that entry's problem and leaves the others alone. A body
/// that is not well formed is refused as a whole, before anything is done.
struct SettlementRoutes {
    let state: ServerState
    var ledger: JobLedger { state.ledger }

    /// The most settlements one request may carry.
    static let maxSettlements = 100

    func register(on group: RouterGroup<LedgerRequestContext>) {
        group.post("settlements") { request, context in try await settle(request, context) }
    }

    /// What became of one entry.
    enum Outcome: Sendable {
        case settled(Job)
        case refused(Problem)
    }

    func settle(_ request: Request, _ context: LedgerRequestContext) async throws -> Response {
        let worker = try Permissions.requireWorker(try context.caller())
        let body = try BodyFields(try await RequestBodies.bytes(request, limits: state.limits), allowed: ["settlements"])
        let settlements = try Self.entries(body)
        let start = ContinuousClock.now
        let ledger = self.ledger
        let outcomes = await withTaskGroup(of: (Int, Outcome).self) { group in
            for (index, settlement) in settlements.enumerated() {
                group.addTask { (index, await Self.apply(settlement, worker: worker, ledger: ledger)) }
            }
            var outcomes = [Outcome?](repeating: nil, count: settlements.count)
            for await (index, outcome) in group { outcomes[index] = outcome }
            return outcomes.map { $0! }
        }
        let elapsed = ContinuousClock.now - start
        for settlement in settlements { state.metrics.command(settlement.kind.rawValue, duration: elapsed) }
        return Reply.raw(Self.answer(settlements, outcomes))
    }

    /// The entries of `{"settlements": [...]}`, every one checked before
    /// any is applied.
    static func entries(_ body: BodyFields) throws -> [Settlement] {
        guard case .array(let list)? = body.value("settlements") else {
            throw Problem(.badInput, "'settlements' is required: a list of 1 to \(maxSettlements) settlements")
        }
        guard (1...maxSettlements).contains(list.count) else {
            throw Problem(.badInput, "'settlements' must hold 1 to \(maxSettlements) settlements, got \(list.count)")
        }
        var seen = Set<String>()
        return try list.enumerated().map { index, value in
            let prefix = "settlements[\(index)]."
            guard case .object(let object) = value else {
                throw Problem(.badInput, "'settlements[\(index)]' must be an object")
            }
            guard case .string(let name)? = object["outcome"], let kind = Settlement.Kind(rawValue: name) else {
                throw Problem(.badInput, "'\(prefix)outcome' is required: complete, fail or ack-cancel")
            }
            let fields = try BodyFields(object, allowed: Set(["id", "attempt", "outcome"]).union(kind.fields), prefix: prefix)
            let id = try fields.requiredString("id")
            guard seen.insert(id).inserted else {
                throw Problem(.badInput, "'\(prefix)id': job '\(id)' is settled twice in one request")
            }
            return try Settlement(id: id, kind: kind, fields: fields)
        }
    }

    private static func apply(_ settlement: Settlement, worker: String, ledger: JobLedger) async -> Outcome {
        do {
            return .settled(try await settlement.run(on: ledger, worker: worker))
        } catch {
            var problem = Problem.from(error)
            if problem.jobID == nil { problem.jobID = settlement.id }
            return .refused(problem)
        }
    }

    /// `{"settlements": [ENTRY, ...]}` in the order given: a settled entry
    /// is `{"attempt", "id", "state", "status": 200}`, a refused one
    /// `{"id", "problem": PROBLEM, "retryAfter"?, "status"}` (keys sorted).
    static func answer(_ settlements: [Settlement], _ outcomes: [Outcome]) -> Data {
        var data = Data("{\"settlements\":[".utf8)
        for (index, outcome) in outcomes.enumerated() {
            if index > 0 { data.append(0x2C) }
            let id = Self.quoted(settlements[index].id)
            switch outcome {
            case .settled(let job):
                data.append(contentsOf: Data("{\"attempt\":\(job.attempt),\"id\":".utf8))
                data.append(id)
                data.append(contentsOf: Data(",\"state\":\"\(job.state.rawValue)\",\"status\":200}".utf8))
            case .refused(let problem):
                data.append(contentsOf: Data("{\"id\":".utf8))
                data.append(id)
                data.append(contentsOf: Data(",\"problem\":".utf8))
                data.append((try? LedgerJSONEncoding.encoder().encode(problem.document)) ?? Data("null".utf8))
                if let retryAfter = problem.retryAfter { data.append(contentsOf: Data(",\"retryAfter\":\(retryAfter)".utf8)) }
                data.append(contentsOf: Data(",\"status\":\(problem.kind.status.code)}".utf8))
            }
        }
        data.append(contentsOf: [0x5D, 0x7D])
        return data
    }

    /// A job id as a JSON string: written as it is when plain ASCII (ids
    /// are validated names), else by the serializer, which escapes.
    private static func quoted(_ id: String) -> Data {
        guard id.utf8.allSatisfy({ $0 >= 0x20 && $0 < 0x7F && $0 != 0x22 && $0 != 0x5C }) else { return JobJSON.data(id) }
        var data = Data([0x22])
        data.append(contentsOf: id.utf8)
        data.append(0x22)
        return data
    }
}
