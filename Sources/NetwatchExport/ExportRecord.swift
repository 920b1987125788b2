import NetwatchDecode
import NetwatchFlow

/// What one IPFIX data record carries, made from the flow table's record on the packet
/// thread: plain values only (no strings), so the exporter's queue costs a copy of 96 bytes
/// per flow, not a conn record's retains and releases.
public struct ExportRecord: Sendable {
    public var source: IPAddress
    public var destination: IPAddress
    public var sourcePort: UInt16
    public var destinationPort: UInt16
    public var ipProtocol: UInt8
    public var endReason: UInt8
    public var vlan: UInt16
    public var originatorPackets: UInt64
    public var originatorIPBytes: UInt64
    public var responderPackets: UInt64
    public var responderIPBytes: UInt64
    /// Milliseconds since the epoch.
    public var startMilliseconds: UInt64
    public var endMilliseconds: UInt64
    public var interface: UInt32
    public var icmpTypeCode: UInt16
    public var originatorTCPFlags: UInt8
    public var responderTCPFlags: UInt8

    public var isIPv6: Bool { source.isIPv6 || destination.isIPv6 }

    /// `first` and `last`: packet times, nanoseconds since the epoch. For ICMP the ports are
    /// Zeek's convention (the originator's "port" is the type, the responder's the code) and
    /// become icmpTypeCode.
    @inline(__always)
    public init(source: IPAddress, destination: IPAddress, sourcePort: UInt16, destinationPort: UInt16, ipProtocol: UInt8, endReason: UInt8,
                vlan: UInt16, originatorPackets: UInt64, originatorIPBytes: UInt64, responderPackets: UInt64, responderIPBytes: UInt64,
                first: Int64, last: Int64, interface: UInt32, originatorTCPFlags: UInt8, responderTCPFlags: UInt8) {
        self.source = source
        self.destination = destination
        let icmp = ipProtocol == 1 || ipProtocol == 58
        self.sourcePort = icmp ? 0 : sourcePort
        self.destinationPort = icmp ? 0 : destinationPort
        self.ipProtocol = ipProtocol
        self.endReason = endReason
        self.vlan = vlan
        self.originatorPackets = originatorPackets
        self.originatorIPBytes = originatorIPBytes
        self.responderPackets = responderPackets
        self.responderIPBytes = responderIPBytes
        startMilliseconds = UInt64(max(0, first / 1_000_000))
        endMilliseconds = UInt64(max(0, last / 1_000_000))
        self.interface = interface
        icmpTypeCode = icmp ? (sourcePort & 0xFF) << 8 | (destinationPort & 0xFF) : 0
        self.originatorTCPFlags = originatorTCPFlags
        self.responderTCPFlags = responderTCPFlags
    }

    /// From the flow table's record itself (the exporter's path: no conn record made).
    /// `reason` nil: still open (an active timeout).
    @inline(__always)
    public init(_ flow: Flow, reason: FlowEnd?, interface: UInt32) {
        let o = flow.originator, r = flow.responder
        self.init(source: o.address, destination: r.address, sourcePort: o.port, destinationPort: r.port, ipProtocol: flow.key.proto,
                  endReason: Self.endReason(flow, reason), vlan: flow.key.vlan,
                  originatorPackets: flow.originatorPackets, originatorIPBytes: flow.originatorIPBytes,
                  responderPackets: flow.responderPackets, responderIPBytes: flow.responderIPBytes, first: flow.first, last: flow.last,
                  interface: interface, originatorTCPFlags: flow.originatorTCPFlags, responderTCPFlags: flow.responderTCPFlags)
    }

    /// flowEndReason (IANA): idle timeout 1, active timeout 2 (`reason` nil: still open), end
    /// of flow 3 (closed, reset, refused, or a new connection on its 5-tuple), forced end 4
    /// (the run's end), lack of resources 5.
    @inline(__always)
    static func endReason(_ flow: Flow, _ reason: FlowEnd?) -> UInt8 {
        switch reason {
        case nil: return 2
        case .evicted: return 5
        case .shutdown: return 4
        case .reused: return 3
        case .timeout:
            switch flow.state {
            case .sf, .rsto, .rstr, .rej, .rstos0, .rstrh: return 3
            default: return 1
            }
        }
    }
}
