import NetwatchDecode

/// Thresholds, windows and scope of the packet-side detectors, and where alerts go. Every
/// field has a default; `DetectionConfigFile` reads a YAML file over them.
public struct DetectionConfig: Sendable, Equatable {
    /// One source probing many ports on one host: this many failed ports within `window` seconds.
    public struct PortScan: Sendable, Equatable {
        public var enabled = true
        public var ports = 20
        public var window = 60.0
    }

    /// One source probing one port on many hosts (TCP/UDP), or pinging many hosts (ICMP echo,
    /// ARP who-has): this many hosts within `window` seconds.
    public struct Sweep: Sendable, Equatable {
        public var enabled = true
        public var hosts = 20
        public var window = 60.0
    }

    /// SYNs to one host at `rate` per second or more over `window` seconds, while fewer than
    /// `completedRatio` of them complete a handshake.
    public struct SYNFlood: Sendable, Equatable {
        public var enabled = true
        public var rate = 200.0
        public var window = 3.0
        public var completedRatio = 0.1
    }

    public struct Suspicious: Sendable, Equatable {
        public var enabled = true
        public var watchedPorts: [UInt16] = [23, 135, 139, 445, 1433, 1521, 3306, 3389, 5432, 5900, 6379, 9200, 27017]
        /// SYN+FIN, SYN+RST, FIN+RST or no flags at all.
        public var invalidFlags = true
    }

    public struct Toggle: Sendable, Equatable {
        public var enabled = true
    }

    public var homeNetworks: [String] = ["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "100.64.0.0/10", "169.254.0.0/16", "fc00::/7", "fe80::/10"]
    public var blocklists: [String] = []
    public var log: String?
    public var jsonAlerts: String?
    /// The history database (`outputs: history:`), when --history does not name one.
    public var history: String?
    /// `outputs: history_retention:` (seconds) and `history_max_size:` (bytes).
    public var historyRetention: Double?
    public var historyMaxSize: Int64?
    /// `outputs: history_password_file:` (a central PostgreSQL's password, the file's first
    /// line) and `sensor:` (this sensor's name there and on /metrics), when the command line
    /// does not give them.
    public var historyPasswordFile: String?
    public var sensor: String?
    /// `outputs: ipfix:` (a collector, HOST:PORT or tcp://HOST:PORT), `ipfix_domain:` and
    /// `ipfix_active_timeout:` (seconds), when the command line does not give them.
    public var ipfix: String?
    public var ipfixDomain: UInt32 = 0
    public var ipfixActiveTimeout = 60.0
    /// How long an incident stays open after its last packet; one alert per incident.
    public var suppress = 300.0
    public var portScan = PortScan()
    public var addressSweep = Sweep()
    public var pingSweep = Sweep()
    public var synFlood = SYNFlood()
    public var blocklist = Toggle()
    public var suspicious = Suspicious()
    public var arpSpoofing = Toggle()
    /// Socket side (`netwatch sockets --watch`): connections one process may hold.
    public var connectionLimit = 20
    /// Trackers kept per detector before the least recently active are dropped.
    public var maxTracked = 65_536

    public init() {}

    /// A sensor name netwatch takes: 1 to 64 characters, without quotes, backslashes, tabs or
    /// line breaks (it goes into Prometheus labels and JSON as it is).
    public static func isSensorName(_ s: String) -> Bool {
        !s.isEmpty && s.count <= 64 && !s.contains { $0.isNewline || $0 == "\"" || $0 == "\\" || $0 == "\t" }
    }
}
