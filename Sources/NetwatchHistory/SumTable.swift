import NetwatchDecode

/// Sums by key, for the history writer's top tables and a capture's report: keys and their
/// sums side by side in insertion order (so ties are met in a fixed order), found through a
/// slot array (linear probing, `SeededHash`). A flow updates several of these; with Swift's
/// `Dictionary` (SipHash, keys apart from values) they cost half the report's time over `-q`.
/// Holds at most `limit` keys; past that, new keys are refused. Inlinable: callers in other
/// modules (the report) get it specialised for their keys, not through witness tables.
public struct SumTable<Key: SeededHashable, Value> {
    /// Keys and sums, in the order the keys came.
    @inlinable public var entries: [(key: Key, value: Value)] { storage }
    @usableFromInline var storage: [(key: Key, value: Value)] = []
    /// Index + 1 into `entries` per slot; 0 is empty. Never more than half full; none until
    /// the first key (an empty table costs nothing).
    @usableFromInline var slots: [Int32] = []
    @usableFromInline let seed = SeededHash.seed
    public let limit: Int

    @inlinable public init(limit: Int) { self.limit = limit }

    @inlinable public var count: Int { storage.count }
    @inlinable public var isEmpty: Bool { storage.isEmpty }

    /// Empties it, keeping its room (the writer's tables start again every minute).
    @inlinable public mutating func removeAll() {
        storage.removeAll(keepingCapacity: true)
        if !slots.isEmpty { slots.withUnsafeMutableBufferPointer { $0.update(repeating: 0) } }
    }

    /// Changes `key`'s sum in place (made with `initial` if new); false if the key is new
    /// and the table is full.
    @inlinable @inline(__always) @discardableResult
    public mutating func update(_ key: Key, initial: @autoclosure () -> Value, _ body: (inout Value) -> Void) -> Bool {
        if storage.count * 2 >= slots.count { grow() }
        let mask = slots.count - 1
        var h = SeededHash(seed: seed)
        key.hash(into: &h)
        var i = Int(truncatingIfNeeded: h.value) & mask
        while true {
            let s = Int(slots[i])
            if s == 0 { break }
            if storage[s - 1].key == key {
                body(&storage[s - 1].value)
                return true
            }
            i = (i + 1) & mask
        }
        guard storage.count < limit else { return false }
        storage.append((key, initial()))
        body(&storage[storage.count - 1].value)
        slots[i] = Int32(storage.count)
        return true
    }

    @inlinable mutating func grow() {
        slots = [Int32](repeating: 0, count: max(1024, slots.count * 2))
        let mask = slots.count - 1
        for (n, e) in storage.enumerated() {
            var h = SeededHash(seed: seed)
            e.key.hash(into: &h)
            var i = Int(truncatingIfNeeded: h.value) & mask
            while slots[i] != 0 { i = (i + 1) & mask }
            slots[i] = Int32(n + 1)
        }
    }
}
