import EventStore
import NIOCore
import PostgresNIO

/// The PostgreSQL key table, `jobledger_personal_keys`: one row per owner
/// with the generation of its key and the material, NULL once destroyed.
/// It is not a projection table, so rebuilding projections never touches it.
extension PostgresEventStore {
    /// The key of `owner`, existing or destroyed; `nil` when it never had one.
    public func personalDataKey(of owner: KeyOwner) throws(EventStoreError) -> PersonalDataKey? {
        try withSession("reading a key of personal data") { session in try Self.key(of: owner, session) }
    }

    /// The owner's existing key, or a new one of `material`, committed
    /// before it returns.
    public func createPersonalDataKey(of owner: KeyOwner, material: [UInt8]) throws(EventStoreError) -> PersonalDataKey {
        guard material.count == PersonalDataKey.materialLength else {
            throw .invalidAppend(reason: "a key of personal data is \(PersonalDataKey.materialLength) bytes, got \(material.count)")
        }
        try refuseKeyChangesWhenReadOnly()
        return try withSession("creating a key of personal data") { session in
            try session.transaction {
                // A destroyed key (NULL material) gives way to the next
                // generation; an existing one stays as it is.
                try session.query("""
                    INSERT INTO jobledger_personal_keys (organisation, owner, generation, material)
                    VALUES (\(owner.organisation), \(owner.id), 1, \(ByteBuffer(bytes: material)))
                    ON CONFLICT (organisation, owner) DO UPDATE
                    SET generation = jobledger_personal_keys.generation + 1, material = EXCLUDED.material
                    WHERE jobledger_personal_keys.material IS NULL
                    """)
                guard let key = try Self.key(of: owner, session), !key.isDestroyed else {
                    throw EventStoreError.database("the key of \(owner) was not stored")
                }
                return key
            }
        }
    }

    /// Destroys the owner's key: its row keeps only the generation. The old
    /// row version stays in the table's pages until VACUUM reclaims it; see
    /// Docs/Security.md.
    public func destroyPersonalDataKey(of owner: KeyOwner) throws(EventStoreError) -> KeyDestruction {
        try refuseKeyChangesWhenReadOnly()
        return try withSession("destroying a key of personal data") { session in
            try session.transaction {
                let rows = try session.query("""
                    UPDATE jobledger_personal_keys SET material = NULL
                    WHERE organisation = \(owner.organisation) AND owner = \(owner.id) AND material IS NOT NULL
                    RETURNING generation
                    """)
                if rows.first != nil { return .destroyed }
                return try Self.key(of: owner, session) == nil ? .noKey : .alreadyDestroyed
            }
        }
    }

    private func refuseKeyChangesWhenReadOnly() throws(EventStoreError) {
        if options.readOnly {
            throw .readOnly(path: location.description, reason: "keys of personal data cannot be created or destroyed")
        }
    }

    private static func key(of owner: KeyOwner, _ session: PostgresSession) throws -> PersonalDataKey? {
        let rows = try session.query("""
            SELECT generation, material FROM jobledger_personal_keys
            WHERE organisation = \(owner.organisation) AND owner = \(owner.id)
            """)
        guard let row = rows.first else { return nil }
        let (generation, material) = try row.decode((Int64, ByteBuffer?).self)
        return PersonalDataKey(
            owner: owner, generation: UInt64(max(0, generation)), material: material.map { Array($0.readableBytesView) })
    }
}
