extension PacketDecoder {
    /// IPv6 (RFC 8200) and its extension header chain: hop-by-hop, routing, fragment,
    /// destination options, AH and mobility.
    func decodeIPv6(_ f: Frame, at o: Int, _ p: inout DecodedPacket) {
        let b = f.bytes
        p.network = .ipv6
        guard b.contains(o, 40) else {
            p.flag(.ipv6, .truncated)
            return
        }
        let first = b.u32(o)
        guard first >> 28 == 6 else {
            p.flag(.ipv6, .invalid)
            return
        }
        p.tos = UInt8(truncatingIfNeeded: first >> 20)
        p.ipID = first & 0x000F_FFFF  // flow label
        var payloadLength = Int(b.u16(o + 4))
        var next = b.u8(o + 6)
        p.ttl = b.u8(o + 7)
        p.src = IPAddress(ipv6High: b.u64(o + 8), low: b.u64(o + 16))
        p.dst = IPAddress(ipv6High: b.u64(o + 24), low: b.u64(o + 32))
        p.ipOffset = o
        p.ipHeaderLength = 40
        if payloadLength == 0 && next == 0 {
            // A jumbogram (RFC 2675) or offload: trust the frame.
            payloadLength = f.wireLength - o - 40
        }
        p.ipLength = 40 + payloadLength
        if o + p.ipLength > f.wireLength { p.flag(.ipv6, .truncated) }
        let claimedEnd = o + p.ipLength
        var region = IPRegion(start: o + 40, claimedEnd: claimedEnd, capturedEnd: min(claimedEnd, b.count))
        var offset = o + 40
        // At most 16 extension headers: enough for any real packet, and a bound on crafted chains.
        for _ in 0..<16 {
            let length: Int
            let bit: IPExtension
            switch next {
            case 0, 43, 60, 135:
                if let kind = f.check(offset, 2, claimedEnd: claimedEnd) {
                    p.flag(.ipv6Extension, kind)
                    p.ipProtocol = next
                    return
                }
                length = (Int(b.u8(offset + 1)) + 1) * 8
                bit = next == 0 ? .hopByHop : next == 43 ? .routing : next == 60 ? .destinationOptions : .mobility
            case 51:
                if let kind = f.check(offset, 2, claimedEnd: claimedEnd) {
                    p.flag(.ipv6Extension, kind)
                    p.ipProtocol = next
                    return
                }
                length = (Int(b.u8(offset + 1)) + 2) * 4
                bit = .authentication
            case 44:
                length = 8
                bit = .fragment
            default:
                p.ipProtocol = next
                region.start = offset
                decodeTransport(next, f, region, &p)
                return
            }
            if let kind = f.check(offset, length, claimedEnd: claimedEnd) {
                p.flag(.ipv6Extension, kind)
                p.ipProtocol = next
                return
            }
            p.ipExtensions |= bit.rawValue
            let following = b.u8(offset)
            if next == 44 {
                let field = b.u16(offset + 2)
                p.fragment.offset = Int(field & 0xFFF8)
                p.fragment.moreFragments = field & 1 != 0
                p.fragment.isFragment = true
                p.ipID = b.u32(offset + 4)
                if p.fragment.offset > 0 {
                    p.ipProtocol = following
                    p.transport = .other
                    setPayload(region, from: offset + 8, &p)
                    return
                }
            }
            next = following
            offset += length
        }
        // A chain longer than any real stack sends.
        p.ipProtocol = next
        p.flag(.ipv6Extension, .invalid)
    }
}
