/// Why decoding stopped early: the layers before it are still valid.
///
/// Like tcpdump, a snap-length cut ("truncated") is kept apart from bytes that break
/// the protocol's rules ("invalid").
public struct DecodeIssue: Hashable, Sendable {
    public enum Kind: UInt8, Sendable, CaseIterable {
        case truncated, invalid, unsupported
        public var name: String {
            switch self {
            case .truncated: return "truncated"
            case .invalid: return "invalid"
            case .unsupported: return "unsupported"
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
        }
    }
}
