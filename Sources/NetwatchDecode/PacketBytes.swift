/// A read-only view over captured bytes: the one place that touches raw memory.
///
/// `loadUnaligned` is unchecked in release builds, so every field read goes through a
/// header that was first validated with `contains(_:_:)`. The `u8`/`u16`/`u32` readers
/// assume that check; they assert it in debug builds only.
public struct PacketBytes {
    public let buffer: UnsafeRawBufferPointer

    @inlinable public init(_ buffer: UnsafeRawBufferPointer) { self.buffer = buffer }

    @inlinable public var count: Int { buffer.count }

    /// True when `length` bytes starting at `offset` lie inside the captured bytes.
    @inlinable @inline(__always)
    public func contains(_ offset: Int, _ length: Int) -> Bool {
        offset >= 0 && length >= 0 && offset <= buffer.count &- length
    }

    @inlinable @inline(__always)
    public func u8(_ offset: Int) -> UInt8 {
        assert(contains(offset, 1))
        return buffer.load(fromByteOffset: offset, as: UInt8.self)
    }

    /// Big-endian (network order) 16 bits.
    @inlinable @inline(__always)
    public func u16(_ offset: Int) -> UInt16 {
        assert(contains(offset, 2))
        return UInt16(bigEndian: buffer.loadUnaligned(fromByteOffset: offset, as: UInt16.self))
    }

    /// Big-endian (network order) 32 bits.
    @inlinable @inline(__always)
    public func u32(_ offset: Int) -> UInt32 {
        assert(contains(offset, 4))
        return UInt32(bigEndian: buffer.loadUnaligned(fromByteOffset: offset, as: UInt32.self))
    }

    /// Big-endian 64 bits.
    @inlinable @inline(__always)
    public func u64(_ offset: Int) -> UInt64 {
        assert(contains(offset, 8))
        return UInt64(bigEndian: buffer.loadUnaligned(fromByteOffset: offset, as: UInt64.self))
    }

    /// Little-endian 32 bits (BSD loopback headers are written in the capturing host's order).
    @inlinable @inline(__always)
    public func u32le(_ offset: Int) -> UInt32 {
        assert(contains(offset, 4))
        return UInt32(littleEndian: buffer.loadUnaligned(fromByteOffset: offset, as: UInt32.self))
    }

    /// Six bytes as a MAC address.
    @inlinable @inline(__always)
    public func mac(_ offset: Int) -> MACAddress {
        assert(contains(offset, 6))
        return MACAddress(UInt64(u16(offset)) << 32 | UInt64(u32(offset + 2)))
    }

    /// A sub-view; the caller has checked the range.
    @inlinable public func slice(_ offset: Int, _ length: Int) -> PacketBytes {
        precondition(contains(offset, length))
        return PacketBytes(UnsafeRawBufferPointer(rebasing: buffer[offset..<(offset + length)]))
    }
}
