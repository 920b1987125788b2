extension PacketDecoder {
    /// Linux NFLOG: a 4-byte header (address family, version, resource ID), then TLVs whose
    /// length and type are in the capturing host's byte order (little-endian on every host
    /// netwatch runs on), each padded to 4 bytes. The packet is the payload TLV (type 9).
    func decodeNFLOG(_ f: Frame, _ p: inout DecodedPacket) {
        let b = f.bytes
        guard b.contains(0, 4) else { return p.flag(.nflog, .truncated) }
        let family = b.u8(0)
        guard b.u8(1) == 0 else { return p.flag(.nflog, .invalid) }
        var offset = 4
        while b.contains(offset, 4) {
            let length = Int(UInt16(b.u8(offset)) | UInt16(b.u8(offset + 1)) << 8)
            let type = UInt16(b.u8(offset + 2)) | UInt16(b.u8(offset + 3)) << 8
            guard length >= 4 else { return p.flag(.nflog, .invalid) }
            if type & 0x7FFF == 9 {
                let start = offset + 4
                switch family {
                case 2: decodeNetwork(etherType: 0x0800, f, at: start, &p)
                case 10: decodeNetwork(etherType: 0x86DD, f, at: start, &p)
                default: decodeRawIP(f, at: start, &p)
                }
                return
            }
            offset += (length + 3) & ~3
        }
        // No payload TLV: the message is cut, or was logged without the packet.
        p.network = .other
        if b.count < f.wireLength { p.flag(.nflog, .truncated) }
    }
}
