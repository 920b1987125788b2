extension PacketDecoder {
    /// ICMP (RFC 792): type and code, echo identifier and sequence, and where an error
    /// message quotes the datagram it is about.
    func decodeICMP(_ f: Frame, _ region: IPRegion, _ p: inout DecodedPacket) {
        let b = f.bytes
        let o = region.start
        p.transport = .icmp
        if let kind = f.check(o, 4, claimedEnd: region.claimedEnd) {
            p.flag(.icmp, kind)
            return
        }
        p.icmp.type = b.u8(o)
        p.icmp.code = b.u8(o + 1)
        setPayload(region, from: min(o + 8, region.claimedEnd), &p)
        switch p.icmp.type {
        case 0, 8, 13, 14, 15, 16, 17, 18:
            readEcho(f, region, &p)
        case 3, 4, 5, 11, 12:
            if f.check(o, 8, claimedEnd: region.claimedEnd) == nil, o + 8 < region.capturedEnd {
                p.icmp.quotedOffset = o + 8
            }
        default: break
        }
    }

    /// ICMPv6 (RFC 4443) and neighbor discovery (RFC 4861).
    func decodeICMPv6(_ f: Frame, _ region: IPRegion, _ p: inout DecodedPacket) {
        let b = f.bytes
        let o = region.start
        p.transport = .icmpv6
        if let kind = f.check(o, 4, claimedEnd: region.claimedEnd) {
            p.flag(.icmpv6, kind)
            return
        }
        p.icmp.type = b.u8(o)
        p.icmp.code = b.u8(o + 1)
        setPayload(region, from: min(o + 8, region.claimedEnd), &p)
        switch p.icmp.type {
        case 128, 129:
            readEcho(f, region, &p)
        case 1, 2, 3, 4:
            if f.check(o, 8, claimedEnd: region.claimedEnd) == nil, o + 8 < region.capturedEnd {
                p.icmp.quotedOffset = o + 8
            }
        case 135, 136, 137:
            if let kind = f.check(o, 24, claimedEnd: region.claimedEnd) {
                p.flag(.icmpv6, kind)
                return
            }
            p.icmp.target = IPAddress(ipv6High: b.u64(o + 8), low: b.u64(o + 16))
            setPayload(region, from: o + 24, &p)
        default: break
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
