/// Helpers for the fixed-width big-endian keys the ledger uses.
///
/// LMDB compares keys as bytes, so unsigned integers stored big-endian sort
/// in numeric order.
extension UnsafeRawBufferPointer {
    /// Reads a big-endian `UInt64` at `offset`; the caller checks the bounds.
    @inline(__always)
    public func loadBigEndianUInt64(at offset: Int) -> UInt64 {
        UInt64(bigEndian: loadUnaligned(fromByteOffset: offset, as: UInt64.self))
    }
}

/// Runs `body` with the 8 big-endian bytes of `value`.
@inline(__always)
public func withBigEndianBytes<R, E: Error>(
    of value: UInt64, _ body: (UnsafeRawBufferPointer) throws(E) -> R
) throws(E) -> R {
    let bigEndian = value.bigEndian
    return try withUnsafeBytes(of: bigEndian) { (buffer) throws(E) -> R in try body(buffer) }
}

/// Runs `body` with the 16 big-endian bytes of two values, high then low.
@inline(__always)
public func withBigEndianBytes<R, E: Error>(
    of high: UInt64, _ low: UInt64, _ body: (UnsafeRawBufferPointer) throws(E) -> R
) throws(E) -> R {
    let pair = (high.bigEndian, low.bigEndian)
    return try withUnsafeBytes(of: pair) { (buffer) throws(E) -> R in try body(buffer) }
}

/// Runs `body` with the bytes of `array`, keeping `body`'s typed error.
@inline(__always)
func withBytes<R>(
    of array: [UInt8], _ body: (UnsafeRawBufferPointer) throws(LMDBError) -> R
) throws(LMDBError) -> R {
    let result: Result<R, LMDBError> = array.withUnsafeBytes { buffer in
        Result { () throws(LMDBError) -> R in try body(buffer) }
    }
    return try result.get()
}
