extension PacketDecoder {
    func decodeTransport(_ proto: UInt8, _ f: Frame, _ region: IPRegion, _ p: inout DecodedPacket) {
        switch proto {
        case 6: decodeTCP(f, region, &p)
        case 17: decodeUDP(f, region, &p)
        case 1: decodeICMP(f, region, &p)
        case 58: decodeICMPv6(f, region, &p)
        case 4, 41: decodeIPInIP(proto, f, region, &p)
        case 47: decodeGRE(f, region, &p)
        default:
            p.transport = .other
            setPayload(region, from: region.start, &p)
        }
    }

    /// The two ports that open TCP and UDP headers, then the rest of a `headerLength`-byte
    /// minimum header; false (with the reason flagged) when either is missing.
    func readPorts(_ layer: Layer, headerLength: Int, _ f: Frame, _ region: IPRegion, _ p: inout DecodedPacket) -> Bool {
        let o = region.start
        p.transport = layer == .tcp ? .tcp : .udp
        // The whole header checked first: for nearly every packet, one check instead of two.
        let missing = f.check(o, headerLength, claimedEnd: region.claimedEnd)
        if missing != nil, let kind = f.check(o, 4, claimedEnd: region.claimedEnd) {
            p.flag(layer, kind)
            return false
        }
        p.srcPort = f.bytes.u16(o)
        p.dstPort = f.bytes.u16(o + 2)
        if let missing {
            p.flag(layer, missing)
            return false
        }
        return true
    }

    /// Ports whose payload is read as DNS: DNS, mDNS and LLMNR share the message format.
    @inline(__always)
    func isDNSPort(_ port: UInt16) -> Bool { port == 53 || port == 5353 || port == 5355 }
}
