import NetwatchDecode

/// A `BoundedCounter` for keys with a compact form (IPv4 hosts, IPv4 host pairs), counted in
/// that form, beside one for the other keys (IPv6), read as one counter.
///
/// A flood counts millions of one-off sources: with 4-byte hosts and 8-byte pairs instead of
/// 17- and 41-byte ones, a counter's entries take 24 bytes, not 40 and 64, so more of them
/// stay in cache, and keys compare in one instruction. Each side tracks `capacity` keys.
public struct SplitCounter<Key: CompactKey> {
    public typealias Entry = BoundedCounter<Key>.Entry
    /// Keys with a compact form, counted only here.
    public let compact: BoundedCounter<Key.Compact>
    /// Keys without one.
    public let full: BoundedCounter<Key>

    public init(capacity: Int) {
        compact = BoundedCounter(capacity: capacity)
        full = BoundedCounter(capacity: capacity)
    }

    /// An independent copy of `other`'s counts.
    public init(copying other: SplitCounter) {
        compact = BoundedCounter(copying: other.compact)
        full = BoundedCounter(copying: other.full)
    }

    /// Keys displaced or never admitted because a bucket was full: counts are lower bounds once non-zero.
    public var overflowed: UInt64 { compact.overflowed &+ full.overflowed }

    /// Counts `packets` packets of `size` bytes in all for `key`, in its side.
    @inlinable
    public func add(_ key: Key, packets: UInt64 = 1, bytes size: UInt64) {
        if let c = key.compact {
            if !compact.addRepeated(c, packets: packets, bytes: size) { compact.add(c, at: compact.locate(c), packets: packets, bytes: size) }
        } else if !full.addRepeated(key, packets: packets, bytes: size) {
            full.add(key, at: full.locate(key), packets: packets, bytes: size)
        }
    }

    /// The entry for `key`, if it is counted.
    public func count(_ key: Key) -> Entry? {
        guard let c = key.compact else { return full.count(key) }
        return compact.count(c).map { Entry(key: key, packets: $0.packets, bytes: $0.bytes) }
    }

    /// Every counted entry: the compact side's, then the other's, each in table order.
    public var entries: [Entry] { compact.entries.map(Self.widen) + full.entries }

    public var distinct: Int { compact.distinct + full.distinct }

    /// The `n` keys with the most packets, most first, in `BoundedCounter.top`'s order: the
    /// best `n` of both sides are among each side's best `n`.
    public func top(_ n: Int) -> [Entry] {
        var list = TopList<Entry>(n, ranksAbove: BoundedCounter<Key>.ranksAbove)
        for e in compact.top(n) { list.offer(Self.widen(e)) }
        for e in full.top(n) { list.offer(e) }
        return list.elements
    }

    static func widen(_ e: BoundedCounter<Key.Compact>.Entry) -> Entry {
        Entry(key: Key(compact: e.key), packets: e.packets, bytes: e.bytes)
    }
}
