import CPrefetch
import NetwatchDecode

/// Packet and byte counts per key in a fixed amount of memory.
///
/// A hash table of 8-slot buckets sized once: counts are exact while no bucket fills, which is
/// all but certain up to about a third of `capacity` distinct keys and likely up to `capacity`.
/// When a key finds its bucket full, the smallest weight in the bucket is decremented (a
/// Misra-Gries step); a slot whose weight is spent goes to the next new key, so heavy keys keep
/// their place under a flood of one-off keys and memory never grows.
///
/// A bucket's eight one-byte tags and eight weights sit in one cache line. The tags are one
/// word, compared eight at once with word arithmetic (x86-64's baseline SSE2 has no unsigned
/// vector compare or minimum, and Swift's SIMD masks there come out lane by lane, about 100
/// instructions per add): a key that is not counted (the common case under a flood) costs
/// one line read and a few instructions. The keys and exact counts live apart and are read
/// only when a tag matches.
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
    /// Per bucket, one 64-byte line: eight one-byte tags (from the hash, never 0; 0 marks an
    /// empty slot) in its first word; at byte 8, one more than the slot of the smallest weight
    /// when known (0: not known), and at byte 12 that knowledge's floor (see `add`); and from
    /// byte 32 the eight slots' Misra-Gries weights (saturating). Slots fill from the start of
    /// their bucket and are never emptied.
    @usableFromInline let lines: UnsafeMutablePointer<UInt32>
    @usableFromInline let records: UnsafeMutablePointer<Entry>
    @usableFromInline let bucketMask: Int
    @usableFromInline let slotCount: Int
    @usableFromInline let overflow: UnsafeMutablePointer<UInt64>
    @usableFromInline let seed: UInt64
    /// The key last counted again, and its slot (-1: none; the key's bytes are then not one).
    @usableFromInline let repeatedSlot: UnsafeMutablePointer<Int>
    @usableFromInline let repeatedKey: UnsafeMutableRawPointer

    /// Keys displaced or never admitted because a bucket was full: counts are lower bounds once non-zero.
    public var overflowed: UInt64 { overflow.pointee }

    /// Twice the slots of the keys to track keeps buckets from filling while they fit. Memory
    /// comes zeroed from `LargeAllocation` and is touched only as keys arrive.
    public init(capacity: Int) {
        var buckets = 1
        while buckets * BoundedCounter.bucketSize < 2 * capacity { buckets <<= 1 }
        slotCount = buckets * BoundedCounter.bucketSize
        bucketMask = buckets - 1
        seed = SeededHash.seed
        lines = LargeAllocation.allocate(UInt32.self, count: 2 * slotCount)
        records = LargeAllocation.allocate(Entry.self, count: slotCount)
        overflow = .allocate(capacity: 1)
        overflow.initialize(to: 0)
        repeatedSlot = .allocate(capacity: 1)
        repeatedSlot.initialize(to: -1)
        repeatedKey = .allocate(byteCount: MemoryLayout<Key>.size, alignment: MemoryLayout<Key>.alignment)
    }

    /// An independent copy of `other`'s counts.
    public init(copying other: BoundedCounter) {
        slotCount = other.slotCount
        bucketMask = other.bucketMask
        seed = other.seed
        lines = LargeAllocation.allocate(UInt32.self, count: 2 * slotCount)
        lines.update(from: other.lines, count: 2 * slotCount)
        records = LargeAllocation.allocate(Entry.self, count: slotCount)
        records.update(from: other.records, count: slotCount)
        overflow = .allocate(capacity: 1)
        overflow.initialize(to: other.overflow.pointee)
        repeatedSlot = .allocate(capacity: 1)
        repeatedSlot.initialize(to: -1)
        repeatedKey = .allocate(byteCount: MemoryLayout<Key>.size, alignment: MemoryLayout<Key>.alignment)
    }

    deinit {
        LargeAllocation.deallocate(lines, count: 2 * slotCount)
        LargeAllocation.deallocate(records, count: slotCount)
        overflow.deallocate()
        repeatedSlot.deallocate()
        repeatedKey.deallocate()
    }

    /// Where a key's bucket is and the tag that marks the key in it.
    public struct Location {
        @usableFromInline var bucket: Int
        @usableFromInline var tag: UInt8
        @inlinable init(bucket: Int, tag: UInt8) {
            self.bucket = bucket
            self.tag = tag
        }
    }

    @inlinable @inline(always)
    public func locate(_ key: Key) -> Location {
        var hasher = SeededHash(seed: seed)
        key.hash(into: &hasher)
        let value = hasher.value
        let tag = UInt8(truncatingIfNeeded: value >> 56)
        return Location(bucket: Int(truncatingIfNeeded: value) & bucketMask, tag: tag == 0 ? 1 : tag)
    }

    /// Which bucket a location names (tests compare the counter with a model of its buckets).
    public func bucket(of location: Location) -> Int { location.bucket }

    /// Starts loading the bucket's line ahead of `add`.
    @inlinable @inline(always)
    public func prefetch(_ location: Location) {
        netwatch_prefetch(lines + location.bucket &* (2 &* BoundedCounter.bucketSize))
    }

    /// Bit 7 of each byte of `tags` that equals `tag`, read from the lowest byte up. Word
    /// arithmetic: a byte can show falsely only above a true match (a borrow), and callers
    /// compare the key itself, or take only the lowest.
    @inlinable @inline(always)
    static func matches(_ tags: UInt64, _ tag: UInt8) -> UInt64 {
        let x = tags ^ (UInt64(tag) &* 0x0101_0101_0101_0101)
        return (x &- 0x0101_0101_0101_0101) & ~x & 0x8080_8080_8080_8080
    }

    /// The smallest of eight weights and its slot (the lowest such). Each weight carries its
    /// slot in three low bits, so one minimum gives both: a minimum and a slot kept apart
    /// compiled to two passes and spills, about 60 instructions for each key a full bucket turns away.
    @inlinable @inline(always)
    static func smallest(_ weights: UnsafeMutableRawPointer) -> (weight: UInt32, slot: Int) {
        var least = UInt64(weights.load(as: UInt32.self)) &<< 3
        for i in 1..<8 {
            least = min(least, UInt64(weights.load(fromByteOffset: 4 &* i, as: UInt32.self)) &<< 3 | UInt64(i))
        }
        return (UInt32(truncatingIfNeeded: least &>> 3), Int(truncatingIfNeeded: least & 7))
    }

    @inlinable @inline(always)
    public func add(_ key: Key, bytes size: UInt64) { add(key, at: locate(key), packets: 1, bytes: size) }

    /// Counts for `key` straight into its slot when it is the key last counted again (a host
    /// in many flows in a row: the monitored host, a flood's victim): no hash, no bucket
    /// search, the same counts as `add`. False, having counted nothing, for any other key.
    @inlinable @inline(always)
    public func addRepeated(_ key: Key, packets: UInt64, bytes size: UInt64) -> Bool {
        guard isRepeated(key) else { return false }
        addRepeated(packets: packets, bytes: size)
        return true
    }

    /// Whether `key` is the key last counted again, which `addRepeated` counts without a search.
    @inlinable @inline(always)
    public func isRepeated(_ key: Key) -> Bool {
        repeatedSlot.pointee >= 0 && repeatedKey.load(as: Key.self) == key
    }

    /// `addRepeated` once `isRepeated` said yes (and nothing was counted since).
    @inlinable @inline(always)
    public func addRepeated(packets: UInt64, bytes size: UInt64) {
        let slot = repeatedSlot.pointee
        let base = slot & ~(BoundedCounter.bucketSize &- 1)
        let line = UnsafeMutableRawPointer(lines + base &* 2)
        addToSlot(slot &- base, line: line, base: base, UInt32(truncatingIfNeeded: min(packets, 0xFFFF_FFFF)), packets, size)
    }

    /// Adds to the key in slot `i` of the bucket at `line`.
    @inlinable @inline(always)
    func addToSlot(_ i: Int, line: UnsafeMutableRawPointer, base: Int, _ weight: UInt32, _ packets: UInt64, _ size: UInt64) {
        let weights = line.advanced(by: 32).assumingMemoryBound(to: UInt32.self)
        let (sum, saturated) = weights[i].addingReportingOverflow(weight)
        weights[i] = saturated ? UInt32.max : sum
        // The smallest slot, heavier past the floor, may no longer be the smallest.
        // (Any other slot only moves further above the floor.)
        if Int(line.load(fromByteOffset: 8, as: UInt8.self)) == i &+ 1 && weights[i] > line.load(fromByteOffset: 12, as: UInt32.self) {
            line.storeBytes(of: 0, toByteOffset: 8, as: UInt8.self)
        }
        records[base &+ i].packets &+= packets
        records[base &+ i].bytes &+= size
    }

    /// Counts `packets` packets of `size` bytes in all for `key`: one packet, or a flow's
    /// packets at once. A key that finds its bucket full lowers the bucket's smallest weight
    /// by `packets`, and takes that slot with what is left if it outweighs it.
    @inlinable @inline(always)
    public func add(_ key: Key, at location: Location, packets: UInt64, bytes size: UInt64) {
        // Wrapping arithmetic: a bucket is below `bucketMask`, so nothing here can overflow,
        // and checked multiplies cost a branch each on every count.
        let line = UnsafeMutableRawPointer(lines + location.bucket &* (2 &* BoundedCounter.bucketSize))
        let base = location.bucket &* BoundedCounter.bucketSize
        let weight = UInt32(truncatingIfNeeded: min(packets, 0xFFFF_FFFF))
        let tags = line.load(as: UInt64.self)
        var matches = BoundedCounter.matches(tags, location.tag)
        while matches != 0 {
            let i = matches.trailingZeroBitCount &>> 3
            if records[base &+ i].key == key {
                addToSlot(i, line: line, base: base, weight, packets, size)
                repeatedSlot.pointee = base &+ i
                repeatedKey.storeBytes(of: key, as: Key.self)
                return
            }
            matches &= matches &- 1
        }
        let empty = BoundedCounter.matches(tags, 0)
        if empty != 0 {
            take(empty.trailingZeroBitCount &>> 3, line: line, base: base, key, location.tag, weight, packets, size)
            return
        }
        overflow.pointee &+= 1
        // The remembered smallest slot k comes with a floor: k's weight is at most the floor,
        // every other slot's at least the floor, and above it when the slot comes before k.
        // So k holds the smallest weight, and is the first that does. A scan sets the floor
        // to the smallest weight it finds.
        let known = Int(line.load(fromByteOffset: 8, as: UInt8.self))
        let least: UInt32, i: Int, floor: UInt32
        if known != 0 {
            i = known &- 1
            least = line.load(fromByteOffset: 32 &+ 4 &* i, as: UInt32.self)
            floor = line.load(fromByteOffset: 12, as: UInt32.self)
        } else {
            (least, i) = BoundedCounter.smallest(line + 32)
            floor = least
        }
        if least < weight {
            // The slot goes to the key with what is left of its weight; at or under the
            // floor, it is still the smallest. Under a flood of one-off keys (weight 1) it is
            // (a freed slot, weight 0, takes 1 against a floor of 1): no scan after the first.
            let left = weight &- least
            take(i, line: line, base: base, key, location.tag, left, packets, size)
            line.storeBytes(of: left <= floor ? UInt8(truncatingIfNeeded: i &+ 1) : 0, toByteOffset: 8, as: UInt8.self)
        } else {
            // The key is not admitted; a weight brought to zero frees its slot for the next
            // new key. A flood of one-off keys so rewrites half as many entries. Lowered, the
            // smallest stays the smallest.
            line.storeBytes(of: least &- weight, toByteOffset: 32 &+ 4 &* i, as: UInt32.self)
            line.storeBytes(of: UInt8(truncatingIfNeeded: i &+ 1), toByteOffset: 8, as: UInt8.self)
        }
        line.storeBytes(of: floor, toByteOffset: 12, as: UInt32.self)
    }

    /// Gives slot `i` of the bucket to `key`.
    @inlinable @inline(always)
    func take(_ i: Int, line: UnsafeMutableRawPointer, base: Int, _ key: Key, _ tag: UInt8, _ weight: UInt32, _ packets: UInt64, _ size: UInt64) {
        if repeatedSlot.pointee == base &+ i { repeatedSlot.pointee = -1 }
        line.storeBytes(of: tag, toByteOffset: i, as: UInt8.self)
        line.storeBytes(of: weight, toByteOffset: 32 &+ 4 &* i, as: UInt32.self)
        records[base &+ i] = Entry(key: key, packets: packets, bytes: size)
    }

    /// Whether slot `slot` holds a key.
    @inlinable func isUsed(_ slot: Int) -> Bool {
        tag(slot / BoundedCounter.bucketSize, slot % BoundedCounter.bucketSize) != 0
    }

    /// The tag of slot `i` of `bucket`.
    @inlinable func tag(_ bucket: Int, _ i: Int) -> UInt8 {
        UnsafeRawPointer(lines + bucket * 2 * BoundedCounter.bucketSize).load(fromByteOffset: i, as: UInt8.self)
    }

    /// The entry for `key`, if it is counted.
    public func count(_ key: Key) -> Entry? {
        let location = locate(key)
        let base = location.bucket * BoundedCounter.bucketSize
        for i in 0..<BoundedCounter.bucketSize where tag(location.bucket, i) == location.tag && records[base + i].key == key {
            return records[base + i]
        }
        return nil
    }

    /// Every counted entry, in table order.
    public var entries: [Entry] {
        var result: [Entry] = []
        for i in 0..<slotCount where isUsed(i) { result.append(records[i]) }
        return result
    }

    public var distinct: Int {
        var n = 0
        for i in 0..<slotCount where isUsed(i) { n += 1 }
        return n
    }
}

extension BoundedCounter where Key: Comparable {
    /// Report order: more packets first, then more bytes, then the lower key.
    @inlinable
    static func ranksAbove(_ a: Entry, _ b: Entry) -> Bool {
        a.packets != b.packets ? a.packets > b.packets : a.bytes != b.bytes ? a.bytes > b.bytes : a.key < b.key
    }

    /// The `n` keys with the most packets, most first; equal counts in key order. (Table order
    /// follows a hash seeded per process: without the tie-break, two hosts with the same
    /// counts would swap places from run to run.) Inlinable, so it is specialized for the
    /// key type: generic, each comparison looked up type metadata (5 % of a flood's run).
    @inlinable
    public func top(_ n: Int) -> [Entry] {
        var list = TopList<Entry>(n, ranksAbove: Self.ranksAbove)
        for slot in 0..<slotCount where isUsed(slot) { list.offer(records[slot]) }
        return list.elements
    }
}
