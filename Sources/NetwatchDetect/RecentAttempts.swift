import NetwatchDecode

/// The attempts (or answers) counted in the last second, 64 slots mapped by address and port:
/// a client's many connections to a few services are counted once a second, not each time,
/// however they interleave. A miss only costs a count that changes nothing.
///
/// A class over storage allocated once, so that the detector (a class) holds it as a
/// constant: as a stored `var` struct, each look (once per new flow) cost a dynamic
/// exclusivity check.
final class RecentAttempts {
    private typealias Slot = (source: IPAddress, target: IPAddress, item: UInt32, time: Double)
    private static let count = 64
    private let slots: UnsafeMutablePointer<Slot>

    init() {
        slots = .allocate(capacity: Self.count)
        slots.initialize(repeating: (.none, .none, 0, -1), count: Self.count)
    }

    deinit {
        slots.deallocate()  // trivial elements: nothing to deinitialize
    }

    /// True when this attempt was counted less than a second ago; otherwise remembers it.
    @inline(__always)
    func seen(_ source: IPAddress, _ target: IPAddress, _ item: UInt32, time: Double) -> Bool {
        let mix = UInt64(item) &* 0x9E37_79B9_7F4A_7C15 ^ source.low ^ (target.low &* 0xBF58_476D_1CE4_E5B9)
        let i = Int(truncatingIfNeeded: (mix >> 32) ^ mix) & (Self.count - 1)
        let s = slots[i]
        if s.item == item && s.source == source && s.target == target && time - s.time < 1 && time >= s.time { return true }
        slots[i] = (source, target, item, time)
        return false
    }

    func forget() {
        for i in 0..<Self.count { slots[i].time = -1 }
    }
}
