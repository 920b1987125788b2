extension PacketDecoder {
    /// UDP (RFC 768). The payload is bounded by the UDP length field when it is sane.
    func decodeUDP(_ f: Frame, _ region: IPRegion, _ p: inout DecodedPacket) {
        guard readPorts(.udp, headerLength: 8, f, region, &p) else { return }
        let b = f.bytes
        let o = region.start
        var inner = region
        let length = Int(b.u16(o + 4))
        if !p.fragment.isFragment {
            if length < 8 || o + length > region.claimedEnd {
                p.flag(.udp, .invalid)
            } else {
                inner.claimedEnd = o + length
                inner.capturedEnd = min(inner.capturedEnd, o + length)
            }
        }
        setPayload(inner, from: o + 8, &p)
        if (isDNSPort(p.srcPort) || isDNSPort(p.dstPort)) && !p.fragment.isFragment {
            decodeDNS(f, inner, overTCP: false, &p)
        } else if (Self.isTunnelPort(p.srcPort) || Self.isTunnelPort(p.dstPort)) && !p.fragment.isFragment && p.issue == nil {
            decodeUDPTunnel(f, inner, &p)
        }
    }
}
