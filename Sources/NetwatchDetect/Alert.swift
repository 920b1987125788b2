import NetwatchDecode

/// One finding, for the terminal, the human log and JSON lines alike. Socket checks and the
/// packet-side detectors fill the same fields, so downstream tools read one format.
public struct Alert: Sendable, Equatable {
    /// What happened, in plain words ("TCP SYN port scan", "address sweep on 80/tcp").
    public struct Signature: RawRepresentable, Hashable, Sendable {
        public var rawValue: String
        public init(rawValue: String) { self.rawValue = rawValue }

        public static let blocklistedPeer = Signature(rawValue: "block-listed peer")
        public static let excessiveConnections = Signature(rawValue: "excessive connections")
        public static let pingSweep = Signature(rawValue: "ping sweep")
        public static let arpSweep = Signature(rawValue: "ARP ping sweep")
        public static let synFlood = Signature(rawValue: "SYN flood")
        public static let arpSpoofing = Signature(rawValue: "ARP spoofing")
        public static let invalidFlags = Signature(rawValue: "invalid TCP flags")

        public static func portScan(_ kind: ProbeKind) -> Signature { Signature(rawValue: "\(kind.scanName) port scan") }
        public static func addressSweep(port: UInt16, proto: String) -> Signature { Signature(rawValue: "address sweep on \(port)/\(proto)") }
        public static func suspiciousAttempt(port: UInt16, proto: String) -> Signature { Signature(rawValue: "inbound attempt to watched port \(port)/\(proto)") }
    }

    /// Raised; the condition behind an earlier alert has ended; or the summary of an incident
    /// that was suppressed after its first alert.
    public enum Event: String, Sendable {
        case alert
        case cleared = "alert_cleared"
        case summary = "alert_summary"
    }

    /// A detector-specific field for JSON (`"ports": 997`, `"sample_ports": [21, 22]`).
    public struct Detail: Sendable, Equatable {
        public enum Value: Sendable, Equatable {
            case int(Int)
            case number(Double)
            case text(String)
            case ints([Int])
            case texts([String])
            case time(Double)
        }
        public var key: String
        public var value: Value
        public init(_ key: String, _ value: Value) {
            self.key = key
            self.value = value
        }
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
    // Socket alerts: this host's end and the peer.
    public var localAddress: IPAddress?
    public var localPort: UInt16?
    public var remoteAddress: IPAddress?
    public var remotePort: UInt16?
    public var connections: Int?
    /// The sensor that raised it, read back from the central database (nil live).
    public var sensor: String?
    // Packet alerts (Suricata EVE): who did it to whom.
    public var sourceAddress: IPAddress?
    public var sourcePort: UInt16?
    public var destinationAddress: IPAddress?
    public var destinationPort: UInt16?
    public var communityID: String?
    public var details: [Detail] = []

    public init(time: Double, signature: Signature, category: String, severity: Int, reason: String) {
        self.time = time
        self.signature = signature
        self.category = category
        self.severity = severity
        self.reason = reason
    }
}
