import NetwatchDecode

/// A set of IP networks (home networks, private ranges) with fast membership tests: the block
/// list's range tables without entries to name.
public struct NetworkSet: Sendable {
    private let ranges: AddressRanges
    public let isEmpty: Bool

    /// Nil when a network does not parse (the config reader names it first).
    public init?(_ networks: [String]) {
        var v4Blocks: [(start: UInt32, end: UInt32, entry: Int32)] = []
        var v6Blocks: [(start: UInt128, end: UInt128, entry: Int32)] = []
        for n in networks {
            switch Self.parse(n) {
            case .v4(let s, let e): v4Blocks.append((s, e, 0))
            case .v6(let s, let e): v6Blocks.append((s, e, 0))
            case nil: return nil
            }
        }
        ranges = AddressRanges(v4: v4Blocks, v6: v6Blocks)
        isEmpty = networks.isEmpty
    }

    static func parse(_ text: String) -> Blocklist.Block? { Blocklist.parseNetwork(text) }

    @inline(__always)
    public func contains(_ address: IPAddress) -> Bool {
        ranges.lookup(address) >= 0
    }
}
