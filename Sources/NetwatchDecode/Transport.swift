extension PacketDecoder {
    func decodeTransport(_ proto: UInt8, _ f: Frame, _ region: IPRegion, _ p: inout DecodedPacket) {
        switch proto {
        case 6: decodeTCP(f, region, &p)
        case 17: decodeUDP(f, region, &p)
        case 1: decodeICMP(f, region, &p)
        case 58: decodeICMPv6(f, region, &p)
        default:
            p.transport = .other
            setPayload(region, from: region.start, &p)
        }
    }

    /// Ports whose payload is read as DNS: DNS, mDNS and LLMNR share the message format.
    @inline(__always)
    func isDNSPort(_ port: UInt16) -> Bool { port == 53 || port == 5353 || port == 5355 }
}
