/// Packet and byte counts per key in a fixed amount of memory.
///
/// An open-addressing table sized once: counts are exact while the distinct keys fit. When a
/// key finds its probe window full, the smallest count in the window is decremented and
/// replaced once it reaches zero (a Misra-Gries step), so heavy keys keep their place under a
/// flood of one-off keys and memory never grows.
import NetwatchDecode

public struct BoundedCounter<Key: SeededHashable> {
    public struct Entry {
        public var key: Key
        public var packets: UInt64
        public var bytes: UInt64
    }

    private var slots: [Entry?]
    private let mask: Int
    /// Keys displaced or never admitted because the table was full: counts are lower bounds once non-zero.
    public private(set) var overflowed: UInt64 = 0
    private static var window: Int { 16 }

    /// Twice the slots of the keys to track keeps probe windows short while they fit.
    public init(capacity: Int) {
        var size = 16
        while size < 2 * capacity { size <<= 1 }
        slots = Array(repeating: nil, count: size)
        mask = size - 1
    }

    @inline(__always)
    public mutating func add(_ key: Key, bytes: UInt64) {
        var hasher = SeededHash()
        key.hash(into: &hasher)
        let home = Int(truncatingIfNeeded: hasher.value) & mask
        var smallest = -1
        var smallestCount = UInt64.max
        for step in 0..<Self.window {
            let i = (home + step) & mask
            guard let entry = slots[i] else {
                slots[i] = Entry(key: key, packets: 1, bytes: bytes)
                return
            }
            if entry.key == key {
                slots[i]!.packets &+= 1
                slots[i]!.bytes &+= bytes
                return
            }
            if entry.packets < smallestCount {
                smallest = i
                smallestCount = entry.packets
            }
        }
        overflowed &+= 1
        if smallestCount <= 1 {
            slots[smallest] = Entry(key: key, packets: 1, bytes: bytes)
        } else {
            slots[smallest]!.packets -= 1
        }
    }

    /// The entry for `key`, looked up along its probe window.
    public func count(_ key: Key) -> Entry? {
        var hasher = SeededHash()
        key.hash(into: &hasher)
        let home = Int(truncatingIfNeeded: hasher.value) & mask
        for step in 0..<Self.window {
            guard let entry = slots[(home + step) & mask] else { return nil }
            if entry.key == key { return entry }
        }
        return nil
    }

    /// The `n` keys with the most packets, most first.
    public func top(_ n: Int) -> [Entry] {
        Array(slots.compactMap { $0 }.sorted { ($0.packets, $0.bytes) > ($1.packets, $1.bytes) }.prefix(n))
    }

    public var distinct: Int { slots.reduce(0) { $0 + ($1 == nil ? 0 : 1) } }
}
