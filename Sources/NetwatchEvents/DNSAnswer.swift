import NetwatchDecode

/// Passive DNS: an address the capture's own DNS traffic gave for a name (the question of a
/// response and one of its A or AAAA answers). The name is as the wire had it, untrusted:
/// whoever shows it escapes it.
public struct DNSAnswer: Sendable, Equatable {
    public var name: String
    public var address: IPAddress
    /// Seconds since the epoch (packet time reading a file).
    public var time: Double

    public init(name: String, address: IPAddress, time: Double) {
        self.name = name
        self.address = address
        self.time = time
    }
}
