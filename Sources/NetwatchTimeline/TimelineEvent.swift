import NetwatchDecode

/// A connection opening or closing, for the scrolling event log.
public struct TimelineEvent: Sendable {
    public enum Kind: Sendable {
        case new
        case closed
    }

    public var time: Double
    public var kind: Kind
    public var address: IPAddress
    public var port: UInt16
    /// The connection's state in the source's words (ESTABLISHED, SYN_SENT, UDP, ...).
    public var state: String
}
