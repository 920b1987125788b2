extension PacketDecoder {
    /// The commonest packet, decoded in one straight run: untagged Ethernet, IPv4 without
    /// options and not a fragment, and a whole TCP header (options well formed) or a whole
    /// UDP header, not on a DNS port. Every test comes first and nothing is written unless all
    /// pass (false: the layer-by-layer decode takes the packet, from a fresh record); when
    /// they pass, the record holds exactly what that decode would give (a test compares
    /// the two on every shared capture). For a 54-byte SYN the layer-by-layer road, with its
    /// checks and calls per layer and a cleared record, costs 316 instructions; this one 194.
    @inline(__always)
    func decodeCommon(_ f: Frame, _ p: inout DecodedPacket) -> Bool {
        let b = f.bytes
        guard b.contains(0, 42), b.u16(12) == 0x0800, b.u8(14) == 0x45 else { return false }
        let total = Int(b.u16(16))
        let fragmentField = b.u16(20)
        let proto = b.u8(23)
        // The datagram ends inside the frame (and the length is not the offload's 0).
        guard total >= 28, 14 &+ total <= f.wireLength, fragmentField & 0x3FFF == 0 else { return false }
        let claimedEnd = 14 &+ total
        let capturedEnd = min(claimedEnd, b.count)
        let srcPort = b.u16(34)
        let dstPort = b.u16(36)
        let dnsPort = isDNSPort(srcPort) || isDNSPort(dstPort)
        let payloadOffset: Int
        // Where the payload lies: the datagram, or for UDP what its length field bounds.
        var region = IPRegion(start: 34, claimedEnd: claimedEnd, capturedEnd: capturedEnd)
        // TCP: options read into a record of their own, so a broken one leaves `p` untouched.
        var tcp = TCPInfo()
        if proto == 6 {
            // A whole header inside the datagram, its options well formed.
            guard b.contains(34, 20) else { return false }
            let headerLength = Int(b.u8(46) >> 4) &* 4
            guard headerLength >= 20, 34 &+ headerLength <= claimedEnd, b.contains(34, headerLength) else { return false }
            if headerLength > 20 && !decodeTCPOptions(b, from: 54, to: 34 &+ headerLength, &tcp) { return false }
            payloadOffset = 34 &+ headerLength
            if dnsPort && capturedEnd > payloadOffset { return false }
            tcp.seq = b.u32(38)
            tcp.ack = b.u32(42)
            tcp.flags = TCPFlags(rawValue: b.u16(46) & 0x01FF)
            tcp.window = b.u16(48)
            tcp.urgentPointer = b.u16(52)
            tcp.headerLength = headerLength
        } else if proto == 17 {
            let length = Int(b.u16(38))
            // Tunnel ports take the layered road, which enters the tunnel.
            guard !dnsPort, !Self.isTunnelPort(srcPort), !Self.isTunnelPort(dstPort), length >= 8, 34 &+ length <= claimedEnd else { return false }
            payloadOffset = 42
            region.claimedEnd = 34 &+ length
            region.capturedEnd = min(capturedEnd, region.claimedEnd)
        } else {
            return false
        }
        if !p.commonOnly {
            p = DecodedPacket()
            p.commonOnly = true
        }
        p.dstMAC = b.mac(0)
        p.srcMAC = b.mac(6)
        p.hasMAC = true
        p.etherType = 0x0800
        p.network = .ipv4
        p.tos = b.u8(15)
        p.ipID = UInt32(b.u16(18))
        p.ttl = b.u8(22)
        p.ipProtocol = proto
        p.src = IPAddress(ipv4: b.u32(26))
        p.dst = IPAddress(ipv4: b.u32(30))
        p.ipOffset = 14
        p.ipHeaderLength = 20
        p.ipLength = total
        p.ipv4DontFragment = fragmentField & 0x4000 != 0
        p.srcPort = srcPort
        p.dstPort = dstPort
        p.transport = proto == 6 ? .tcp : .udp
        // Written for UDP too (blank): the record may hold a TCP packet's.
        p.tcp = tcp
        setPayload(region, from: payloadOffset, &p)
        return true
    }
}
