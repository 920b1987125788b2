import NetwatchDetect
import NetwatchHost

/// What the road tells its sinks. Per event allocation is fine; nothing here is per packet.
public enum NetwatchEvent: Sendable {
    case runStarted(RunInfo)
    case flowOpened(FlowRecord)
    case flowEnded(FlowRecord)
    /// A flow still open, as it stands: a long-lived flow, each time it has lasted another
    /// active timeout (sent only to sinks that ask, `EventSink.activeTimeout`).
    case flowActive(FlowRecord)
    case alert(Alert)
    case tick(TrafficTick)
    /// A connection in the host's socket table appeared (or went) between two scans; `time`
    /// in seconds since the epoch.
    case socketOpened(Socket, time: Double)
    case socketClosed(Socket, time: Double)
    /// A DNS response on the wire named an address (passive DNS; at most 16 per response, an
    /// address at most once a second).
    case dnsAnswer(DNSAnswer)
    case runEnded(RunInfo)
}
