import NetwatchDecode

/// One finding, for the terminal, the human log and JSON lines alike. Socket checks and the
/// packet-side detectors fill the same fields, so downstream tools read one format.
public struct Alert: Sendable, Equatable {
    /// What happened, in plain words: the signature.
    public enum Signature: String, Sendable {
        case blocklistedPeer = "block-listed peer"
        case excessiveConnections = "excessive connections"
    }

    /// Raised, or the condition behind an earlier alert has ended.
    public enum Event: String, Sendable {
        case alert
        case cleared = "alert_cleared"
    }

    public var event: Event = .alert
    /// Wall-clock or packet time, seconds since the epoch.
    public var time: Double
    public var signature: Signature
    public var category: String
    /// 1 high, 2 medium, 3 low (Suricata's scale).
    public var severity: Int
    public var reason: String
    public var pid: Int32?
    public var process: String?
    public var transport: String?
    public var localAddress: IPAddress?
    public var localPort: UInt16?
    public var remoteAddress: IPAddress?
    public var remotePort: UInt16?
    public var connections: Int?

    public init(time: Double, signature: Signature, category: String, severity: Int, reason: String) {
        self.time = time
        self.signature = signature
        self.category = category
        self.severity = severity
        self.reason = reason
    }
}
