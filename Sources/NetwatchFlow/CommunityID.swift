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
        // On the stack: this runs for every flow a sink hears of, twice for some.
        return withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 40) { input in
            var n = 0
            func put(_ byte: UInt8) { input[n] = byte; n += 1 }
            put(UInt8(seed >> 8)); put(UInt8(seed & 0xFF))
            func put(_ address: IPAddress) {
                if address.isIPv6 {
                    for k in stride(from: 56, through: 0, by: -8) { put(UInt8(truncatingIfNeeded: address.high >> UInt64(k))) }
                    for k in stride(from: 56, through: 0, by: -8) { put(UInt8(truncatingIfNeeded: address.low >> UInt64(k))) }
                } else {
                    let v = address.ipv4
                    put(UInt8(v >> 24)); put(UInt8((v >> 16) & 0xFF)); put(UInt8((v >> 8) & 0xFF)); put(UInt8(v & 0xFF))
                }
            }
            put(a)
            put(b)
            put(proto); put(0)
            if hasPorts { put(UInt8(pa >> 8)); put(UInt8(pa & 0xFF)); put(UInt8(pb >> 8)); put(UInt8(pb & 0xFF)) }
            let h = SHA1.hash(UnsafeRawBufferPointer(rebasing: UnsafeMutableRawBufferPointer(input)[0..<n]))
            return text(h)
        }
    }

    static let alphabet: StaticString = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"

    /// "1:" and the base64 of the 20-byte digest (28 characters), written in place.
    static func text(_ h: (UInt32, UInt32, UInt32, UInt32, UInt32)) -> String {
        String(unsafeUninitializedCapacity: 30) { out in
            withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 21) { d in
                func word(_ w: UInt32, _ k: Int) {
                    d[k] = UInt8(w >> 24); d[k + 1] = UInt8((w >> 16) & 0xFF); d[k + 2] = UInt8((w >> 8) & 0xFF); d[k + 3] = UInt8(w & 0xFF)
                }
                word(h.0, 0); word(h.1, 4); word(h.2, 8); word(h.3, 12); word(h.4, 16)
                d[20] = 0
                out[0] = UInt8(ascii: "1"); out[1] = UInt8(ascii: ":")
                alphabet.withUTF8Buffer { table in
                    var o = 2
                    var i = 0
                    while i < 20 {
                        let chunk = UInt32(d[i]) << 16 | UInt32(d[i + 1]) << 8 | (i + 2 < 20 ? UInt32(d[i + 2]) : 0)
                        out[o] = table[Int(chunk >> 18)]
                        out[o + 1] = table[Int((chunk >> 12) & 63)]
                        out[o + 2] = table[Int((chunk >> 6) & 63)]
                        out[o + 3] = i + 2 < 20 ? table[Int(chunk & 63)] : UInt8(ascii: "=")
                        o += 4
                        i += 3
                    }
                }
            }
            return 30
        }
    }

    /// The Community ID of a flow from its two ends as the flow table keeps them (for ICMP
    /// the originator's port is the first packet's type), by IP protocol number: what a
    /// flow's record carries, and what a sink recomputes from a record made without it.
    public static func flow(_ o: IPAddress, _ oPort: UInt16, _ r: IPAddress, _ rPort: UInt16, ipProtocol: UInt8) -> String {
        let icmp = ipProtocol == 1 || ipProtocol == 58
        // Port equivalents: (type, counterpart) for paired types, (type, code) otherwise.
        let oneWay = icmp && icmpPorts(type: UInt8(truncatingIfNeeded: oPort), code: 0, ipv6: ipProtocol == 58).oneWay
        let hasPorts = ipProtocol == 6 || ipProtocol == 17 || icmp || ipProtocol == 132
        return v1(src: o, dst: r, proto: ipProtocol, srcPort: oPort, dstPort: rPort, hasPorts: hasPorts, oneWay: oneWay)
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
}
