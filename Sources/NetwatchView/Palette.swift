/// ANSI colours for the packet views; every code is empty when colour is off.
public struct Palette: Sendable {
    public let tcp: StaticString
    public let udp: StaticString
    public let icmp: StaticString
    public let arp: StaticString
    public let dns: StaticString
    public let flags: StaticString
    public let timestamp: StaticString
    public let dim: StaticString
    public let warning: StaticString
    public let reset: StaticString
    public let enabled: Bool

    public init(enabled: Bool) {
        self.enabled = enabled
        if enabled {
            tcp = "\u{1B}[32m"
            udp = "\u{1B}[34m"
            icmp = "\u{1B}[33m"
            arp = "\u{1B}[36m"
            dns = "\u{1B}[35m"
            flags = "\u{1B}[31m"
            timestamp = "\u{1B}[36m"
            dim = "\u{1B}[2m"
            warning = "\u{1B}[1;31m"
            reset = "\u{1B}[0m"
        } else {
            (tcp, udp, icmp, arp, dns, flags, timestamp, dim, warning, reset) = ("", "", "", "", "", "", "", "", "", "")
        }
    }

    /// Colour is on for a terminal, unless `--no-color` or the NO_COLOR convention (no-color.org) says no.
    public static func wanted(noColorFlag: Bool, isTerminal: Bool, environment: [String: String]) -> Bool {
        if noColorFlag { return false }
        if let value = environment["NO_COLOR"], !value.isEmpty { return false }
        if environment["TERM"] == "dumb" { return false }
        return isTerminal
    }
}
