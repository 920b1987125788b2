/// How long a flow may be idle, by state, in seconds of packet time. Defaults as Suricata's.
public struct FlowTimeouts: Sendable {
    public var tcpNew: Int64 = 60
    public var tcpEstablished: Int64 = 600
    public var tcpClosed: Int64 = 60
    public var udpNew: Int64 = 30
    public var udpEstablished: Int64 = 300
    public var icmpNew: Int64 = 30
    public var icmpEstablished: Int64 = 300

    public init() {}

    var shortest: Int64 { min(tcpNew, tcpClosed, udpNew, icmpNew, tcpEstablished, udpEstablished, icmpEstablished) }

    func idleLimit(_ flow: Flow) -> Int64 {
        switch flow.transport {
        case .tcp:
            if flow.isClosing { return tcpClosed }
            return flow.isEstablished ? tcpEstablished : tcpNew
        case .udp:
            return flow.isEstablished ? udpEstablished : udpNew
        default:
            return flow.isEstablished ? icmpEstablished : icmpNew
        }
    }
}
