extension PacketDecoder {
    /// TCP (RFC 9293) with the options netwatch shows: MSS, window scale, SACK, timestamps.
    func decodeTCP(_ f: Frame, _ region: IPRegion, _ p: inout DecodedPacket) {
        guard readPorts(.tcp, headerLength: 20, f, region, &p) else { return }
        let b = f.bytes
        let o = region.start
        p.tcp.seq = b.u32(o + 4)
        p.tcp.ack = b.u32(o + 8)
        let offsetFlags = b.u16(o + 12)
        p.tcp.flags = TCPFlags(rawValue: offsetFlags & 0x01FF)
        p.tcp.window = b.u16(o + 14)
        p.tcp.urgentPointer = b.u16(o + 18)
        let headerLength = Int(offsetFlags >> 12) * 4
        p.tcp.headerLength = headerLength
        guard headerLength >= 20 else {
            p.flag(.tcp, .invalid)
            return
        }
        // The first 20 bytes are checked (`readPorts`); options make the header longer.
        if headerLength > 20, let kind = f.check(o, headerLength, claimedEnd: region.claimedEnd) {
            p.flag(.tcp, kind)
            return
        }
        if headerLength > 20, !decodeTCPOptions(b, from: o + 20, to: o + headerLength, &p.tcp) {
            p.flag(.tcp, .invalid)
        }
        setPayload(region, from: o + headerLength, &p)
        // Payload first: most segments that carry none (SYNs, ACKs) skip the port tests.
        if p.payloadLength > 0 && (isDNSPort(p.srcPort) || isDNSPort(p.dstPort)) && !p.fragment.moreFragments {
            p.dns.tcpSegment = true
            decodeDNS(f, region, overTCP: true, &p)
        }
    }

    /// Returns false when an option's length runs past the header or is impossible.
    func decodeTCPOptions(_ b: PacketBytes, from start: Int, to end: Int, _ tcp: inout TCPInfo) -> Bool {
        var i = start
        while i < end {
            let kind = b.u8(i)
            if kind == 0 { return true }
            if kind == 1 {
                i += 1
                continue
            }
            guard i + 1 < end else { return false }
            let length = Int(b.u8(i + 1))
            guard length >= 2, i + length <= end else { return false }
            switch (kind, length) {
            case (2, 4): tcp.mss = Int32(b.u16(i + 2))
            case (3, 3): tcp.windowScale = Int16(b.u8(i + 2))
            case (4, 2): tcp.sackPermitted = true
            case (5, _): tcp.sackBlocks = UInt8(truncatingIfNeeded: (length - 2) / 8)
            case (8, 10):
                tcp.hasTimestamp = true
                tcp.tsval = b.u32(i + 2)
                tcp.tsecr = b.u32(i + 6)
            case (2, _), (3, _), (4, _), (8, _): return false
            default: break
            }
            i += length
        }
        return true
    }
}
