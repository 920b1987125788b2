import NetwatchDecode
import NetwatchHost

/// Turns successive scans of the host's socket table into timeline reports: a connection new
/// since the last scan opened, one gone (or in a closing state) closed.
public struct SocketTimelineFeed {
    struct Known {
        var halfOpen: Bool
        var closing: Bool
        var port: UInt16
    }

    private var known: [Socket.Tuple: Known] = [:]

    public init() {}

    public mutating func scan(_ sockets: [Socket], time: Double, into timeline: Timeline) {
        var listening: Set<UInt32> = []
        for s in sockets where s.state == .listen || (s.transport == .udp && !s.hasPeer) {
            listening.insert(UInt32(s.localPort) << 1 | (s.transport == .tcp ? 1 : 0))
        }
        var seen: [Socket.Tuple: Known] = [:]
        seen.reserveCapacity(known.count)
        for s in sockets where s.isConnection {
            let remote = s.remoteAddress.unmappedIPv4 ?? s.remoteAddress
            if remote.isUnspecified { continue }
            let tuple = s.tuple
            // The service's port: ours when the peer came to a port we listen on.
            let inbound = listening.contains(UInt32(s.localPort) << 1 | (s.transport == .tcp ? 1 : 0))
            let port = inbound ? s.localPort : s.remotePort
            let halfOpen = s.state == .synSent || s.state == .synReceived || s.state == .newSynReceived
            let closing = s.transport == .tcp && !halfOpen && s.state != .established
            if var k = known[tuple] {
                if k.halfOpen && !halfOpen && !closing {
                    timeline.established(remote, time: time)
                }
                if closing && !k.closing {
                    timeline.closed(remote, port: k.port, wasHalfOpen: k.halfOpen, time: time)
                } else if !closing {
                    timeline.activity(remote, time: time)
                }
                k.halfOpen = halfOpen
                k.closing = k.closing || closing
                seen[tuple] = k
            } else {
                timeline.opened(remote, port: port, state: s.state.name(for: s.transport), halfOpen: halfOpen, time: time)
                if closing { timeline.closed(remote, port: port, wasHalfOpen: false, time: time) }
                seen[tuple] = Known(halfOpen: halfOpen, closing: closing, port: port)
            }
        }
        for (tuple, k) in known where seen[tuple] == nil && !k.closing {
            timeline.closed(tuple.remote.unmappedIPv4 ?? tuple.remote, port: k.port, wasHalfOpen: k.halfOpen, time: time)
        }
        known = seen
        timeline.advance(to: time)
    }
}
