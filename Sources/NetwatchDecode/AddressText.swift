/// Address text without allocating: formatted into a stack buffer and handed to `body`.
/// Terminal views, JSON lines and `description` all use these, so the forms agree.
extension IPAddress: CustomStringConvertible {
    /// Dotted quad, or RFC 5952 IPv6 (lower case, longest zero run as `::`, mapped IPv4 dotted).
    @inlinable
    public func withText<R>(_ body: (UnsafeRawBufferPointer) -> R) -> R {
        withUnsafeTemporaryAllocation(byteCount: 48, alignment: 1) { buffer in
            let n = isIPv6 ? writeIPv6(buffer) : IPAddress.writeIPv4(ipv4, buffer, at: 0)
            return body(UnsafeRawBufferPointer(rebasing: buffer[0..<n]))
        }
    }

    public var description: String { withText { String(decoding: $0, as: UTF8.self) } }

    @usableFromInline
    static func writeIPv4(_ v: UInt32, _ out: UnsafeMutableRawBufferPointer, at start: Int) -> Int {
        var i = start
        for shift in stride(from: 24, through: 0, by: -8) {
            let octet = Int((v >> UInt32(shift)) & 0xFF)
            if octet >= 100 {
                out[i] = UInt8(48 + octet / 100)
                i += 1
            }
            if octet >= 10 {
                out[i] = UInt8(48 + (octet / 10) % 10)
                i += 1
            }
            out[i] = UInt8(48 + octet % 10)
            i += 1
            if shift > 0 {
                out[i] = UInt8(ascii: ".")
                i += 1
            }
        }
        return i
    }

    @usableFromInline
    func writeIPv6(_ out: UnsafeMutableRawBufferPointer) -> Int {
        // Longest run of two or more zero groups, the first one on a tie (RFC 5952 §4.2).
        var bestStart = -1
        var bestLength = 1
        var runStart = -1
        for g in 0..<8 {
            if group(g) == 0 {
                if runStart < 0 { runStart = g }
                if g - runStart + 1 > bestLength {
                    bestStart = runStart
                    bestLength = g - runStart + 1
                }
            } else {
                runStart = -1
            }
        }
        let mappedIPv4 = high == 0 && low >> 32 == 0xFFFF
        let lastGroup = mappedIPv4 ? 6 : 8
        var i = 0
        var g = 0
        while g < lastGroup {
            if g == bestStart {
                out[i] = UInt8(ascii: ":")
                out[i + 1] = UInt8(ascii: ":")
                i += 2
                g += bestLength
                continue
            }
            if i > 0 && out[i - 1] != UInt8(ascii: ":") {
                out[i] = UInt8(ascii: ":")
                i += 1
            }
            let value = group(g)
            var started = false
            for shift in stride(from: 12, through: 0, by: -4) {
                let nibble = UInt8((value >> UInt16(shift)) & 0xF)
                if nibble != 0 || started || shift == 0 {
                    out[i] = nibble < 10 ? 48 + nibble : 87 + nibble
                    i += 1
                    started = true
                }
            }
            g += 1
        }
        if mappedIPv4 {
            if out[i - 1] != UInt8(ascii: ":") {
                out[i] = UInt8(ascii: ":")
                i += 1
            }
            i = IPAddress.writeIPv4(UInt32(truncatingIfNeeded: low), out, at: i)
        }
        return i
    }
}

extension MACAddress: CustomStringConvertible {
    @inlinable
    public func withText<R>(_ body: (UnsafeRawBufferPointer) -> R) -> R {
        withUnsafeTemporaryAllocation(byteCount: 17, alignment: 1) { out in
            for k in 0..<6 {
                let b = byte(k)
                out[k * 3] = hexDigit(b >> 4)
                out[k * 3 + 1] = hexDigit(b & 0xF)
                if k < 5 { out[k * 3 + 2] = UInt8(ascii: ":") }
            }
            return body(UnsafeRawBufferPointer(out))
        }
    }

    public var description: String { withText { String(decoding: $0, as: UTF8.self) } }
}

@inlinable @inline(__always)
func hexDigit(_ nibble: UInt8) -> UInt8 { nibble < 10 ? 48 + nibble : 87 + nibble }
