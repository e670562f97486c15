/// The owner a key of personal data belongs to: a user id within an
/// organisation, both in their stored form.
public struct KeyOwner: Sendable, Hashable, CustomStringConvertible {
    /// The owner's id.
    public let id: String
    /// The owner's organisation.
    public let organisation: String

    /// Creates an owner.
    public init(id: String, organisation: String) {
        self.id = id
        self.organisation = organisation
    }

    /// `owner 'ID' of organisation 'ORG'`, for messages.
    public var description: String { "owner '\(id)' of organisation '\(organisation)'" }

    /// The key of the owner's record in a byte-ordered table: the
    /// organisation, a zero byte, the id. Names never hold a zero byte, so
    /// no two owners share a key.
    var tableKey: [UInt8] { Array(organisation.utf8) + [0] + Array(id.utf8) }
}

/// The key an owner's personal data is sealed with, as the key table holds it.
///
/// Keys live in a table of their own, beside the log and outside every
/// projection: rebuilding projections never reads or writes them, and the
/// log never holds them. Each key has a generation: 1 for an owner's first
/// key, one more for each key created after an erasure, so a value sealed
/// under a destroyed key is never mistaken for one sealed under the next.
public struct PersonalDataKey: Sendable, Hashable {
    /// The owner the key belongs to.
    public let owner: KeyOwner
    /// Which of the owner's keys this is, from 1.
    public let generation: UInt64
    /// The key's 32 bytes while it exists; `nil` once destroyed.
    public let material: [UInt8]?

    /// The length of key material, in bytes (AES-256).
    public static let materialLength = 32

    /// Creates a key record.
    public init(owner: KeyOwner, generation: UInt64, material: [UInt8]?) {
        self.owner = owner
        self.generation = generation
        self.material = material
    }

    /// Whether the key was destroyed (the owner's data is erased).
    public var isDestroyed: Bool { material == nil }

    /// The record as a key table stores it: the generation (8 bytes, big
    /// endian), then the material when the key exists.
    var storedValue: [UInt8] {
        withUnsafeBytes(of: generation.bigEndian) { Array($0) } + (material ?? [])
    }

    /// A stored record read back, or `nil` when it is not one.
    init?(owner: KeyOwner, stored bytes: [UInt8]) {
        guard bytes.count == 8 || bytes.count == 8 + Self.materialLength else { return nil }
        let generation = bytes[0..<8].reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
        self.init(owner: owner, generation: generation, material: bytes.count == 8 ? nil : Array(bytes[8...]))
    }
}

/// What destroying an owner's key found.
public enum KeyDestruction: String, Sendable, Hashable {
    /// The key existed and is destroyed now.
    case destroyed
    /// The key was destroyed before; nothing changed.
    case alreadyDestroyed = "already_destroyed"
    /// The owner never had a key; nothing changed.
    case noKey = "no_key"
}
