/// Everything netwatch reads from one packet, as plain values plus offsets into the captured bytes.
///
/// It holds no pointer and no heap storage, so the decoder fills one in place per packet
/// without allocating; views that need the bytes again (DNS names, payload) take them with it.
public struct DecodedPacket: Sendable {
    // Link layer
    public var linkType: LinkType = .ethernet
    public var srcMAC: MACAddress = .zero
    public var dstMAC: MACAddress = .zero
    public var hasMAC = false
    /// 802.1Q / 802.1ad tags, outermost first; more than two are counted but not kept.
    public var vlanCount: UInt8 = 0
    public var vlanIDs: (UInt16, UInt16) = (0, 0)
    /// EtherType of the network layer (0 when the link has none, e.g. 802.3 LLC frames).
    public var etherType: UInt16 = 0

    /// Tunnels and shims passed on the way to the packet below (empty for most packets): the
    /// network and transport fields are the innermost packet's.
    public var encapsulation = Encapsulation()
    /// 802.11 frame control (type, subtype, flags) on 802.11 links.
    public var wlanFrameControl: UInt16 = 0
    /// A PPP control protocol (LCP 0xC021, IPCP 0x8021, ...) when that is what PPP carried.
    public var pppProtocol: UInt16 = 0

    // Network layer
    public var network: NetworkProtocol = .none
    public var src: IPAddress = .none
    public var dst: IPAddress = .none
    /// IPv4 TTL or IPv6 hop limit.
    public var ttl: UInt8 = 0
    public var ipID: UInt32 = 0
    public var tos: UInt8 = 0
    /// Length the IP header claims for the whole datagram (IPv6: 40 + payload length).
    public var ipLength: Int = 0
    public var ipHeaderLength: Int = 0
    public var ipOffset: Int = 0
    public var ipv4DontFragment = false
    public var fragment = FragmentInfo()
    /// IPv4 options or IPv6 extension headers seen, as a bit set of `IPExtension`.
    public var ipExtensions: UInt16 = 0
    /// Final protocol number after IPv6 extension headers (IPv4: the protocol field).
    public var ipProtocol: UInt8 = 0

    // Transport layer
    public var transport: TransportProtocol = .none
    public var srcPort: UInt16 = 0
    public var dstPort: UInt16 = 0
    public var tcp = TCPInfo()
    public var icmp = ICMPInfo()
    public var arp = ARPInfo()

    /// Application payload: bytes after the transport header, bounded by the IP length
    /// (so Ethernet padding is not counted) and by what was captured.
    public var payloadOffset: Int = 0
    public var payloadLength: Int = 0
    /// Payload bytes the IP header says exist but the capture cut off.
    public var payloadMissing: Int = 0

    public var application: ApplicationProtocol = .none
    public var dns = DNSInfo()

    /// Set when decoding stopped early; the layers before it are valid.
    public var issue: DecodeIssue? = nil

    /// Filled by the common-packet decode alone (`decodeCommon`): every field it does not
    /// write still holds its initial value, so the next such packet need not clear the record.
    @usableFromInline var commonOnly = false

    @inlinable public init() {}

    @inlinable public var isMalformed: Bool { issue != nil }

    /// Records why decoding fell short; the first reason found is the one kept.
    @inlinable public mutating func flag(_ layer: Layer, _ kind: DecodeIssue.Kind) {
        if issue == nil { issue = DecodeIssue(layer, kind) }
    }
    @inlinable public var hasPorts: Bool {
        // Always: the inliner otherwise prices in a copy of the whole packet and declines.
        @inline(always) get { transport == .tcp || transport == .udp }
    }
}

public enum NetworkProtocol: UInt8, Sendable {
    case none, arp, ipv4, ipv6, other
}

public enum TransportProtocol: UInt8, Sendable {
    case none, tcp, udp, icmp, icmpv6, other
}

public enum ApplicationProtocol: UInt8, Sendable {
    case none, dns
}

/// IPv4 options and IPv6 extension headers, for display.
public enum IPExtension: UInt16, Sendable, CaseIterable {
    case ipv4Options = 1
    case hopByHop = 2
    case routing = 4
    case fragment = 8
    case destinationOptions = 16
    case authentication = 32
    case mobility = 64

