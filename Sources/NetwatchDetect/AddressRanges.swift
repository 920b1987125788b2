import NetwatchDecode

/// IPv4 and IPv6 range tables side by side, looked up by address: what block lists and
/// network sets both search.
struct AddressRanges: Sendable {
    private let v4: RangeTable<UInt32>
    private let v6: RangeTable<UInt128>

    init(v4: [(start: UInt32, end: UInt32, entry: Int32)] = [], v6: [(start: UInt128, end: UInt128, entry: Int32)] = []) {
        self.v4 = RangeTable(v4)
        self.v6 = RangeTable(v6)
    }

    var count: Int { v4.count + v6.count }

    /// The entry covering `address`, or -1.
    @inline(__always)
    func lookup(_ address: IPAddress) -> Int32 {
        address.isIPv6 ? v6.lookup(UInt128(address.high) << 64 | UInt128(address.low)) : v4.lookup(address.ipv4)
    }
}
