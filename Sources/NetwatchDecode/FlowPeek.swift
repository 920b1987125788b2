/// A first look at a packet not yet decoded: the addresses, ports and protocol of an
/// untagged Ethernet IPv4 packet that likely opens a flow (a TCP SYN without ACK, or UDP),
/// read at fixed offsets with every read bounds-checked. Anything else gives nil. It serves
/// only to start loading the flow table's line for a packet before its turn comes; the
/// packet is decoded in full when it does.
public struct FlowPeek {
    public var src: UInt32
    public var dst: UInt32
    public var srcPort: UInt16
    public var dstPort: UInt16
    public var proto: UInt8

    @inlinable init(src: UInt32, dst: UInt32, srcPort: UInt16, dstPort: UInt16, proto: UInt8) {
        self.src = src
        self.dst = dst
        self.srcPort = srcPort
        self.dstPort = dstPort
        self.proto = proto
    }

    @inlinable @inline(__always)
    public static func of(_ b: PacketBytes, linkType: LinkType) -> FlowPeek? {
        guard linkType == .ethernet, b.contains(0, 34), b.u16(12) == 0x0800 else { return nil }
        let versionIHL = b.u8(14)
        let headerLength = Int(versionIHL & 0x0F) &* 4
        // IPv4, not a fragment (offset and more-fragments clear).
        guard versionIHL >> 4 == 4, headerLength >= 20, b.u16(20) & 0x3FFF == 0 else { return nil }
        let proto = b.u8(23)
        let transport = 14 &+ headerLength
        if proto == 6 {
            guard b.contains(transport, 20), b.u8(transport &+ 13) & 0x12 == 0x02 else { return nil }
        } else {
            guard proto == 17, b.contains(transport, 8) else { return nil }
        }
        return FlowPeek(src: b.u32(26), dst: b.u32(30), srcPort: b.u16(transport), dstPort: b.u16(transport &+ 2), proto: proto)
    }
}
