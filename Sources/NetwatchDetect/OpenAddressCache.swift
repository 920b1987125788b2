import NetwatchDecode

/// Addresses known to have an open incident of one family, in 64 slots mapped by address. A
/// hit skips the incident book's dictionary, whose key (an enum) is hashed with SipHash: under
/// a block list that covers a busy network (firehol_level1 lists 10.0.0.0/8), every new flow
/// there asked it. A miss only costs that lookup; the book empties the cache whenever an
/// incident closes, so a hit is never stale.
final class OpenAddressCache {
    private static let count = 64
    private let slots: UnsafeMutablePointer<IPAddress>
    private let used: UnsafeMutablePointer<Bool>

    init() {
        slots = .allocate(capacity: Self.count)
        slots.initialize(repeating: .none, count: Self.count)
        used = .allocate(capacity: Self.count)
        used.initialize(repeating: false, count: Self.count)
    }

    deinit {
        slots.deallocate()
        used.deallocate()
    }

    @inline(__always)
    private static func slot(_ a: IPAddress) -> Int {
        let mix = (a.low ^ a.high) &* 0x9E37_79B9_7F4A_7C15
        return Int(truncatingIfNeeded: mix >> 58)
    }

    @inline(__always)
    func contains(_ a: IPAddress) -> Bool {
        let i = Self.slot(a)
        return used[i] && slots[i] == a
    }

    func insert(_ a: IPAddress) {
        let i = Self.slot(a)
        slots[i] = a
        used[i] = true
    }

    func removeAll() {
        used.update(repeating: false, count: Self.count)
    }
}
