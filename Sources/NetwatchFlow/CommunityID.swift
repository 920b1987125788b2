import NetwatchDecode

/// Community ID v1 (corelight/community-id-spec): a flow hash that Zeek, Suricata and others
/// compute the same way, so their records and netwatch's can be joined.
public enum CommunityID {
    /// ICMP types that come in request/reply pairs map to the counterpart type as "port"
    /// (spec: port equivalents); other types are one-way: (type, code).
    @inlinable @inline(__always) static func icmpPorts(type: UInt8, code: UInt8, ipv6: Bool) -> (UInt16, UInt16, oneWay: Bool) {
        let counterpart: UInt8?
        if ipv6 {
            switch type {
            case 128: counterpart = 129
            case 129: counterpart = 128
            case 133: counterpart = 134
            case 134: counterpart = 133
            case 135: counterpart = 136
            case 136: counterpart = 135
            case 130: counterpart = 131
            case 131: counterpart = 130
            case 144: counterpart = 145
            case 145: counterpart = 144
            default: counterpart = nil
            }
        } else {
            switch type {
            case 8: counterpart = 0
            case 0: counterpart = 8
            case 13: counterpart = 14
            case 14: counterpart = 13
            case 15: counterpart = 16
            case 16: counterpart = 15
            case 10: counterpart = 9
            case 9: counterpart = 10
            case 17: counterpart = 18
            case 18: counterpart = 17
            default: counterpart = nil
            }
        }
        if let counterpart { return (UInt16(type), UInt16(counterpart), false) }
        return (UInt16(type), UInt16(code), true)
    }

    /// `1:` and the base64 of SHA-1 over seed, ordered addresses, protocol, a zero byte and
    /// (for protocols with ports) the ordered ports. Nil for a flow without ports where the
    /// protocol needs them.
    public static func v1(src: IPAddress, dst: IPAddress, proto: UInt8, srcPort: UInt16, dstPort: UInt16, hasPorts: Bool, oneWay: Bool = false, seed: UInt16 = 0) -> String {
        var (a, b, pa, pb) = (src, dst, srcPort, dstPort)
        if !oneWay && !(ordered(a, b) || (a == b && pa <= pb)) {
            swap(&a, &b)
            swap(&pa, &pb)
        }
        var input = [UInt8]()
        input.reserveCapacity(40)
        input += [UInt8(seed >> 8), UInt8(seed & 0xFF)]
        append(a, to: &input)
        append(b, to: &input)
        input += [proto, 0]
        if hasPorts { input += [UInt8(pa >> 8), UInt8(pa & 0xFF), UInt8(pb >> 8), UInt8(pb & 0xFF)] }
        let h = input.withUnsafeBytes { SHA1.hash($0) }
        var digest = [UInt8]()
        for word in [h.0, h.1, h.2, h.3, h.4] {
            digest += [UInt8(word >> 24), UInt8((word >> 16) & 0xFF), UInt8((word >> 8) & 0xFF), UInt8(word & 0xFF)]
        }
        return "1:" + base64(digest)
    }

    /// The Community ID of one packet's flow, as the packet's sender sees it; nil for packets
    /// without an IP flow. SCTP ports are read from the payload's first four bytes.
    public static func of(_ p: DecodedPacket, bytes: PacketBytes, seed: UInt16 = 0) -> String? {
        guard p.network == .ipv4 || p.network == .ipv6, p.ipHeaderLength > 0, p.fragment.offset == 0 else { return nil }
        var (srcPort, dstPort, hasPorts, oneWay) = (UInt16(0), UInt16(0), false, false)
        switch p.transport {
        case .tcp, .udp:
            guard p.tcp.headerLength > 0 || p.transport == .udp, p.issue?.layer != .udp || p.payloadOffset > 0 else { return nil }
            (srcPort, dstPort, hasPorts) = (p.srcPort, p.dstPort, true)
        case .icmp, .icmpv6:
            let ports = icmpPorts(type: p.icmp.type, code: p.icmp.code, ipv6: p.transport == .icmpv6)
            (srcPort, dstPort, hasPorts, oneWay) = (ports.0, ports.1, true, ports.oneWay)
        default:
            if p.ipProtocol == 132 {
                guard bytes.contains(p.payloadOffset, 4) else { return nil }
                (srcPort, dstPort, hasPorts) = (bytes.u16(p.payloadOffset), bytes.u16(p.payloadOffset + 2), true)
            }
        }
        return v1(src: p.src, dst: p.dst, proto: p.ipProtocol, srcPort: srcPort, dstPort: dstPort, hasPorts: hasPorts, oneWay: oneWay, seed: seed)
    }

    /// Byte-wise order of the network-order address bytes.
    private static func ordered(_ a: IPAddress, _ b: IPAddress) -> Bool {
        a.isIPv6 ? (a.high, a.low) < (b.high, b.low) : a.ipv4 < b.ipv4
    }

    private static func append(_ a: IPAddress, to input: inout [UInt8]) {
        if a.isIPv6 {
            for word in [a.high, a.low] {
                for k in stride(from: 56, through: 0, by: -8) { input.append(UInt8(truncatingIfNeeded: word >> UInt64(k))) }
            }
        } else {
            let v = a.ipv4
            input += [UInt8(v >> 24), UInt8((v >> 16) & 0xFF), UInt8((v >> 8) & 0xFF), UInt8(v & 0xFF)]
        }
    }

    static func base64(_ bytes: [UInt8]) -> String {
        let table = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)
        var out = [UInt8]()
        var i = 0
        while i < bytes.count {
            let n = min(3, bytes.count - i)
            let chunk = UInt32(bytes[i]) << 16 | (n > 1 ? UInt32(bytes[i + 1]) << 8 : 0) | (n > 2 ? UInt32(bytes[i + 2]) : 0)
            out.append(table[Int(chunk >> 18)])
            out.append(table[Int((chunk >> 12) & 63)])
            out.append(n > 1 ? table[Int((chunk >> 6) & 63)] : UInt8(ascii: "="))
            out.append(n > 2 ? table[Int(chunk & 63)] : UInt8(ascii: "="))
            i += 3
        }
        return String(decoding: out, as: UTF8.self)
    }
}
