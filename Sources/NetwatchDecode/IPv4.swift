extension PacketDecoder {
    /// IPv4 (RFC 791). Fragments are marked, not reassembled: only the first carries a transport header.
    func decodeIPv4(_ f: Frame, at o: Int, _ p: inout DecodedPacket) {
        let b = f.bytes
        p.network = .ipv4
        guard b.contains(o, 20) else {
            p.flag(.ipv4, .truncated)
            return
        }
        let versionIHL = b.u8(o)
        let headerLength = Int(versionIHL & 0x0F) * 4
        guard versionIHL >> 4 == 4, headerLength >= 20 else {
            p.flag(.ipv4, .invalid)
            return
        }
        p.tos = b.u8(o + 1)
        var total = Int(b.u16(o + 2))
        p.ipID = UInt32(b.u16(o + 4))
        let fragmentField = b.u16(o + 6)
        p.ttl = b.u8(o + 8)
        p.ipProtocol = b.u8(o + 9)
        p.src = IPAddress(ipv4: b.u32(o + 12))
        p.dst = IPAddress(ipv4: b.u32(o + 16))
        p.ipOffset = o
        p.ipHeaderLength = headerLength
        if total == 0 {
            // Segmentation offload hands the capture a packet whose length field is left 0.
            total = f.wireLength - o
        }
        p.ipLength = total
        guard total >= headerLength else {
            p.flag(.ipv4, .invalid)
            return
        }
        guard b.contains(o, headerLength) else {
            p.flag(.ipv4, .truncated)
            return
        }
        if headerLength > 20 { p.ipExtensions |= IPExtension.ipv4Options.rawValue }
        p.ipv4DontFragment = fragmentField & 0x4000 != 0
        p.fragment.moreFragments = fragmentField & 0x2000 != 0
        p.fragment.offset = Int(fragmentField & 0x1FFF) * 8
        p.fragment.isFragment = p.fragment.moreFragments || p.fragment.offset > 0
        if o + total > f.wireLength {
            // The frame is shorter than the datagram it claims to carry.
            p.flag(.ipv4, .truncated)
        }
        let region = IPRegion(start: o + headerLength, claimedEnd: o + total, capturedEnd: min(o + total, b.count))
        if p.fragment.offset > 0 {
            p.transport = .other
            setPayload(region, from: region.start, &p)
            return
        }
        decodeTransport(p.ipProtocol, f, region, &p)
    }

    func setPayload(_ region: IPRegion, from offset: Int, _ p: inout DecodedPacket) {
        p.payloadOffset = offset
        p.payloadLength = max(0, region.capturedEnd - offset)
        p.payloadMissing = max(0, region.claimedEnd - max(region.capturedEnd, offset))
    }
}

/// Where an IP datagram's payload lies: `claimedEnd` from the length field, `capturedEnd`
/// what the capture holds of it (Ethernet padding past `claimedEnd` is excluded).
struct IPRegion {
    var start: Int
    var claimedEnd: Int
    var capturedEnd: Int
}
