/// A key/value pair seen through a cursor or a lookup.
///
/// The buffers point into the memory map. They stay valid until the
/// transaction ends (read transactions) or until the next write in the same
/// transaction (write transactions). Copy what must live longer.
public struct Entry {
    /// The key bytes.
    public let key: UnsafeRawBufferPointer
    /// The value bytes.
    public let value: UnsafeRawBufferPointer
}
