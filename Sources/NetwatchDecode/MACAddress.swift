/// A 48-bit IEEE 802 address, kept in the low bits of a UInt64 so it copies and hashes cheaply.
public struct MACAddress: Hashable, Sendable {
    public var value: UInt64
    @inlinable public init(_ value: UInt64) { self.value = value & 0xFFFF_FFFF_FFFF }
    public static let zero = MACAddress(0)
    public static let broadcast = MACAddress(0xFFFF_FFFF_FFFF)

    /// The six bytes, most significant first.
    @inlinable public func byte(_ index: Int) -> UInt8 { UInt8(truncatingIfNeeded: value >> UInt64(8 * (5 - index))) }
}
