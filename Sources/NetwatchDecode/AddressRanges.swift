/// IPv4 and IPv6 range tables side by side, looked up by address: what block lists and
/// network sets both search.
package struct AddressRanges: Sendable {
    @usableFromInline let v4: RangeTable<UInt32>
    @usableFromInline let v6: RangeTable<UInt128>

    package init(v4: [(start: UInt32, end: UInt32, entry: Int32)] = [], v6: [(start: UInt128, end: UInt128, entry: Int32)] = []) {
        self.v4 = RangeTable(v4)
        self.v6 = RangeTable(v6)
    }

    package var count: Int { v4.count + v6.count }

    /// The entry covering `address`, or -1.
    @inlinable @inline(__always)
    package func lookup(_ address: IPAddress) -> Int32 {
        address.isIPv6 ? v6.lookup(UInt128(address.high) << 64 | UInt128(address.low)) : v4.lookup(address.ipv4)
    }
}
