extension PacketDecoder {
    /// An MPLS label stack (RFC 3032), then what the bottom label carries, guessed by the first
    /// nibble as tshark does: 4 IPv4, 6 IPv6, 0 a pseudowire control word then Ethernet,
    /// 1 an associated channel (not decoded), anything else Ethernet.
    func decodeMPLS(_ f: Frame, at o: Int, _ p: inout DecodedPacket) {
        let b = f.bytes
        var offset = o
        // 16 labels: far more than any real stack; a longer one is invalid.
        for _ in 0..<16 {
            guard b.contains(offset, 4) else { return p.flag(.mpls, .truncated) }
            let entry = b.u32(offset)
            offset += 4
            guard entry & 0x100 == 0 else { return mplsPayload(top: b.u32(o) >> 12, header: o, f, at: offset, &p) }
        }
        p.flag(.mpls, .invalid)
    }

    private func mplsPayload(top: UInt32, header: Int, _ f: Frame, at o: Int, _ p: inout DecodedPacket) {
        guard f.bytes.contains(o, 1) else { return p.flag(.mpls, .truncated) }
        switch f.bytes.u8(o) >> 4 {
        case 4: enter(.mpls, id: top, header: header, carrying: .ipv4, at: o, f, &p)
        case 6: enter(.mpls, id: top, header: header, carrying: .ipv6, at: o, f, &p)
        case 0: enter(.mpls, id: top, header: header, carrying: .ethernet, at: o + 4, f, &p)
        case 1:
            if p.encapsulation.count < Encapsulation.maxDepth {
                p.encapsulation.append(.mpls, id: top, offset: header)
            } else {
                p.flag(.mpls, .tooDeep)
            }
            p.network = .other
        default: enter(.mpls, id: top, header: header, carrying: .ethernet, at: o, f, &p)
        }
    }
}
