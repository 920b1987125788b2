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
        }
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
