import Crypto
import EventStore
import Foundation

extension JobLedger {
    // MARK: Reading personal fields

    /// `job` with its personal fields opened under its owner's key, or
    /// shown as ``PersonalFields/erasedMarker`` once that key is destroyed.
    /// A job without personal fields costs one byte search.
    func revealed(_ job: Job) throws(JobLedgerError) -> Job {
        guard PersonalFields.mayHoldSealedFields(job.payload) else { return job }
        var job = job
        job.payload = try revealedPayload(job.payload, jobID: job.id, owner: job.owner, organisation: job.organisation)
        return job
    }

    /// `job` revealed, `nil` staying `nil`.
    func revealed(_ job: Job?) throws(JobLedgerError) -> Job? {
        guard let job else { return nil }
        return try revealed(job)
    }

    /// A stored payload with its personal fields revealed.
    func revealedPayload(_ payload: String, jobID: String, owner: String, organisation: String) throws(JobLedgerError) -> String {
        guard PersonalFields.mayHoldSealedFields(payload) else { return payload }
        let key: PersonalDataKey?
        do {
            key = try store.personalDataKey(of: KeyOwner(id: owner, organisation: organisation))
        } catch {
            throw .store(error)
        }
        return try PersonalFields.reveal(payload, jobID: jobID, key: key)
    }

    // MARK: Sealing

    /// The key to seal `owner`'s personal fields with: the existing one, or
    /// a new one, durable before this returns (so before any event sealed
    /// under it can commit).
    func sealingKey(for owner: Actor) throws(JobLedgerError) -> PersonalDataKey {
        let owner = try owner.normalized(idField: "owner")
        let keyOwner = KeyOwner(id: owner.id, organisation: owner.organisation)
        do {
            if let key = try store.personalDataKey(of: keyOwner), !key.isDestroyed { return key }
            let material = SymmetricKey(size: .bits256).withUnsafeBytes { Array($0) }
            return try store.createPersonalDataKey(of: keyOwner, material: material)
        } catch {
            throw .store(error)
        }
    }

    // MARK: Erasure

    /// Erases the personal data of `owner` in `organisation`: destroys the
    /// owner's key, so that every personal field sealed under it reads as
    /// erased from now on, and records who asked, why and what came of it
    /// as a `PersonalDataErased` event in the `erasures` stream. The log,
    /// its positions, checksums and digest chain are untouched.
    ///
    /// Administrators of the owner's organisation and the system may erase;
    /// anyone else is ``JobLedgerError/forbidden(jobID:actor:action:reason:)``
    /// and nothing changes. Erasing again answers ``ErasureOutcome/alreadyErased``.
    public func erase(owner: String, organisation: String, by actor: Actor, reason: String? = nil) throws(JobLedgerError) -> ErasureResult {
        let ownerName = try NameRule.name(owner, field: "owner")
        let organisationName = try NameRule.name(organisation, field: "org")
        if let reason, reason.utf8.count > ErasureRecord.maxReasonBytes {
            throw .invalidInput(field: "reason", reason: "is longer than \(ErasureRecord.maxReasonBytes) bytes")
        }
        // The system alone reaches every organisation: an admin's
        // organisation is compared as a name, "*" included, as every other
        // command of an admin compares it.
        let allowed = actor.role == .system
            || (actor.role == .admin && NameRule.same(actor.organisation, organisationName))
        guard allowed else {
            throw .forbidden(
                actor: actor.id, action: "erase the personal data of owner '\(ownerName)'",
                reason: "only administrators of organisation '\(organisationName)' may erase its owners' personal data")
        }
        let keyOwner = KeyOwner(id: ownerName, organisation: organisationName)
        let destruction: KeyDestruction
        let generation: UInt64?
        do {
            destruction = try store.destroyPersonalDataKey(of: keyOwner)
            generation = try store.personalDataKey(of: keyOwner)?.generation
        } catch {
            throw .store(error)
        }
        let outcome: ErasureOutcome = switch destruction {
        case .destroyed: .erased
        case .alreadyDestroyed: .alreadyErased
        case .noKey: .noPersonalData
        }
        let record = ErasureRecord(
            owner: ownerName, organisation: organisationName, actor: actor.id, role: actor.role,
            actorOrganisation: actor.organisation, reason: reason, outcome: outcome, keyGeneration: generation)
        let payload: Data
        do {
            payload = try JSONCoding.encoder.encode(record)
        } catch {
            throw .invalidInput(field: "reason", reason: "cannot be encoded: \(error)")
        }
        do {
            let result = try store.append(
                to: ErasureRecord.stream, expectedVersion: .any,
                events: [EventData(type: ErasureRecord.eventType, payload: Array(payload), actor: actor.id)])
            return ErasureResult(owner: keyOwner, outcome: outcome, position: result.lastPosition)
        } catch {
            throw .store(error)
        }
    }
}
