import EventStore
import Foundation
import Testing

/// The key table of the storage contract, on every backend: keys of
/// personal data are created once, destroyed for good, and kept apart from
/// the log and the projections.
@Suite struct PersonalDataKeyContractTests {
    private static func material(_ byte: UInt8) -> [UInt8] { [UInt8](repeating: byte, count: PersonalDataKey.materialLength) }

    @Test("a key is created once: later creations answer the key that exists", arguments: StorageBackend.allCases)
    func keyIsCreatedOnce(_ backend: StorageBackend) throws {
        let (store, keep) = try backend.open()
        defer { withExtendedLifetime(keep) {} }
        let ann = KeyOwner(id: "ann", organisation: "acme")
        #expect(try store.personalDataKey(of: ann) == nil)
        let first = try store.createPersonalDataKey(of: ann, material: Self.material(1))
        #expect(first.generation == 1)
        #expect(first.material == Self.material(1))
        let again = try store.createPersonalDataKey(of: ann, material: Self.material(2))
        #expect(again == first)
        #expect(try store.personalDataKey(of: ann) == first)
        // Another owner, and the same id in another organisation, are other keys.
        #expect(try store.personalDataKey(of: KeyOwner(id: "ann", organisation: "globex")) == nil)
        let bob = try store.createPersonalDataKey(of: KeyOwner(id: "bob", organisation: "acme"), material: Self.material(3))
        #expect(bob.material == Self.material(3))
    }

    @Test("destroying a key keeps its generation, and a later key is the next generation", arguments: StorageBackend.allCases)
    func destroyedKeyStaysDestroyed(_ backend: StorageBackend) throws {
        let (store, keep) = try backend.open()
        defer { withExtendedLifetime(keep) {} }
        let ann = KeyOwner(id: "ann", organisation: "acme")
        #expect(try store.destroyPersonalDataKey(of: ann) == .noKey)
        #expect(try store.personalDataKey(of: ann) == nil)
        _ = try store.createPersonalDataKey(of: ann, material: Self.material(1))
        #expect(try store.destroyPersonalDataKey(of: ann) == .destroyed)
        let destroyed = try #require(try store.personalDataKey(of: ann))
        #expect(destroyed.isDestroyed)
        #expect(destroyed.generation == 1)
        #expect(try store.destroyPersonalDataKey(of: ann) == .alreadyDestroyed)
        let next = try store.createPersonalDataKey(of: ann, material: Self.material(9))
        #expect(next.generation == 2)
        #expect(next.material == Self.material(9))
    }

    @Test("keys are neither events nor projection rows: appends, rebuilds and verification leave them be", arguments: StorageBackend.allCases)
    func keysStayOutOfTheLogAndProjections(_ backend: StorageBackend) throws {
        let (store, keep) = try backend.open(projections: [StreamCountProjection()])
        defer { withExtendedLifetime(keep) {} }
        let ann = KeyOwner(id: "ann", organisation: "acme")
        _ = try store.append(to: "s", expectedVersion: .noStream, events: [sampleEvent()])
        let key = try store.createPersonalDataKey(of: ann, material: Self.material(7))
        #expect(try store.lastPosition() == 1)
        let digest = try store.digest()
        try store.rebuildProjections()
        #expect(try store.verifyProjections().isEmpty)
        #expect(try store.personalDataKey(of: ann) == key)
        #expect(try store.destroyPersonalDataKey(of: ann) == .destroyed)
        #expect(try store.lastPosition() == 1)
        #expect(try store.digest() == digest)
        #expect(try store.verifyLog().problems.isEmpty)
        try store.rebuildProjections()
        #expect(try store.personalDataKey(of: ann)?.isDestroyed == true)
    }

    @Test("key material of the wrong length is refused and nothing is stored", arguments: StorageBackend.allCases)
    func wrongLengthIsRefused(_ backend: StorageBackend) throws {
        let (store, keep) = try backend.open()
        defer { withExtendedLifetime(keep) {} }
        let ann = KeyOwner(id: "ann", organisation: "acme")
        #expect(throws: EventStoreError.self) { try store.createPersonalDataKey(of: ann, material: [1, 2, 3]) }
        #expect(try store.personalDataKey(of: ann) == nil)
    }
}
