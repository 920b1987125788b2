/// How long a flow may be idle, by state, in seconds of packet time. Defaults as Suricata's.
public struct FlowTimeouts: Sendable {
    public var tcpNew: Int64 = 60
    public var tcpEstablished: Int64 = 600
    /// After FIN or RST, as Zeek's tcp_close_delay: late segments still join the flow, and
    /// its record is out (in the history, to a reader) within seconds of the close.
    public var tcpClosed: Int64 = 5
    public var udpNew: Int64 = 30
    public var udpEstablished: Int64 = 300
    public var icmpNew: Int64 = 30
    public var icmpEstablished: Int64 = 300

    public init() {}

    var shortest: Int64 { min(tcpNew, tcpClosed, udpNew, icmpNew, tcpEstablished, udpEstablished, icmpEstablished) }
    /// The shortest but the closed one: closed flows are found through the closing queue,
    /// so the walk along the list stops where nothing else can be due yet.
    var shortestOpen: Int64 { min(tcpNew, udpNew, icmpNew, tcpEstablished, udpEstablished, icmpEstablished) }

    /// Read in place: the expiry walk asks this of every flow old enough to be near its
    /// timeout (under a SYN flood, hundreds of thousands a second), and a copy of each
    /// 192-byte record, with calls for its two properties, cost 2.6 % of the run.
    @inline(__always)
    func idleLimit(_ flow: UnsafePointer<Flow>) -> Int64 {
        switch flow.pointee.transport {
        case .tcp:
            if flow.pointee.isClosing { return tcpClosed }
            return flow.pointee.isEstablished ? tcpEstablished : tcpNew
        case .udp:
            return flow.pointee.isEstablished ? udpEstablished : udpNew
        default:
            return flow.pointee.isEstablished ? icmpEstablished : icmpNew
        }
    }
}
