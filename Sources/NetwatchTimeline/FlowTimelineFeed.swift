import NetwatchDecode
import NetwatchFlow

/// Turns flow-table updates into timeline reports: a flow's first packet opens a connection,
/// FIN or RST (or the end of a flow without them) closes it. The remote side is the one that
/// is not a local address; with none known (a capture file), the responder.
public final class FlowTimelineFeed {
    struct Entry {
        var remote: IPAddress
        var port: UInt16
        var halfOpen: Bool
        var closing: Bool
    }

    private var open: [UInt64: Entry] = [:]
    private let local: Set<IPAddress>
    public let timeline: Timeline

    public init(timeline: Timeline, localAddresses: Set<IPAddress>) {
        self.timeline = timeline
        local = localAddresses
    }

    public func packet(_ flow: Flow, isNew: Bool, time: Int64) {
        let t = Double(time) / 1e9
        if isNew || open[flow.id] == nil {
            let r = flow.responder
            let o = flow.originator
            let remote = !local.isEmpty && local.contains(r.address) && !local.contains(o.address) ? o.address : r.address
            let tcp = flow.transport == .tcp
            // Half-open only from a SYN not answered yet: a flow first seen midstream was
            // established before the capture began.
            func handshaking(_ s: TCPEndpointState) -> Bool { s == .synSent || s == .synAckSent }
            let halfOpen = tcp && (handshaking(flow.originatorState) || handshaking(flow.responderState))
                && !(flow.originatorState == .established && flow.responderState == .established)
            let state: String
            switch flow.transport {
            case .tcp: state = halfOpen ? (flow.originatorState == .synSent && flow.responderState == .inactive ? "SYN_SENT" : "SYN_RECV") : "ESTABLISHED"
            case .udp: state = "UDP"
            case .icmp, .icmpv6: state = "ICMP"
            default: state = "IP"
            }
            open[flow.id] = Entry(remote: remote, port: r.port, halfOpen: halfOpen, closing: false)
            timeline.opened(remote, port: flow.transport == .tcp || flow.transport == .udp ? r.port : 0, state: state, halfOpen: halfOpen, lasting: tcp, time: t)
            return
        }
        guard var e = open[flow.id], !e.closing else {
            if let e = open[flow.id] { timeline.activity(e.remote, time: t) }
            return
        }
        if flow.transport == .tcp {
            let closing = flow.originatorState == .closed || flow.originatorState == .reset || flow.responderState == .closed || flow.responderState == .reset
            if e.halfOpen && flow.originatorState == .established && flow.responderState == .established {
                e.halfOpen = false
                timeline.established(e.remote, time: t)
            }
            if closing {
                e.closing = true
                timeline.closed(e.remote, port: e.port, wasHalfOpen: e.halfOpen, time: t)
            } else {
                timeline.activity(e.remote, time: t)
            }
            open[flow.id] = e
        } else {
            timeline.activity(e.remote, time: t)
        }
    }

    public func ended(_ flow: Flow, time: Int64) {
        guard let e = open.removeValue(forKey: flow.id) else { return }
        if !e.closing && flow.transport == .tcp { timeline.closed(e.remote, port: e.port, wasHalfOpen: e.halfOpen, time: max(Double(time), Double(flow.last)) / 1e9) }
    }

    /// The clock moves on by packet time.
    public func advance(to time: Int64) { timeline.advance(to: Double(time) / 1e9) }
}
