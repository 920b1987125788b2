extension PacketDecoder {
    /// PPP (RFC 1661) from its protocol field, which may be compressed to one byte (RFC 1661 6.5),
    /// after an optional HDLC address and control (0xFF 0x03). IP, IPv6 and MPLS are decoded;
    /// LCP, IPCP and the other control protocols are named by their protocol number.
    func decodePPP(_ f: Frame, at o: Int, _ p: inout DecodedPacket) {
        let b = f.bytes
        var offset = o
        if b.contains(offset, 1), b.u8(offset) == 0xFF {
            // The HDLC address: the control byte follows.
            guard b.contains(offset, 2) else { return p.flag(.ppp, .truncated) }
            if b.u8(offset + 1) == 0x03 { offset += 2 }
        }
        guard b.contains(offset, 1) else { return p.flag(.ppp, .truncated) }
        var proto = UInt16(b.u8(offset))
        if proto & 1 == 0 {
            guard b.contains(offset, 2) else { return p.flag(.ppp, .truncated) }
            proto = b.u16(offset)
            offset += 2
        } else {
            offset += 1
        }
        switch proto {
        case 0x0021: decodeNetwork(etherType: 0x0800, f, at: offset, &p)
        case 0x0057: decodeNetwork(etherType: 0x86DD, f, at: offset, &p)
        case 0x0281, 0x0283: decodeMPLS(f, at: offset, &p)
        default:
            p.etherType = 0
            p.pppProtocol = proto
            p.network = .other
        }
    }

    /// The PPP link types: PPP (9) and PPP in HDLC-like framing (50) both start with the PPP
    /// header; PPP_WITH_DIR (204) has a direction byte first. DLT 50 also carries Cisco HDLC.
    func decodePPPLink(_ f: Frame, at o: Int, _ p: inout DecodedPacket) {
        let b = f.bytes
        guard b.contains(o, 1) else { return p.flag(.link, .truncated) }
        let first = b.u8(o)
        if first == 0x0F || first == 0x8F {
            return decodeCiscoHDLC(f, at: o, &p)
        }
        decodePPP(f, at: o, &p)
    }

    /// Cisco HDLC: address, control, then an EtherType.
    func decodeCiscoHDLC(_ f: Frame, at o: Int = 0, _ p: inout DecodedPacket) {
        guard f.bytes.contains(o, 4) else { return p.flag(.link, .truncated) }
        decodeNetwork(etherType: f.bytes.u16(o + 2), f, at: o + 4, &p)
    }

    /// PPPoE (RFC 2516): discovery (0x8863) is named; a session (0x8864) carries PPP, bounded by
    /// the PPPoE length.
    func decodePPPoE(_ f: Frame, at o: Int, discovery: Bool, _ p: inout DecodedPacket) {
        let b = f.bytes
        guard b.contains(o, 6) else { return p.flag(.pppoe, .truncated) }
        guard b.u8(o) == 0x11 else { return p.flag(.pppoe, .invalid) }
        let session = UInt32(b.u16(o + 2))
        if discovery {
            // PADI, PADO, PADR, PADS, PADT: the code says which.
            if p.encapsulation.count < Encapsulation.maxDepth { p.encapsulation.append(.pppoe, id: session, offset: o) }
            p.network = .other
            return
        }
        guard b.u8(o + 1) == 0 else { return p.flag(.pppoe, .invalid) }
        enter(.pppoe, id: session, header: o, carrying: .ppp, at: o + 6, f, &p)
    }

    /// IP over InfiniBand (RFC 4391 section 6): a 4-byte header, an EtherType and two reserved bytes.
    func decodeIPoIB(_ f: Frame, _ p: inout DecodedPacket) {
        guard f.bytes.contains(0, 4) else { return p.flag(.link, .truncated) }
        decodeNetwork(etherType: f.bytes.u16(0), f, at: 4, &p)
    }
}
