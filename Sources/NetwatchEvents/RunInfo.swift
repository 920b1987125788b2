/// One run of netwatch as its sinks record it: when, what it read, with which filter, where.
public struct RunInfo: Sendable, Equatable {
    /// Seconds since the epoch (wall time).
    public var started: Double
    public var ended: Double?
    /// The command (capture, connections, timeline, sockets).
    public var command: String
    /// Interfaces, comma-separated, live; nil reading a file.
    public var interfaces: String?
    /// The capture file read, if any.
    public var file: String?
    public var filter: String?
    public var host: String
    public var version: String
    /// Totals when the run ended.
    public var packets: UInt64 = 0
    public var bytes: UInt64 = 0
    public var dropped: UInt64 = 0
    public var flows: UInt64 = 0
    public var alerts: UInt64 = 0

    public init(started: Double, command: String, interfaces: String?, file: String?, filter: String?, host: String, version: String) {
        self.started = started
        self.command = command
        self.interfaces = interfaces
        self.file = file
        self.filter = filter
        self.host = host
        self.version = version
    }
}
