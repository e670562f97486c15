/// The job event payload decoders and encoder, for the package's fuzzers.
///
/// Each entry point runs exactly the code the projection, replay and
/// commands run, without widening the internal types behind it.
package enum PayloadCodec {
    /// Decodes a stored payload as the projection and replay do; `nil` for
    /// a type that is not a job event.
    package static func decode(type: String, payload: [UInt8]) throws -> JobEvent? {
        try JobEvent.decode(type: type, payload: payload)
    }

    /// The flat-object fast path alone: `nil` when it leaves the payload to
    /// the general decoder.
    package static func decodeFlat(type: String, payload: [UInt8]) -> JobEvent? {
        JobEvent.decodeFlat(type: type, payload: payload)
    }

    /// The general decoder alone.
    package static func decodeGeneral(type: String, payload: [UInt8]) throws -> JobEvent? {
        try JobEvent.decodeGeneral(type: type, payload: payload)
    }

    /// The payload the commands store for `event`.
    package static func encode(_ event: JobEvent) throws -> [UInt8] {
        try event.encodedPayload()
    }
}
