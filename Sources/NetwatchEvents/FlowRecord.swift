import NetwatchDecode
import NetwatchFlow

/// A connection as every sink hears of it: copied once out of the flow table when the flow
/// opens or ends, with its uid, Community ID, service and local process attached on the road.
/// Field names follow Zeek's conn.log (`FlowRecordFields` lists them).
public struct FlowRecord: Sendable, Equatable {
    public var uid: String
    public var communityID: String
    /// Nanoseconds since the epoch, packet time.
    public var start: Int64
    public var duration: Int64
    public var originatorAddress: IPAddress
    public var originatorPort: UInt16
    public var responderAddress: IPAddress
    public var responderPort: UInt16
    /// Zeek's `proto`: tcp, udp, icmp or unknown_transport.
    public var proto: String
    /// The IP protocol number (6, 17, 1, 58, ...).
    public var ipProtocol: UInt8
    /// The responder port's service name, lower case (the originator's if only it has one).
    public var service: String?
    public var vlan: UInt16?
    /// What the connection travels in (vxlan, gre, mpls...), when it is tunnelled.
    public var encapsulation: String?
    public var tunnelParents: [String] = []
    public var originatorBytes: UInt64 = 0
    public var responderBytes: UInt64 = 0
    public var originatorPackets: UInt64 = 0
    public var originatorIPBytes: UInt64 = 0
    public var responderPackets: UInt64 = 0
    public var responderIPBytes: UInt64 = 0
    /// Zeek's conn_state and history letters, as they stood.
    public var connState: String
    public var history: String
    /// TCP flags each side sent, OR-ed (FIN 0x01 ... CWR 0x80); 0 for other transports.
    public var originatorTCPFlags: UInt8 = 0
    public var responderTCPFlags: UInt8 = 0
    public var icmpErrors: UInt32 = 0
    /// The last ICMP error's type and code (type << 8 | code).
    public var lastICMPError: UInt16 = 0
    /// Why it ended (timeout, evicted, shutdown); nil while it is open.
    public var endReason: String?
    /// Whether the run knows local processes (live on this host): then pid and process are
    /// written, as null when no socket owned the flow.
    public var processesKnown = false
    public var pid: Int32?
    public var process: String?
    /// The capture interface, when the run reads several.
    public var interface: String?
    /// Each end's country (ISO 3166 alpha-2) and autonomous system, when a GeoIP database is
    /// loaded (the history writer looks them up, off the packet thread).
    public var originatorCountry: String?
    public var responderCountry: String?
    public var originatorASN: UInt32?
    public var responderASN: UInt32?
    /// The sensor that recorded it, read back from the central database (nil live).
    public var sensor: String?

    public init(uid: String, communityID: String, start: Int64, duration: Int64,
                originatorAddress: IPAddress, originatorPort: UInt16, responderAddress: IPAddress, responderPort: UInt16,
                proto: String, ipProtocol: UInt8, connState: String, history: String) {
        self.uid = uid
        self.communityID = communityID
        self.start = start
        self.duration = duration
        self.originatorAddress = originatorAddress
        self.originatorPort = originatorPort
        self.responderAddress = responderAddress
        self.responderPort = responderPort
        self.proto = proto
        self.ipProtocol = ipProtocol
        self.connState = connState
        self.history = history
    }

    /// The end time, nanoseconds since the epoch.
    public var end: Int64 { start + duration }
}

extension FlowRecord {
    /// Copies `flow` as it stands; `end` when it has ended.
    /// `communityID: false` leaves it empty (a SHA-1 per flow no sink of the run reads).
    public init(_ flow: Flow, end: FlowEnd?, uids: FlowUID, service: String?, communityID: Bool = true) {
        let o = flow.originator
        let r = flow.responder
        self.init(uid: uids.uid(id: flow.id), communityID: communityID ? flow.communityID : "", start: flow.first, duration: flow.duration,
                  originatorAddress: o.address, originatorPort: o.port, responderAddress: r.address, responderPort: r.port,
                  proto: FlowRecord.zeekProto(flow.transport), ipProtocol: flow.key.proto,
                  connState: flow.state.rawValue, history: flow.history.text)
        self.service = service
        vlan = flow.key.vlan != 0 ? flow.key.vlan : nil
        encapsulation = flow.encapsulation?.name
        if flow.tunnelParent != 0 { tunnelParents = [uids.uid(id: flow.tunnelParent)] }
        originatorBytes = flow.originatorBytes
        responderBytes = flow.responderBytes
        originatorPackets = flow.originatorPackets
        originatorIPBytes = flow.originatorIPBytes
        responderPackets = flow.responderPackets
        responderIPBytes = flow.responderIPBytes
        originatorTCPFlags = flow.originatorTCPFlags
        responderTCPFlags = flow.responderTCPFlags
        icmpErrors = flow.icmpErrors
        lastICMPError = flow.lastICMPError
        endReason = end?.rawValue
        if flow.pid >= 0 { pid = flow.pid }
    }

    /// Zeek's lower-case transport name for `proto`.
    public static func zeekProto(_ transport: TransportProtocol) -> String {
        switch transport {
        case .tcp: return "tcp"
        case .udp: return "udp"
        case .icmp, .icmpv6: return "icmp"
        default: return "unknown_transport"
        }
    }
}
