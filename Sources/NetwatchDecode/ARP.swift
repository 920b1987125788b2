extension PacketDecoder {
    /// ARP (RFC 826). Only Ethernet/IPv4 addresses are read; other hardware/protocol
    /// pairs keep the operation and are otherwise skipped.
    func decodeARP(_ f: Frame, at o: Int, _ p: inout DecodedPacket) {
        let b = f.bytes
        p.network = .arp
        guard b.contains(o, 8) else {
            p.flag(.arp, .truncated)
            return
        }
        let hardwareType = b.u16(o)
        let protocolType = b.u16(o + 2)
        let hlen = Int(b.u8(o + 4))
        let plen = Int(b.u8(o + 5))
        p.arp.operation = b.u16(o + 6)
        guard b.contains(o + 8, 2 * (hlen + plen)) else {
            p.flag(.arp, .truncated)
            return
        }
        // ATM (19) speaks ATMARP (RFC 2225), laid out otherwise: nothing more is read.
        guard protocolType == 0x0800, hardwareType != 19 else { return }
        if plen == 4 {
            p.arp.hasIPv4 = true
            p.arp.senderIP = IPAddress(ipv4: b.u32(o + 8 + hlen))
            p.arp.targetIP = IPAddress(ipv4: b.u32(o + 12 + 2 * hlen))
            p.src = p.arp.senderIP
            p.dst = p.arp.targetIP
        }
        guard hardwareType == 1 || hardwareType == 6 else { return }
        guard hlen == 6, plen == 4 else {
            p.flag(.arp, .invalid)
            return
        }
        p.arp.isEthernetIPv4 = true
        p.arp.senderMAC = b.mac(o + 8)
        p.arp.targetMAC = b.mac(o + 18)
    }
}
