import NetwatchDecode

/// The attempts (or answers) counted in the last second, 64 slots mapped by address and port:
/// a client's many connections to a few services are counted once a second, not each time,
/// however they interleave. A miss only costs a count that changes nothing.
struct RecentAttempts {
    private var slots = [(source: IPAddress, target: IPAddress, item: UInt32, time: Double)](
        repeating: (.none, .none, 0, -1), count: 64)

    /// True when this attempt was counted less than a second ago; otherwise remembers it.
    @inline(__always)
    mutating func seen(_ source: IPAddress, _ target: IPAddress, _ item: UInt32, time: Double) -> Bool {
        let mix = UInt64(item) &* 0x9E37_79B9_7F4A_7C15 ^ source.low ^ (target.low &* 0xBF58_476D_1CE4_E5B9)
        let i = Int(truncatingIfNeeded: (mix >> 32) ^ mix) & 63
        let s = slots[i]
        if s.item == item && s.source == source && s.target == target && time - s.time < 1 && time >= s.time { return true }
        slots[i] = (source, target, item, time)
        return false
    }

    mutating func forget() {
        for i in slots.indices { slots[i].time = -1 }
    }
}
