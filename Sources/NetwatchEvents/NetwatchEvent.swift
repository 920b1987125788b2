import NetwatchDetect

/// What the road tells its sinks. Per event allocation is fine; nothing here is per packet.
public enum NetwatchEvent: Sendable {
    case runStarted(RunInfo)
    case flowOpened(FlowRecord)
    case flowEnded(FlowRecord)
    case alert(Alert)
    case tick(TrafficTick)
    case runEnded(RunInfo)
}
