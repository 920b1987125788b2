extension PacketDecoder {
    /// ICMP (RFC 792): type and code, echo identifier and sequence, and where an error
    /// message quotes the datagram it is about.
    func decodeICMP(_ f: Frame, _ region: IPRegion, _ p: inout DecodedPacket) {
        guard readTypeAndCode(.icmp, f, region, &p) else { return }
        switch p.icmp.type {
        case 0, 8, 13, 14, 15, 16, 17, 18: readEcho(f, region, &p)
        case 3, 4, 5, 11, 12: markQuote(f, region, &p)
        default: break
        }
    }

    /// ICMPv6 (RFC 4443) and neighbor discovery (RFC 4861).
    func decodeICMPv6(_ f: Frame, _ region: IPRegion, _ p: inout DecodedPacket) {
        guard readTypeAndCode(.icmpv6, f, region, &p) else { return }
        let o = region.start
        switch p.icmp.type {
        case 128, 129: readEcho(f, region, &p)
        case 1, 2, 3, 4: markQuote(f, region, &p)
        case 135, 136, 137:
            if let kind = f.check(o, 24, claimedEnd: region.claimedEnd) {
                p.flag(.icmpv6, kind)
                return
            }
            p.icmp.target = IPAddress(ipv6High: f.bytes.u64(o + 8), low: f.bytes.u64(o + 16))
            setPayload(region, from: o + 24, &p)
        default: break
        }
    }

    /// The four bytes every ICMP and ICMPv6 message starts with; false when they are missing.
    private func readTypeAndCode(_ layer: Layer, _ f: Frame, _ region: IPRegion, _ p: inout DecodedPacket) -> Bool {
        let o = region.start
        p.transport = layer == .icmp ? .icmp : .icmpv6
        if let kind = f.check(o, 4, claimedEnd: region.claimedEnd) {
            p.flag(layer, kind)
            return false
        }
        p.icmp.type = f.bytes.u8(o)
        p.icmp.code = f.bytes.u8(o + 1)
        setPayload(region, from: min(o + 8, region.claimedEnd), &p)
        return true
    }

    /// Error messages quote the offending datagram after the 8-byte header.
    private func markQuote(_ f: Frame, _ region: IPRegion, _ p: inout DecodedPacket) {
        let o = region.start
        if f.check(o, 8, claimedEnd: region.claimedEnd) == nil, o + 8 < region.capturedEnd {
            p.icmp.quotedOffset = o + 8
            readQuotedFlow(f.bytes, at: o + 8, end: min(region.claimedEnd, region.capturedEnd), &p)
        }
    }

    /// The addresses, protocol and ports of the quoted datagram (RFC 792 quotes its IP header
    /// and at least 8 bytes after it; RFC 4443 as much as fits). Extension headers in a quoted
    /// IPv6 datagram are not followed: its flow is then left unknown.
    private func readQuotedFlow(_ b: PacketBytes, at o: Int, end: Int, _ p: inout DecodedPacket) {
        guard o < end, b.contains(o, 1) else { return }
        let version = b.u8(o) >> 4
        var transportStart: Int
        if version == 4 {
            let headerLength = Int(b.u8(o) & 0x0F) * 4
            guard headerLength >= 20, o + 20 <= end, b.contains(o, 20) else { return }
            // A non-first fragment carries no ports.
            guard b.u16(o + 6) & 0x1FFF == 0 else { return }
            p.icmp.quotedProtocol = b.u8(o + 9)
            p.icmp.quotedSource = IPAddress(ipv4: b.u32(o + 12))
            p.icmp.quotedDestination = IPAddress(ipv4: b.u32(o + 16))
            transportStart = o + headerLength
        } else if version == 6 {
            guard o + 40 <= end, b.contains(o, 40) else { return }
            p.icmp.quotedProtocol = b.u8(o + 6)
            p.icmp.quotedSource = IPAddress(ipv6High: b.u64(o + 8), low: b.u64(o + 16))
            p.icmp.quotedDestination = IPAddress(ipv6High: b.u64(o + 24), low: b.u64(o + 32))
            transportStart = o + 40
        } else {
            return
        }
        switch p.icmp.quotedProtocol {
        case 6, 17, 132:
            guard transportStart + 4 <= end, b.contains(transportStart, 4) else { return }
            p.icmp.quotedSourcePort = b.u16(transportStart)
            p.icmp.quotedDestinationPort = b.u16(transportStart + 2)
        case 1, 58:
            guard transportStart + 2 <= end, b.contains(transportStart, 2) else { return }
            // ICMP quoting ICMP (an echo request that went nowhere): type and code.
            p.icmp.quotedSourcePort = UInt16(b.u8(transportStart))
            p.icmp.quotedDestinationPort = UInt16(b.u8(transportStart + 1))
        default:
            break
        }
        p.icmp.hasQuotedFlow = true
    }

    private func readEcho(_ f: Frame, _ region: IPRegion, _ p: inout DecodedPacket) {
        let o = region.start
        if let kind = f.check(o, 8, claimedEnd: region.claimedEnd) {
            p.flag(p.transport == .icmp ? .icmp : .icmpv6, kind)
            return
        }
        p.icmp.hasEcho = true
        p.icmp.identifier = f.bytes.u16(o + 4)
        p.icmp.sequence = f.bytes.u16(o + 6)
    }
}
