/// An IPv4 or IPv6 address as a value: IPv4 sits in the low 32 bits of `low`.
public struct IPAddress: Hashable, Sendable, Comparable, BitwiseCopyable {
    public var high: UInt64
    public var low: UInt64
    public var isIPv6: Bool

    @inlinable public init(ipv4: UInt32) {
        high = 0
        low = UInt64(ipv4)
        isIPv6 = false
    }

    @inlinable public init(ipv6High: UInt64, low: UInt64) {
        high = ipv6High
        self.low = low
        isIPv6 = true
    }

    public static let none = IPAddress(ipv4: 0)

    @inlinable public var ipv4: UInt32 { UInt32(truncatingIfNeeded: low) }

    /// The IPv4 address inside an IPv4-mapped IPv6 address (::ffff:a.b.c.d), if it is one.
    public var unmappedIPv4: IPAddress? {
        guard isIPv6, high == 0, low >> 32 == 0xFFFF else { return nil }
        return IPAddress(ipv4: UInt32(truncatingIfNeeded: low))
    }

    /// The 16-bit groups of an IPv6 address, most significant first.
    @inlinable public func group(_ index: Int) -> UInt16 {
        let word = index < 4 ? high : low
        return UInt16(truncatingIfNeeded: word >> UInt64(16 * (3 - index % 4)))
    }

    public static func < (a: IPAddress, b: IPAddress) -> Bool {
        if a.isIPv6 != b.isIPv6 { return !a.isIPv6 }
        return (a.high, a.low) < (b.high, b.low)
    }
}

extension IPAddress {
    /// Parses dotted-quad IPv4 or RFC 4291 IPv6 text (with `::` and an embedded IPv4 tail).
    public init?(_ text: some StringProtocol) {
        let utf8 = Array(text.utf8)
        if let v4 = IPAddress.parseIPv4(utf8[...]) {
            self.init(ipv4: v4)
        } else if let (h, l) = IPAddress.parseIPv6(utf8[...]) {
            self.init(ipv6High: h, low: l)
        } else {
            return nil
        }
    }

    package static func parseIPv4(_ s: ArraySlice<UInt8>) -> UInt32? {
        var value: UInt32 = 0
        var part: UInt32 = 0
        var digits = 0
        var parts = 0
        for c in s {
            if c == UInt8(ascii: ".") {
                guard digits > 0, parts < 3 else { return nil }
                value = value << 8 | part
                part = 0
                digits = 0
                parts += 1
            } else if c >= 0x30 && c <= 0x39 {
                part = part * 10 + UInt32(c - 0x30)
                digits += 1
                guard part <= 255, digits <= 3 else { return nil }
            } else {
                return nil
            }
        }
        guard digits > 0, parts == 3 else { return nil }
        return value << 8 | part
    }

    package static func parseIPv6(_ s: ArraySlice<UInt8>) -> (UInt64, UInt64)? {
        guard s.count >= 2, s.count <= 45 else { return nil }
        var groups: [UInt16] = []
        var gapAt: Int? = nil
        var i = s.startIndex
        if s[i] == UInt8(ascii: ":") {
            guard s[i + 1] == UInt8(ascii: ":") else { return nil }
            gapAt = 0
            i += 2
        }
        while i < s.endIndex {
            // An embedded IPv4 tail takes the last two groups.
            if let dot = s[i...].firstIndex(of: UInt8(ascii: ".")), !s[i..<dot].contains(UInt8(ascii: ":")) {
                guard let v4 = parseIPv4(s[i...]) else { return nil }
                groups.append(UInt16(v4 >> 16))
                groups.append(UInt16(v4 & 0xFFFF))
                i = s.endIndex
                break
            }
            var value: UInt32 = 0
            var digits = 0
            while i < s.endIndex, let h = hexValue(s[i]) {
                value = value << 4 | UInt32(h)
                digits += 1
                i += 1
            }
            guard digits >= 1, digits <= 4 else { return nil }
            groups.append(UInt16(value))
            if i == s.endIndex { break }
            guard s[i] == UInt8(ascii: ":") else { return nil }
            i += 1
            if i < s.endIndex, s[i] == UInt8(ascii: ":") {
                guard gapAt == nil else { return nil }
                gapAt = groups.count
                i += 1
            } else if i == s.endIndex {
                return nil
            }
        }
        if let gap = gapAt {
            guard groups.count <= 7 else { return nil }
            groups.insert(contentsOf: repeatElement(0, count: 8 - groups.count), at: gap)
        }
        guard groups.count == 8 else { return nil }
        var h: UInt64 = 0
        var l: UInt64 = 0
        for k in 0..<4 { h = h << 16 | UInt64(groups[k]) }
        for k in 4..<8 { l = l << 16 | UInt64(groups[k]) }
        return (h, l)
    }

    static func hexValue(_ c: UInt8) -> UInt8? {
        switch c {
        case 0x30...0x39: return c - 0x30
        case 0x41...0x46: return c - 0x41 + 10
        case 0x61...0x66: return c - 0x61 + 10
        default: return nil
        }
    }
}
