/// The code of an error, as ``EventStoreError/Code`` and the ledger's error
/// code are: a value with a stable name, one of a list that a later version
/// may add to.
public protocol StableErrorCode: Sendable, Hashable, CustomStringConvertible {
    /// The stable name, in snake case; problem documents and logs carry it.
    var name: String { get }
    /// Every code this version knows, in a fixed order.
    static var known: [Self] { get }
}

extension StableErrorCode {
    /// The name.
    public var description: String { name }

    /// The code with this stable name, or `nil` for a name this version
    /// does not know.
    public init?(name: String) {
        guard let code = Self.known.first(where: { $0.name == name }) else { return nil }
        self = code
    }
}
