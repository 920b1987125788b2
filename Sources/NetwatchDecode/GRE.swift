extension PacketDecoder {
    /// GRE (RFC 2784/2890: checksum, key, sequence) and PPTP's enhanced GRE (RFC 2637, version 1),
    /// carrying IP, Ethernet (0x6558), ERSPAN (0x88BE, 0x22EB), MPLS or PPP.
    func decodeGRE(_ f: Frame, _ region: IPRegion, _ p: inout DecodedPacket) {
        let b = f.bytes
        let o = region.start
        let end = region.claimedEnd
        p.transport = .other
        setPayload(region, from: o, &p)
        if let kind = f.check(o, 4, claimedEnd: end) { return p.flag(.gre, kind) }
        let flags = b.u16(o)
        let version = flags & 0x7
        let type = b.u16(o + 2)
        // Routing (the deprecated RFC 1701 source route) is not followed.
        guard version <= 1, flags & 0x4000 == 0 else { return p.flag(.gre, .invalid) }
        var length = 4
        if flags & 0x8000 != 0 { length += 4 }  // checksum and reserved
        var key: UInt32 = 0
        let keyOffset = o + length
        if flags & 0x2000 != 0 { length += 4 }
        if flags & 0x1000 != 0 { length += 4 }  // sequence number
        if version == 1 {
            // Enhanced GRE always has a key (payload length, call ID) and may acknowledge.
            guard flags & 0x2000 != 0, type == 0x880B else { return p.flag(.gre, .invalid) }
            if flags & 0x0080 != 0 { length += 4 }
        }
        if let kind = f.check(o, length, claimedEnd: end) { return p.flag(.gre, kind) }
        if flags & 0x2000 != 0 { key = b.u32(keyOffset) }
        let inner = o + length
        setPayload(region, from: inner, &p)
        switch type {
        case 0x0800:
            enter(.gre, id: key, header: o, carrying: .ipv4, at: inner, f, &p)
        case 0x86DD:
            enter(.gre, id: key, header: o, carrying: .ipv6, at: inner, f, &p)
        case 0x6558:
            enter(.gre, id: key, header: o, carrying: .ethernet, at: inner, f, &p)
        case 0x8847, 0x8848:
            enter(.gre, id: key, header: o, carrying: .mpls, at: inner, f, &p)
        case 0x880B:
            // The key's low half is the peer's call ID, different each way.
            enter(.gre, id: key & 0xFFFF, header: o, symmetricID: false, carrying: .ppp, at: inner, f, &p)
        case 0x88BE, 0x22EB:
            // ERSPAN type I has no header of its own: no sequence number, Ethernet at once.
            let typeI = type == 0x88BE && flags & 0x1000 == 0
            enter(.gre, id: key, header: o, carrying: typeI ? .ethernet : .etherType(type), at: inner, f, &p)
        default:
            return
        }
    }

    /// ERSPAN type II (8 bytes) and type III (12, plus 8 of platform data when the O flag is
    /// set), inside GRE: the mirrored frame follows, Ethernet unless type III says IP.
    func decodeERSPAN(_ f: Frame, at o: Int, typeIII: Bool, _ p: inout DecodedPacket) {
        let b = f.bytes
        // The outer datagram's bounds went with the tunnel's entry: the frame bounds it.
        let end = f.wireLength
        if let kind = f.check(o, typeIII ? 12 : 8, claimedEnd: end) { return p.flag(.erspan, kind) }
        let version = b.u8(o) >> 4
        guard version == (typeIII ? 2 : 1) else { return p.flag(.erspan, .invalid) }
        let session = UInt32(b.u16(o + 2) & 0x03FF)
        var length = 8
        var inner: Inner = .ethernet
        if typeIII {
            length = 12
            let field = b.u16(o + 10)
            if field & 0x0001 != 0 { length += 8 }
            // Frame type: 0 Ethernet, 2 IP.
            switch field >> 10 & 0x1F {
            case 0: inner = .ethernet
            case 2: inner = .ipByVersion
            default: return p.flag(.erspan, .unsupported)
            }
            if let kind = f.check(o, length, claimedEnd: end) { return p.flag(.erspan, kind) }
        }
        enter(.erspan, id: session, header: o, carrying: inner, at: o + length, f, &p)
    }
}
