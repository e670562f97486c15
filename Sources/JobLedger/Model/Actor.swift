/// Someone or something that issues commands: a person, a worker or the system.
public struct Actor: Sendable, Hashable, Codable {
    /// What the actor may do.
    public enum Role: String, Sendable, Hashable, Codable, CaseIterable {
        /// Owns jobs; may cancel and retry their own.
        case user
        /// May cancel, kill and retry any job of their organisation.
        case admin
        /// Claims and runs jobs.
        case worker
        /// The ledger itself (lease expiry, maintenance); allowed everything.
        case system
    }

    /// The actor's id, such as a user name or worker id.
    public var id: String
    /// The actor's role.
    public var role: Role
    /// The organisation the actor belongs to.
    public var organisation: String

    /// Creates an actor.
    public init(id: String, role: Role, organisation: String) {
        self.id = id
        self.role = role
        self.organisation = organisation
    }

    /// The ledger acting on its own behalf.
    public static let system = Actor(id: "system", role: .system, organisation: "*")

    /// A worker actor, as recorded on worker commands.
    public static func worker(_ id: String) -> Actor { Actor(id: id, role: .worker, organisation: "*") }
}

extension Actor {
    /// The actor with its id and organisation in their stored form (see
    /// ``NameRule``), or an invalid-input error naming `idField` or
    /// `organisation`.
    func normalized(idField: String = "actor") throws(JobLedgerError) -> Actor {
        Actor(
            id: try NameRule.name(id, field: idField), role: role,
            organisation: try NameRule.name(organisation, field: "organisation"))
    }
}
