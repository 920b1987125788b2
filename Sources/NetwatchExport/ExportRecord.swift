import NetwatchDecode
import NetwatchEvents
import NetwatchFlow

/// What one IPFIX data record carries, made from a conn record on the packet thread: plain
/// values only (no strings), so the exporter's queue costs a copy of 96 bytes per flow, not
/// a conn record's retains and releases.
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

    /// `active`: a flow still open, exported at an active timeout.
    public init(_ r: FlowRecord, interface: UInt32 = 0, active: Bool = false) {
        source = r.originatorAddress
        destination = r.responderAddress
        let icmp = r.ipProtocol == 1 || r.ipProtocol == 58
        sourcePort = icmp ? 0 : r.originatorPort
        destinationPort = icmp ? 0 : r.responderPort
        ipProtocol = r.ipProtocol
        endReason = Self.endReason(r, active: active)
        vlan = r.vlan ?? 0
        originatorPackets = r.originatorPackets
        originatorIPBytes = r.originatorIPBytes
        responderPackets = r.responderPackets
        responderIPBytes = r.responderIPBytes
        startMilliseconds = UInt64(max(0, r.start / 1_000_000))
        endMilliseconds = UInt64(max(0, r.end / 1_000_000))
        self.interface = interface
        // Zeek's convention for ICMP: the originator's "port" is the type, the responder's the code.
        icmpTypeCode = icmp ? (r.originatorPort & 0xFF) << 8 | (r.responderPort & 0xFF) : 0
        originatorTCPFlags = r.originatorTCPFlags
        responderTCPFlags = r.responderTCPFlags
    }

    /// From the flow table's record itself (the exporter's path: no conn record made).
    /// `reason` nil: still open (an active timeout).
    @inline(__always)
    public init(_ flow: Flow, reason: FlowEnd?, interface: UInt32) {
        let o = flow.originator, r = flow.responder
        source = o.address
        destination = r.address
        ipProtocol = flow.key.proto
        let icmp = ipProtocol == 1 || ipProtocol == 58
        sourcePort = icmp ? 0 : o.port
        destinationPort = icmp ? 0 : r.port
        switch reason {
        case nil: endReason = 2
        case .evicted: endReason = 5
        case .shutdown: endReason = 4
        case .timeout:
            switch flow.state {
            case .sf, .rsto, .rstr, .rej, .rstos0, .rstrh: endReason = 3
            default: endReason = 1
            }
        }
        vlan = flow.key.vlan
        originatorPackets = flow.originatorPackets
        originatorIPBytes = flow.originatorIPBytes
        responderPackets = flow.responderPackets
        responderIPBytes = flow.responderIPBytes
        startMilliseconds = UInt64(max(0, flow.first / 1_000_000))
        endMilliseconds = UInt64(max(0, flow.last / 1_000_000))
        self.interface = interface
        icmpTypeCode = icmp ? (o.port & 0xFF) << 8 | (r.port & 0xFF) : 0
        originatorTCPFlags = flow.originatorTCPFlags
        responderTCPFlags = flow.responderTCPFlags
    }

    /// flowEndReason (IANA): idle timeout 1, active timeout 2, end of flow 3, forced end 4, lack of resources 5.
    static func endReason(_ r: FlowRecord, active: Bool) -> UInt8 {
        if active { return 2 }
        switch r.endReason {
        case "evicted": return 5
        case "shutdown": return 4
        default:
            switch r.connState {
            case "SF", "RSTO", "RSTR", "REJ", "RSTOS0", "RSTRH": return 3
            default: return 1
            }
        }
    }
}
