/// A key-value table of a projection: declared once, beside the projection
/// that owns it, and passed to every read and write of the table, so that
/// no table is addressed by a string spelled at the call.
///
/// ```swift
/// enum CountTables {
///     static let counts = ProjectionTable("counts")
/// }
/// try tables.put(CountTables.counts, key, value)
/// ```
public struct ProjectionTable: Sendable, Hashable, CustomStringConvertible {
    /// The table's name, unique among the projections of a store: the
    /// backend stores the table under it.
    public let name: String

    /// Declares the table `name`: ASCII letters and digits, 1 to 64 of them
    /// (a backend keeps it as part of a database or table name).
    public init(_ name: String) {
        precondition(
            !name.isEmpty && name.utf8.count <= 64
                && name.utf8.allSatisfy { (0x30...0x39).contains($0) || (0x41...0x5A).contains($0) || (0x61...0x7A).contains($0) },
            "a projection table's name is 1 to 64 ASCII letters and digits: '\(name)'")
        self.name = name
    }

    /// The table's name.
    public var description: String { name }
}
