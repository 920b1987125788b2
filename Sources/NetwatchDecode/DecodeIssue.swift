/// Why decoding stopped early: the layers before it are still valid.
///
/// Like tcpdump, a snap-length cut ("truncated") is kept apart from bytes that break
/// the protocol's rules ("invalid").
public struct DecodeIssue: Hashable, Sendable {
    public enum Kind: UInt8, Sendable, CaseIterable {
        case truncated, invalid, unsupported
        /// Encapsulations nested deeper than `Encapsulation.maxDepth`: decoded to that depth.
        case tooDeep
        public var name: String {
            switch self {
            case .truncated: return "truncated"
            case .invalid: return "invalid"
            case .unsupported: return "unsupported"
            case .tooDeep: return "nested too deep"
            }
        }
    }

    public var layer: Layer
    public var kind: Kind

    @inlinable public init(_ layer: Layer, _ kind: Kind) {
        self.layer = layer
        self.kind = kind
    }
}

/// The protocol layers netwatch decodes, in the field's usual names.
public enum Layer: UInt8, Sendable, CaseIterable {
    case link, vlan, arp, ipv4, ipv6, ipv6Extension, tcp, udp, icmp, icmpv6, dns
    // Link headers other than Ethernet's, shims and tunnels.
    case radiotap, ieee80211, nflog, ppp, mpls, pppoe, etag, vntag, gre, erspan, vxlan, geneve, gtp, teredo

    public var name: String {
        switch self {
        case .link: return "link"
        case .vlan: return "802.1Q"
        case .arp: return "ARP"
        case .ipv4: return "IPv4"
        case .ipv6: return "IPv6"
        case .ipv6Extension: return "IPv6 extension header"
        case .tcp: return "TCP"
        case .udp: return "UDP"
        case .icmp: return "ICMP"
        case .icmpv6: return "ICMPv6"
        case .dns: return "DNS"
        case .radiotap: return "radiotap"
        case .ieee80211: return "802.11"
        case .nflog: return "NFLOG"
        case .ppp: return "PPP"
        case .mpls: return "MPLS"
        case .pppoe: return "PPPoE"
        case .etag: return "E-tag"
        case .vntag: return "VN-tag"
        case .gre: return "GRE"
        case .erspan: return "ERSPAN"
        case .vxlan: return "VXLAN"
        case .geneve: return "Geneve"
        case .gtp: return "GTP-U"
        case .teredo: return "Teredo"
        }
    }
}
