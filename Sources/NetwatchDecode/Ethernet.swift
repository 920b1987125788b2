extension PacketDecoder {
    /// Ethernet II with any number of 802.1Q (0x8100), 802.1ad (0x88A8) or old QinQ (0x9100) tags.
    /// At `o` when inside a tunnel (VXLAN, Geneve, GRE 0x6558, ERSPAN, an MPLS pseudowire):
    /// the inner frame's addresses replace the outer's, its tags add to the outer's.
    func decodeEthernet(_ f: Frame, at o: Int = 0, _ p: inout DecodedPacket) {
        let b = f.bytes
        guard b.contains(o, 14) else {
            p.flag(.link, .truncated)
            return
        }
        p.dstMAC = b.mac(o)
        p.srcMAC = b.mac(o + 6)
        p.hasMAC = true
        var type = b.u16(o + 12)
        var offset = o + 14
        if type == 0x8100 || type == 0x88A8 || type == 0x9100 {
            guard let (next, after) = readVLANTags(f, at: offset, &p) else { return }
            type = next
            offset = after
        }
        if type < 0x0600 {
            // IEEE 802.3 length field: an LLC frame (no EtherType, though a tunnel may have named one).
            p.etherType = 0
            decodeLLC(f, at: offset, &p)
            return
        }
        decodeNetwork(etherType: type, f, at: offset, &p)
    }

    /// 802.2 LLC: SNAP with a zero OUI (RFC 1042, and 802.1H's 00-00-F8) carries an EtherType;
    /// anything else (STP, CDP, ...) is shown as LLC, not as an error.
    func decodeLLC(_ f: Frame, at offset: Int, _ p: inout DecodedPacket) {
        let b = f.bytes
        if b.contains(offset, 8), b.u16(offset) == 0xAAAA, b.u8(offset + 2) == 0x03,
           b.u16(offset + 3) == 0, b.u8(offset + 5) == 0 || b.u8(offset + 5) == 0xF8, b.u16(offset + 6) >= 0x0600 {
            decodeNetwork(etherType: b.u16(offset + 6), f, at: offset + 8, &p)
            return
        }
        p.network = .other
        // Cut inside the LLC/SNAP header: what it carried cannot be told.
        if !b.contains(offset, 8) && b.count < f.wireLength { p.flag(.link, .truncated) }
    }

    /// 802.1Q / 802.1ad tags from `o`: the EtherType after the last and where it ends, or nil
    /// (flagged) when a tag is cut.
    func readVLANTags(_ f: Frame, at o: Int, _ p: inout DecodedPacket) -> (UInt16, Int)? {
        let b = f.bytes
        var offset = o
        while true {
            guard b.contains(offset, 4) else {
                p.flag(.vlan, .truncated)
                return nil
            }
            let id = b.u16(offset) & 0x0FFF
            switch p.vlanCount {
            case 0: p.vlanIDs.0 = id
            case 1: p.vlanIDs.1 = id
            default: break
            }
            p.vlanCount &+= 1
            let type = b.u16(offset + 2)
            offset += 4
            if type != 0x8100 && type != 0x88A8 && type != 0x9100 { return (type, offset) }
        }
    }

    /// Tags after a shim (a VLAN, VN-tag, VLAN sandwich), then what they carry.
    func decodeVLANTags(_ f: Frame, at o: Int, _ p: inout DecodedPacket) {
        guard let (type, offset) = readVLANTags(f, at: o, &p) else { return }
        decodeNetwork(etherType: type, f, at: offset, &p)
    }

    /// 802.1BR E-tag (0x893F): six bytes of tag, then the EtherType. The E-CID base names it.
    func decodeETag(_ f: Frame, at o: Int, _ p: inout DecodedPacket) {
        guard f.bytes.contains(o, 8) else { return p.flag(.etag, .truncated) }
        let ecid = UInt32(f.bytes.u16(o + 2) & 0x0FFF)
        enter(.etag, id: ecid, header: o, carrying: .etherType(f.bytes.u16(o + 6)), at: o + 8, f, &p)
    }

    /// Cisco VN-tag (0x8926): four bytes of tag, then the EtherType. The destination VIF names it.
    func decodeVNTag(_ f: Frame, at o: Int, _ p: inout DecodedPacket) {
        guard f.bytes.contains(o, 6) else { return p.flag(.vntag, .truncated) }
        let vif = UInt32(f.bytes.u16(o) & 0x3FFF)
        enter(.vntag, id: vif, header: o, carrying: .etherType(f.bytes.u16(o + 4)), at: o + 6, f, &p)
    }

    /// Linux "cooked" capture v1 (what `-i any` gives on older libpcap): 16-byte header.
    func decodeLinuxSLL(_ f: Frame, _ p: inout DecodedPacket) {
        let b = f.bytes
        guard b.contains(0, 16) else {
            p.flag(.link, .truncated)
            return
        }
        if b.u16(4) == 6 { p.srcMAC = b.mac(6) }
        cookedPayload(protocol: b.u16(14), hardwareType: b.u16(2), f, at: 16, &p)
    }

    /// Linux cooked capture v2: 20-byte header with the interface index.
    func decodeLinuxSLL2(_ f: Frame, _ p: inout DecodedPacket) {
        let b = f.bytes
        guard b.contains(0, 20) else {
            p.flag(.link, .truncated)
            return
        }
        if b.u8(11) == 6 { p.srcMAC = b.mac(12) }
        cookedPayload(protocol: b.u16(0), hardwareType: b.u16(8), f, at: 20, &p)
    }

    private func cookedPayload(protocol proto: UInt16, hardwareType: UInt16, _ f: Frame, at offset: Int, _ p: inout DecodedPacket) {
        // ARPHRD_NETLINK (824) carries netlink messages; values below 0x0600 are LLC/802.3 markers.
        if hardwareType == 824 || proto < 0x0600 {
            p.network = .other
            return
        }
        if proto == 0x8100 || proto == 0x88A8 {
            // A VLAN tag kept in the payload: one tag, then the real EtherType.
            let b = f.bytes
            guard b.contains(offset, 4) else {
                p.flag(.vlan, .truncated)
                return
            }
            p.vlanIDs.0 = b.u16(offset) & 0x0FFF
            p.vlanCount = 1
            decodeNetwork(etherType: b.u16(offset + 2), f, at: offset + 4, &p)
            return
        }
        decodeNetwork(etherType: proto, f, at: offset, &p)
    }

    /// BSD loopback (DLT_NULL, family in the capturing host's byte order) and DLT_LOOP (network order).
    func decodeLoopback(_ f: Frame, _ p: inout DecodedPacket) {
        let b = f.bytes
        guard b.contains(0, 4) else {
            p.flag(.link, .truncated)
            return
        }
        var family = p.linkType == .loop ? b.u32(0) : b.u32le(0)
        if family > 0xFFFF { family = family.byteSwapped }
        switch family {
        case 2: decodeNetwork(etherType: 0x0800, f, at: 4, &p)
        case 10, 23, 24, 26, 28, 30: decodeNetwork(etherType: 0x86DD, f, at: 4, &p)
        default: p.network = .other
        }
    }
}
