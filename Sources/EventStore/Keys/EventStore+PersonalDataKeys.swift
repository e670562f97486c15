import LMDB

/// The LMDB key table: the named database `personalDataKeys`, owner
/// (``KeyOwner/tableKey``) -> generation and material. It is not a
/// projection table, so rebuilding projections never touches it.
extension EventStore {
    static let personalKeysName = "personalDataKeys"

    /// The key of `owner`, existing or destroyed; `nil` when it never had one.
    public func personalDataKey(of owner: KeyOwner) throws(EventStoreError) -> PersonalDataKey? {
        guard let table = personalKeys else { return nil }
        do {
            return try environment.read { (txn: borrowing ReadTransaction) throws -> PersonalDataKey? in try Self.record(of: owner, in: table, txn.get(owner.tableKey, in: table)) }
        } catch {
            throw EventStoreError.wrap(error)
        }
    }

    /// The owner's existing key, or a new one of `material`; committed (and,
    /// on a durable store, on disk) before it returns.
    public func createPersonalDataKey(of owner: KeyOwner, material: [UInt8]) throws(EventStoreError) -> PersonalDataKey {
        guard material.count == PersonalDataKey.materialLength else {
            throw .invalidAppend(reason: "a key of personal data is \(PersonalDataKey.materialLength) bytes, got \(material.count)")
        }
        let table = try writableKeys()
        do {
            return try environment.write { (txn: borrowing WriteTransaction) throws -> PersonalDataKey in
                let existing = try Self.record(of: owner, in: table, txn.get(owner.tableKey, in: table))
                if let existing, !existing.isDestroyed { return existing }
                let key = PersonalDataKey(owner: owner, generation: (existing?.generation ?? 0) + 1, material: material)
                try txn.put(owner.tableKey, key.storedValue, in: table)
                return key
            }
        } catch {
            throw EventStoreError.wrap(error)
        }
    }

    /// Destroys the owner's key: its record keeps only the generation. The
    /// page that held the material is freed by the commit (LMDB copies on
    /// write) and reused by later writes; see Docs/Security.md.
    public func destroyPersonalDataKey(of owner: KeyOwner) throws(EventStoreError) -> KeyDestruction {
        let table = try writableKeys()
        do {
            return try environment.write { (txn: borrowing WriteTransaction) throws -> KeyDestruction in
                guard let existing = try Self.record(of: owner, in: table, txn.get(owner.tableKey, in: table)) else {
                    return .noKey
                }
                if existing.isDestroyed { return .alreadyDestroyed }
                let destroyed = PersonalDataKey(owner: owner, generation: existing.generation, material: nil)
                try txn.put(owner.tableKey, destroyed.storedValue, in: table)
                return .destroyed
            }
        } catch {
            throw EventStoreError.wrap(error)
        }
    }

    private func writableKeys() throws(EventStoreError) -> Database {
        guard !options.readOnly, let personalKeys else {
            throw .readOnly(path: path, reason: "keys of personal data cannot be created or destroyed")
        }
        return personalKeys
    }

    private static func record(of owner: KeyOwner, in table: Database, _ bytes: [UInt8]?) throws -> PersonalDataKey? {
        guard let bytes else { return nil }
        guard let key = PersonalDataKey(owner: owner, stored: bytes) else {
            throw EventStoreError.database("the key record of \(owner) in \(table.name) is malformed (\(bytes.count) bytes)")
        }
        return key
    }
}
