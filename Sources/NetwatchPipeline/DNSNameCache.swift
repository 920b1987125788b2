import NetwatchDecode

/// The addresses named to the sinks in the current second, by hash in a small table: an
/// address is named at most once a second (its first answer in that second), so passive DNS
/// costs a name per address and second, not per packet, and a flood of made-up names (a DNS
/// tunnel, a random-subdomain attack) cannot fill the history with them.
final class DNSNameCache {
    static let slots = 4096
    private var keys = [UInt64](repeating: 0, count: DNSNameCache.slots)
    private var seconds = [Int64](repeating: .min, count: DNSNameCache.slots)

    /// Whether the address was named already this second; if not, remembers it.
    func seen(_ address: IPAddress, second: Int64) -> Bool {
        let x = SplitMix.mix(address.high &* SplitMix.gamma ^ address.low ^ (address.isIPv6 ? 1 : 0))
        let slot = Int(truncatingIfNeeded: x) & (Self.slots - 1)
        if keys[slot] == x && seconds[slot] == second { return true }
        keys[slot] = x
        seconds[slot] = second
        return false
    }
}