    public var name: String {
        switch self {
        case .ipv4Options: return "options"
        case .hopByHop: return "hop-by-hop"
        case .routing: return "routing"
        case .fragment: return "fragment"
        case .destinationOptions: return "dest-opts"
        case .authentication: return "AH"
        case .mobility: return "mobility"
        }
    }
}

public struct FragmentInfo: Sendable {
    public var isFragment = false
    /// Offset of this fragment's data in bytes.
    public var offset: Int = 0
    public var moreFragments = false
    @inlinable public init() {}
}

public struct TCPInfo: Sendable {
    public var seq: UInt32 = 0
    public var ack: UInt32 = 0
    public var flags = TCPFlags()
    public var window: UInt16 = 0
    public var headerLength: Int = 0
    public var urgentPointer: UInt16 = 0
    /// Options: -1 where absent.
    public var mss: Int32 = -1
    public var windowScale: Int16 = -1
    public var sackPermitted = false
    public var sackBlocks: UInt8 = 0
    public var hasTimestamp = false
    public var tsval: UInt32 = 0
    public var tsecr: UInt32 = 0
    @inlinable public init() {}
}

public struct ICMPInfo: Sendable {
    public var type: UInt8 = 0
    public var code: UInt8 = 0
    /// Echo identifier and sequence, where the message has them.
    public var identifier: UInt16 = 0
    public var sequence: UInt16 = 0
    public var hasEcho = false
    /// Offset of the quoted IP header in an error message (destination unreachable,
    /// time exceeded, ...), 0 when none.
    public var quotedOffset: Int = 0
    /// The flow an error message is about, read from the quoted IP header and the first
    /// four bytes after it (ports for TCP, UDP and SCTP; type and code for ICMP);
    /// `hasQuotedFlow` false when unreadable.
    public var hasQuotedFlow = false
    public var quotedSource = IPAddress.none
    public var quotedDestination = IPAddress.none
    public var quotedProtocol: UInt8 = 0
    public var quotedSourcePort: UInt16 = 0
    public var quotedDestinationPort: UInt16 = 0
    /// Neighbor discovery target address (ICMPv6 NS/NA/redirect).
    public var target: IPAddress? = nil
    @inlinable public init() {}
}

public struct ARPInfo: Sendable {
    public var operation: UInt16 = 0
    public var senderMAC: MACAddress = .zero
    public var targetMAC: MACAddress = .zero
    public var senderIP: IPAddress = .none
    public var targetIP: IPAddress = .none
    /// False when the hardware or protocol type is not Ethernet/IPv4: no MAC addresses read.
    public var isEthernetIPv4 = false
    /// The IPv4 addresses were read (protocol IPv4, 4-byte addresses), whatever the hardware
    /// type (tshark reads them for Cisco HDLC, unknown types, odd hardware lengths too).
    public var hasIPv4 = false
    @inlinable public init() {}
}

/// A DNS message header and where the message sits in the packet.
public struct DNSInfo: Sendable {
    public var offset: Int = 0
    public var length: Int = 0
    public var id: UInt16 = 0
    public var flags: UInt16 = 0
    public var questionCount: UInt16 = 0
    public var answerCount: UInt16 = 0
    public var authorityCount: UInt16 = 0
    public var additionalCount: UInt16 = 0
    /// DNS over TCP carries a two-byte length before the message.
    public var overTCP = false
    /// A TCP segment with payload on a DNS port: what `DNSOverTCP` frames (set by the layered
    /// decode; the common-packet road never carries DNS ports).
    public var tcpSegment = false
    /// A TCP segment inside a DNS message that began earlier (`DNSOverTCP`): no header here.
    public var continuation = false
    /// The message shown was put together from several segments: `offset` is into the
    /// reassembled bytes (`DNSOverTCP.message`), not into the packet.
    public var reassembled = false
    @inlinable public init() {}

    @inlinable public var isResponse: Bool { flags & 0x8000 != 0 }
    @inlinable public var opcode: UInt8 { UInt8((flags >> 11) & 0xF) }
    @inlinable public var responseCode: UInt8 { UInt8(flags & 0xF) }
}

extension DecodedPacket {
    /// A packet of a link type netwatch does not decode: not malformed, just not read.
    @inlinable public var isUndecodedLink: Bool { issue?.kind == .unsupported && issue?.layer == .link }
}
