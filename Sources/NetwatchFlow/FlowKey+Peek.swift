import NetwatchDecode

extension FlowKey {
    /// The key of a packet not yet decoded, from a first look: an untagged Ethernet IPv4
    /// TCP or UDP packet, not a fragment, read at fixed offsets with every read bounds-checked;
    /// nil for anything else. It starts loading the flow table's index line for a packet before
    /// its turn comes (`FlowTable.lookAhead`). Where it gives a key, it is the key (and side)
    /// `of` gives once the packet is decoded without an issue, so the table's probe made from
    /// it serves that packet too.
    @inlinable @inline(__always)
    public static func peek(_ b: PacketBytes, linkType: LinkType) -> (key: FlowKey, sourceIsLow: Bool)? {
        guard linkType == .ethernet, b.contains(0, 34), b.u16(12) == 0x0800 else { return nil }
        let versionIHL = b.u8(14)
        let headerLength = Int(versionIHL & 0x0F) &* 4
        // IPv4, not a fragment (offset and more-fragments clear).
        guard versionIHL >> 4 == 4, headerLength >= 20, b.u16(20) & 0x3FFF == 0 else { return nil }
        let proto = b.u8(23)
        let transport = 14 &+ headerLength
        if proto == 6 {
            guard b.contains(transport, 20) else { return nil }
        } else {
            guard proto == 17, b.contains(transport, 8) else { return nil }
            // A tunnel's packet is keyed by what it carries.
            guard !PacketDecoder.isTunnelPort(b.u16(transport)), !PacketDecoder.isTunnelPort(b.u16(transport &+ 2)) else { return nil }
        }
        return make(src: IPAddress(ipv4: b.u32(26)), dst: IPAddress(ipv4: b.u32(30)), srcPort: b.u16(transport), dstPort: b.u16(transport &+ 2),
                    proto: proto, vlan: 0, tunnel: 0)
    }
}
