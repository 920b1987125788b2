import CPrefetch
import NetwatchDecode

/// Packet and byte counts per key in a fixed amount of memory.
///
/// A hash table of 8-slot buckets sized once: counts are exact while no bucket fills, which is
/// all but certain up to about a third of `capacity` distinct keys and likely up to `capacity`.
/// When a key finds its bucket full, the smallest weight in the bucket is decremented and the
/// slot handed to the new key once it reaches zero (a Misra-Gries step), so heavy keys keep
/// their place under a flood of one-off keys and memory never grows.
///
/// A bucket's tags and weights fill exactly one cache line, so a key that is not counted (the
/// common case under a flood) costs one line read; the keys and exact counts live apart and
/// are read only when a tag matches.
public final class BoundedCounter<Key: SeededHashable & BitwiseCopyable> {
    public struct Entry {
        public var key: Key
        public var packets: UInt64
        public var bytes: UInt64

        @inlinable init(key: Key, packets: UInt64, bytes: UInt64) {
            self.key = key
            self.packets = packets
            self.bytes = bytes
        }
    }

    @inlinable static var bucketSize: Int { 8 }
    /// Per slot: tag (high 32 bits, from the hash, never 0) and Misra-Gries weight (low 32
    /// bits, saturating), 0 when empty. Slots fill from the start of their bucket and are never
    /// emptied, so the first empty slot ends a search.
    @usableFromInline let meta: UnsafeMutablePointer<UInt64>
    @usableFromInline let records: UnsafeMutablePointer<Entry>
    @usableFromInline let bucketMask: Int
    @usableFromInline let slotCount: Int
    @usableFromInline let overflow: UnsafeMutablePointer<UInt64>
    @usableFromInline let seed = SeededHash.seed

    /// Keys displaced or never admitted because a bucket was full: counts are lower bounds once non-zero.
    public var overflowed: UInt64 { overflow.pointee }

    /// Twice the slots of the keys to track keeps buckets from filling while they fit. Memory
    /// comes zeroed from `LargeAllocation` and is touched only as keys arrive.
    public init(capacity: Int) {
        var buckets = 1
        while buckets * BoundedCounter.bucketSize < 2 * capacity { buckets <<= 1 }
        slotCount = buckets * BoundedCounter.bucketSize
        bucketMask = buckets - 1
        meta = LargeAllocation.allocate(UInt64.self, count: slotCount)
        records = LargeAllocation.allocate(Entry.self, count: slotCount)
        overflow = .allocate(capacity: 1)
        overflow.initialize(to: 0)
    }

    deinit {
        LargeAllocation.deallocate(meta, count: slotCount)
        LargeAllocation.deallocate(records, count: slotCount)
        overflow.deallocate()
    }

    /// Where a key's bucket is and the tag that marks the key in it.
    public struct Location {
        @usableFromInline var hash: Int
        @usableFromInline var tag: UInt64
        @inlinable init(hash: Int, tag: UInt64) {
            self.hash = hash
            self.tag = tag
        }
    }

    @inlinable @inline(always)
    public func locate(_ key: Key) -> Location {
        var hasher = SeededHash(seed: seed)
        key.hash(into: &hasher)
        let value = hasher.value
        return Location(hash: Int(truncatingIfNeeded: value), tag: (value | 0x1_0000_0000) & 0xFFFF_FFFF_0000_0000)
    }

    /// Starts loading the bucket's tags (one cache line) ahead of `add`.
    @inlinable @inline(always)
    public func prefetch(_ location: Location) {
        netwatch_prefetch(meta + (location.hash & bucketMask) * BoundedCounter.bucketSize)
    }

    @inlinable @inline(always)
    public func add(_ key: Key, bytes size: UInt64) { add(key, at: locate(key), bytes: size) }

    @inlinable @inline(always)
    public func add(_ key: Key, at location: Location, bytes size: UInt64) {
        let tag = location.tag
        let base = (location.hash & bucketMask) * BoundedCounter.bucketSize
        for i in base..<(base + BoundedCounter.bucketSize) {
            let m = meta[i]
            if m & 0xFFFF_FFFF_0000_0000 == tag && records[i].key == key {
                if m & 0xFFFF_FFFF != 0xFFFF_FFFF { meta[i] = m + 1 }
                records[i].packets &+= 1
                records[i].bytes &+= size
                return
            }
            if m == 0 {
                meta[i] = tag | 1
                records[i] = Entry(key: key, packets: 1, bytes: size)
                return
            }
        }
        overflow.pointee &+= 1
        var smallest = base
        for i in (base + 1)..<(base + BoundedCounter.bucketSize) where meta[i] & 0xFFFF_FFFF < meta[smallest] & 0xFFFF_FFFF { smallest = i }
        if meta[smallest] & 0xFFFF_FFFF <= 1 {
            meta[smallest] = tag | 1
            records[smallest] = Entry(key: key, packets: 1, bytes: size)
        } else {
            meta[smallest] -= 1
        }
    }

    /// The entry for `key`, if it is counted.
    public func count(_ key: Key) -> Entry? {
        let location = locate(key)
        let base = (location.hash & bucketMask) * BoundedCounter.bucketSize
        for i in base..<(base + BoundedCounter.bucketSize) {
            if meta[i] == 0 { return nil }
            if meta[i] & 0xFFFF_FFFF_0000_0000 == location.tag && records[i].key == key { return records[i] }
        }
        return nil
    }

    /// Every counted entry, in table order.
    public var entries: [Entry] {
        var result: [Entry] = []
        for i in 0..<slotCount where meta[i] != 0 { result.append(records[i]) }
        return result
    }

    /// The `n` keys with the most packets, most first.
    public func top(_ n: Int) -> [Entry] {
        Array(entries.sorted { ($0.packets, $0.bytes) > ($1.packets, $1.bytes) }.prefix(n))
    }

    public var distinct: Int {
        var n = 0
        for i in 0..<slotCount where meta[i] != 0 { n += 1 }
        return n
    }
}
