import NetwatchDecode

/// One bidirectional flow: who started it, what each side sent, and where TCP stands.
/// Times are packet times in nanoseconds since the epoch.
public struct Flow: Sendable {
    // Laid out for three cache lines (the table's records are line-aligned, 192 bytes apart):
    // the first holds what a lookup compares and what eviction unlinks; the second what
    // every packet updates and statistics read when the flow ends; the third the rest.
    public var key: FlowKey
    /// True when the originator (the first sender; the SYN sender for TCP) is the key's low endpoint.
    public var originatorIsLow: Bool
    public var transport: TransportProtocol
    /// A tunnel's own flow (the VXLAN UDP flow, the GRE flow): its packets are counted again
    /// in the flows inside it, so per-host statistics leave it out.
    public var isTunnel = false
    // Table bookkeeping: hash, and neighbours in least-recently-seen order.
    @usableFromInline var hash: UInt32 = 0
    @usableFromInline var newer: Int32 = -1
    @usableFromInline var older: Int32 = -1
    /// The process owning the local socket (when capturing on this host), or -1.
    public var pid: Int32 = -1
    public var originatorPackets: UInt64 = 0
    public var responderPackets: UInt64 = 0
    /// Frame bytes on the wire, per direction (what Wireshark's conversation tables count).
    public var originatorWireBytes: UInt64 = 0
    public var responderWireBytes: UInt64 = 0
    public var first: Int64
    public var last: Int64
    /// A number unique within the run, for Zeek-style `uid`s.
    public var id: UInt64
    /// IP-level bytes (headers included), per direction.
    public var originatorIPBytes: UInt64 = 0
    public var responderIPBytes: UInt64 = 0
    /// Application payload bytes, per direction.
    public var originatorBytes: UInt64 = 0
    public var responderBytes: UInt64 = 0
    public var originatorState: TCPEndpointState = .inactive
    public var responderState: TCPEndpointState = .inactive
    /// The last ICMP error that quoted this flow: type << 8 | code.
    public var lastICMPError: UInt16 = 0
    /// ICMP errors that quoted this flow (port unreachable, time exceeded, ...).
    public var icmpErrors: UInt32 = 0
    public var history = ConnectionHistory()
    /// The innermost encapsulation the flow travels in (`EncapsulationKind` raw value), 0 for none.
    public var encapsulationRaw: UInt8 = 0
    /// The capture interface of its first packet, plus one (0: not kept; the run reads one).
    public var interfaceRaw: UInt8 = 0
    /// The TCP flags each side has sent, OR-ed (FIN 0x01 ... CWR 0x80): IPFIX's tcpControlBits.
    /// (They fill what was padding: the record stays 192 bytes, three whole lines.)
    public var originatorTCPFlags: UInt8 = 0
    public var responderTCPFlags: UInt8 = 0
    /// The id of the tunnel's flow this flow travels in (Zeek's `tunnel_parents`), 0 for none.
    public var tunnelParent: UInt64 = 0

    @inlinable
    init(key: FlowKey, originatorIsLow: Bool, id: UInt64, transport: TransportProtocol, first: Int64, last: Int64, hash: UInt32) {
        self.key = key
        self.originatorIsLow = originatorIsLow
        self.id = id
        self.transport = transport
        self.first = first
        self.last = last
        self.hash = hash
    }

    public var originator: (address: IPAddress, port: UInt16) {
        originatorIsLow ? (key.lowAddress, key.lowPort) : (key.highAddress, key.highPort)
    }

    public var responder: (address: IPAddress, port: UInt16) {
        originatorIsLow ? (key.highAddress, key.highPort) : (key.lowAddress, key.lowPort)
    }

    public var duration: Int64 { last - first }

    public var encapsulation: EncapsulationKind? { EncapsulationKind(rawValue: encapsulationRaw) }

    public var state: ConnectionState {
        switch transport {
        case .tcp:
            return .tcp(originator: originatorState, responder: responderState, history: history,
                        bytes: originatorBytes + responderBytes)
        case .icmp, .icmpv6:
            // Zeek keeps no state for ICMP "connections": OTH, whoever answered.
            return .oth
        default:
            return .datagram(originatorActive: originatorPackets > 0, responderActive: responderPackets > 0)
        }
    }

    /// Closed or reset on either side: the short "closed" timeout applies.
    @inlinable @inline(__always) var isClosing: Bool {
        originatorState == .closed || originatorState == .reset || responderState == .closed || responderState == .reset
    }

    @inline(__always) var isEstablished: Bool {
        transport == .tcp ? (originatorState == .established && responderState == .established) : responderPackets > 0 && originatorPackets > 0
    }

    public var communityID: String {
        CommunityID.flow(originator.address, originator.port, responder.address, responder.port, ipProtocol: key.proto)
    }
}
