import NetwatchDecode
import NetwatchDetect

/// Which remote addresses the timeline hides: special-purpose ranges (`--filter-local`) and
/// the addresses and networks of list files (`--filter-file`).
public struct AddressFilter: Sendable {
    public var hideLocal = false
    public var lists = Blocklist()

    public init(hideLocal: Bool = false, lists: Blocklist = Blocklist()) {
        self.hideLocal = hideLocal
        self.lists = lists
    }

    /// Private, loopback, link-local, CGNAT, unique-local, multicast and other reserved ranges
    /// (IANA special-purpose registries for IPv4 and IPv6).
    public static let specialPurpose: [String] = [
        "0.0.0.0/8", "10.0.0.0/8", "100.64.0.0/10", "127.0.0.0/8", "169.254.0.0/16", "172.16.0.0/12",
        "192.0.0.0/24", "192.0.2.0/24", "192.88.99.0/24", "192.168.0.0/16", "198.18.0.0/15", "198.51.100.0/24",
        "203.0.113.0/24", "224.0.0.0/4", "240.0.0.0/4",
        "::/128", "::1/128", "::ffff:0:0/96", "64:ff9b:1::/48", "100::/64", "2001:db8::/32",
        "3fff::/20", "5f00::/16", "fc00::/7", "fe80::/10", "fec0::/10", "ff00::/8",
    ]

    static let special = NetworkSet(specialPurpose)!

    public func hides(_ address: IPAddress) -> Bool {
        (hideLocal && Self.special.contains(address)) || (!lists.isEmpty && lists.contains(address))
    }
}
