import NetwatchDecode

/// A bidirectional flow's identity: the two endpoints in a fixed order (lower address and
/// port first) so both directions find the same entry, plus protocol and outer VLAN.
/// ICMP uses the Community ID "port equivalents", so an echo reply joins its request.
public struct FlowKey: SeededHashable, Sendable {
    // Ordered so the small fields fill the first address's padding: 49 bytes, as before the
    // tunnel was added, so `Flow` keeps its three-line layout.
    public var lowAddress: IPAddress
    public var proto: UInt8
    public var lowPort: UInt16
    public var highPort: UInt16
    public var vlan: UInt16
    /// The tunnels the flow travels in (`Encapsulation.context`), 0 for none: the same inner
    /// addresses and ports in two tunnels are two flows.
    public var tunnel: UInt32
    public var highAddress: IPAddress

    @inlinable
    public init(lowAddress: IPAddress, highAddress: IPAddress, lowPort: UInt16, highPort: UInt16, proto: UInt8, vlan: UInt16, tunnel: UInt32 = 0) {
        self.lowAddress = lowAddress
        self.highAddress = highAddress
        self.lowPort = lowPort
        self.highPort = highPort
        self.proto = proto
        self.vlan = vlan
        self.tunnel = tunnel
    }

    /// The key of a decoded packet and whether its source is the key's low endpoint;
    /// nil for packets without an IP flow (ARP, non-first fragments, cut transport headers).
    @inlinable @inline(always)
    public static func of(_ p: DecodedPacket) -> (key: FlowKey, sourceIsLow: Bool)? {
        guard p.network == .ipv4 || p.network == .ipv6, p.ipHeaderLength > 0, p.fragment.offset == 0 else { return nil }
        var srcPort: UInt16 = 0
        var dstPort: UInt16 = 0
        switch p.transport {
        case .tcp, .udp:
            // Only a whole transport header makes a flow (a first fragment may carry half of one).
            guard p.payloadOffset > 0 else { return nil }
            srcPort = p.srcPort
            dstPort = p.dstPort
        case .icmp, .icmpv6:
            let ports = CommunityID.icmpPorts(type: p.icmp.type, code: p.icmp.code, ipv6: p.transport == .icmpv6)
            (srcPort, dstPort) = (ports.0, ports.1)
        default:
            break
        }
        return make(src: p.src, dst: p.dst, srcPort: srcPort, dstPort: dstPort, proto: p.ipProtocol, vlan: p.vlanCount > 0 ? p.vlanIDs.0 : 0,
                    tunnel: p.encapsulation.context)
    }

    /// The key of the datagram an ICMP error quotes, and whether the quoted source (the
    /// datagram's sender) is the key's low endpoint; nil when the message quotes none.
    public static func ofQuoted(_ p: DecodedPacket) -> (key: FlowKey, sourceIsLow: Bool)? {
        guard p.icmp.hasQuotedFlow else { return nil }
        var srcPort = p.icmp.quotedSourcePort
        var dstPort = p.icmp.quotedDestinationPort
        let proto = p.icmp.quotedProtocol
        if proto == 1 || proto == 58 {
            let ports = CommunityID.icmpPorts(type: UInt8(truncatingIfNeeded: srcPort), code: UInt8(truncatingIfNeeded: dstPort), ipv6: proto == 58)
            (srcPort, dstPort) = (ports.0, ports.1)
        }
        return make(src: p.icmp.quotedSource, dst: p.icmp.quotedDestination, srcPort: srcPort, dstPort: dstPort, proto: proto, vlan: p.vlanCount > 0 ? p.vlanIDs.0 : 0,
                    tunnel: p.encapsulation.context)
    }

    /// The key of a packet from `src` to `dst`, and whether `src` is its low endpoint.
    @inlinable @inline(always)
    static func make(src: IPAddress, dst: IPAddress, srcPort: UInt16, dstPort: UInt16, proto: UInt8, vlan: UInt16, tunnel: UInt32) -> (key: FlowKey, sourceIsLow: Bool) {
        let sourceIsLow = src < dst || (src == dst && srcPort <= dstPort)
        if sourceIsLow {
            return (FlowKey(lowAddress: src, highAddress: dst, lowPort: srcPort, highPort: dstPort, proto: proto, vlan: vlan, tunnel: tunnel), true)
        }
        return (FlowKey(lowAddress: dst, highAddress: src, lowPort: dstPort, highPort: srcPort, proto: proto, vlan: vlan, tunnel: tunnel), false)
    }
}

extension FlowKey {
    /// Written out so the flow table's probe compares in place (the synthesised one is not
    /// inlined across modules).
    @inlinable @inline(always)
    public static func == (a: FlowKey, b: FlowKey) -> Bool {
        a.lowAddress.low == b.lowAddress.low && a.highAddress.low == b.highAddress.low && a.lowAddress.high == b.lowAddress.high
            && a.highAddress.high == b.highAddress.high && a.lowAddress.isIPv6 == b.lowAddress.isIPv6 && a.highAddress.isIPv6 == b.highAddress.isIPv6
            && a.lowPort == b.lowPort && a.highPort == b.highPort && a.proto == b.proto && a.vlan == b.vlan && a.tunnel == b.tunnel
    }

    @inlinable @inline(always)
    public func hash(into h: inout SeededHash) {
        IPAddress.hash(lowAddress, highAddress, into: &h)
        // The tunnel overlaps the ports' bits: equality tells keys apart, the hash only spreads them.
        h.add((UInt64(lowPort) << 48 | UInt64(highPort) << 32 | UInt64(proto) << 16 | UInt64(vlan)) ^ UInt64(tunnel) << 24)
    }
}
