import NetwatchFlow

/// Hears the road's events, on the packet thread, in order. A sink that does I/O on a disk or
/// the network puts them on a bounded queue of its own and returns at once.
public protocol EventSink: AnyObject {
    func receive(_ event: NetwatchEvent)
    /// Writes out what is buffered (called between packets and at the end).
    func flush()
    var hearsFlowOpens: Bool { get }
    var needsCommunityID: Bool { get }
    var hearsDNSAnswers: Bool { get }
    var activeTimeout: Double? { get }
    var hearsFlowRecords: Bool { get }
    func flowEnded(_ flow: Flow, _ reason: FlowEnd)
    func flowActive(_ flow: Flow)
    func flowsOpenAtEnd(_ flows: FlowTable)
}

extension EventSink {
    /// Whether it wants `flowOpened` (a record made at each new flow, which costs as much as
    /// the one at its end): a sink that only sums ended flows says no.
    public var hearsFlowOpens: Bool { true }
    /// Whether its flow records need the Community ID (a SHA-1 per record).
    public var needsCommunityID: Bool { true }
    /// Whether it wants `dnsAnswer` events (passive DNS, a name made per answer).
    public var hearsDNSAnswers: Bool { false }
    /// Seconds after which a flow still open is reported again (`flowActive`), as flow
    /// exporters do for long-lived flows; nil for never.
    public var activeTimeout: Double? { nil }
    /// Whether it hears ended (and active) flows as conn records (`flowEnded`,
    /// `flowActive` events, a record made once for all such sinks); a sink that only needs
    /// a flow's counters says no and is handed the flow table's record itself, in place,
    /// through `flowEnded(_:_:)` and `flowActive(_:)` (no strings made per flow).
    public var hearsFlowRecords: Bool { true }
    public func flowEnded(_ flow: Flow, _ reason: FlowEnd) {}
    public func flowActive(_ flow: Flow) {}
    /// Every flow still open when the run ends, to a sink that takes the table's own records
    /// (conn records, whose files keep their order, go oldest first instead): in the table's
    /// memory order, one call for the table, not a walk along the least-recently-seen list
    /// (a cache miss per flow) and a call through the protocol per flow.
    public func flowsOpenAtEnd(_ flows: FlowTable) {
        flows.forEachOpen { flowEnded($0.pointee, .shutdown) }
    }
}
