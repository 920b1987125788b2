/// Everything a report shows, as numbers: what `--format json` writes (snake_case keys, conn
/// records' names inside `alert_flows`), and what the HTML and Markdown are rendered from.
/// Built from a history database (`HistoryReportBuilder`) or from a capture read through
/// the road (`CaptureReportCollector`); both fill the same fields the same way.
public struct Report: Codable, Sendable {
    /// Where the numbers come from: "capture FILE" or "history FILE".
    public var source: String
    /// The range, seconds since the epoch: [since, until).
    public var since: Double
    public var until: Double
    public var summary = Summary()
    public var traffic = Traffic()
    /// Packets by transport over the range.
    public var protocols: [Share] = []
    public var services: [Top] = []
    public var topHosts: [Host] = []
    public var topPorts: [Top] = []
    public var topConversations: [Top] = []
    public var outcomes = Outcomes()
    public var alerts: [AlertLine] = []
    /// Alerts in the range; `alerts` holds the first `alert_limit` of them.
    public var alertsTotal: UInt64 = 0
    public var alertFlows: [FlowLine] = []
    public var processes: [Top] = []
    public var countries: [Top] = []
    public var networks: [Top] = []
    public var newHosts: [NewHost] = []
    public var activity = Activity()
    /// Lists that are approximate, and why (a history database's bounded top tables).
    public var notes: [String] = []

    public init(source: String, since: Double, until: Double) {
        self.source = source
        self.since = since
        self.until = until
    }

    public struct Summary: Codable, Sendable {
        public var packets: UInt64 = 0
        public var bytes: UInt64 = 0
        public var flows: UInt64 = 0
        /// Alerts by severity: "1" high, "2" medium, "3" low.
        public var alertsBySeverity: [String: UInt64] = [:]
        public var dropped: UInt64 = 0
        public var malformed: UInt64? = nil
        public var interfaces: [String] = []
        /// Distinct addresses (exact up to 512, else a HyperLogLog estimate within about 2%).
        public var hosts: UInt64 = 0
        public var hostsExact = true
        public var runs: Int = 0
        /// The sensors whose runs fall in the range (a central database; empty for one sensor's file).
        public var sensors: [String] = []
    }

    /// The traffic series: a bucket every `resolution` seconds from `start`, dense.
    public struct Traffic: Codable, Sendable {
        public var start: Int64 = 0
        public var resolution: Int64 = 1
        public var packets: [UInt64] = []
        public var bytes: [UInt64] = []
        public var tcp: [UInt64] = []
        public var udp: [UInt64] = []
        public var icmp: [UInt64] = []
        public var other: [UInt64] = []
        public var dropped: [UInt64] = []
        /// Bytes by transport (on the wire).
        public var tcpBytes: [UInt64] = []
        public var udpBytes: [UInt64] = []
        public var icmpBytes: [UInt64] = []
        public var otherBytes: [UInt64] = []
    }

    public struct Share: Codable, Sendable, Equatable {
        public var name: String
        public var packets: UInt64
        public var bytes: UInt64
    }

    /// A line of a top list: key, packets, bytes (IP bytes of the flows that ended in the
    /// range, both directions) and flows.
    public struct Top: Codable, Sendable, Equatable {
        public var key: String
        public var packets: UInt64
        public var bytes: UInt64
        public var flows: UInt64
        public init(key: String, packets: UInt64, bytes: UInt64, flows: UInt64) {
            self.key = key
            self.packets = packets
            self.bytes = bytes
            self.flows = flows
        }
    }

    /// A top talker: its totals, what it sent and received, and what is known of it.
    public struct Host: Codable, Sendable {
        public var ip: String
        public var packets: UInt64
        public var bytes: UInt64
        public var flows: UInt64
        public var sentBytes: UInt64
        public var receivedBytes: UInt64
        /// The name the capture's DNS last gave it (passive DNS: what its DNS answers said).
        public var name: String?
        public var country: String?
        public var asn: UInt32?
        public var asOrg: String?
    }

    /// Connection outcomes: conn_state totals, and per bucket by outcome.
    public struct Outcomes: Codable, Sendable {
        public var connState: [String: UInt64] = [:]
        public var start: Int64 = 0
        public var resolution: Int64 = 60
        public var completed: [UInt64] = []
        public var rejected: [UInt64] = []
        public var unanswered: [UInt64] = []
        public var reset: [UInt64] = []
        public var other: [UInt64] = []
    }

    public struct AlertLine: Codable, Sendable {
        public var id: Int
        public var timestamp: Double
        public var eventType: String
        public var signature: String
        public var severity: Int
        public var srcIp: String?
        public var srcPort: UInt16?
        public var destIp: String?
        public var destPort: UInt16?
        public var reason: String
        /// The uids of the flows it concerns (in `alert_flows`).
        public var flows: [String] = []
    }

    /// A conn record as the report lists it (conn.log names).
    public struct FlowLine: Codable, Sendable {
        public var uid: String
        public var ts: Double
        public var duration: Double
        public var origH: String
        public var origP: UInt16
        public var respH: String
        public var respP: UInt16
        public var proto: String
        public var service: String?
        public var connState: String
        public var origIpBytes: UInt64
        public var respIpBytes: UInt64
        public var origPkts: UInt64
        public var respPkts: UInt64
        public var communityId: String
    }

    public struct NewHost: Codable, Sendable {
        public var ip: String
        /// The name the capture's DNS last gave it (passive DNS).
        public var name: String?
        public var firstSeen: Double
        public var bytes: UInt64
        public var flows: UInt64
    }

    /// Per remote address, bytes per bucket: the busiest remote hosts' activity strips.
    public struct Activity: Codable, Sendable {
        public var start: Int64 = 0
        public var resolution: Int64 = 60
        public var hosts: [Strip] = []
    }

    public struct Strip: Codable, Sendable {
        public var ip: String
        public var name: String?
        public var bytes: [UInt64]
    }
}
