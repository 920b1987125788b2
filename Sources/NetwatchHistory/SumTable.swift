import NetwatchDecode

/// Sums by key, for the history writer's top tables and a capture's report: keys and their
/// sums side by side in insertion order (so ties are met in a fixed order), found through a
/// slot array (linear probing, `SeededHash`). A flow updates several of these; with Swift's
/// `Dictionary` (SipHash, keys apart from values) they cost half the report's time over `-q`.
/// Holds at most `limit` keys; past that, new keys are refused.
package struct SumTable<Key: SeededHashable, Value> {
    /// Keys and sums, in the order the keys came.
    package private(set) var entries: [(key: Key, value: Value)] = []
    /// Index + 1 into `entries` per slot; 0 is empty. Never more than half full; none until
    /// the first key (an empty table costs nothing).
    private var slots: [Int32] = []
    private let seed = SeededHash.seed
    package let limit: Int

    package init(limit: Int) { self.limit = limit }

    package var count: Int { entries.count }
    package var isEmpty: Bool { entries.isEmpty }

    /// Empties it, keeping its room (the writer's tables start again every minute).
    package mutating func removeAll() {
        entries.removeAll(keepingCapacity: true)
        if !slots.isEmpty { slots.withUnsafeMutableBufferPointer { $0.update(repeating: 0) } }
    }

    /// Changes `key`'s sum in place (made with `initial` if new); false if the key is new
    /// and the table is full.
    @inline(__always) @discardableResult
    package mutating func update(_ key: Key, initial: @autoclosure () -> Value, _ body: (inout Value) -> Void) -> Bool {
        if entries.count * 2 >= slots.count { grow() }
        let mask = slots.count - 1
        var h = SeededHash(seed: seed)
        key.hash(into: &h)
        var i = Int(truncatingIfNeeded: h.value) & mask
        while true {
            let s = Int(slots[i])
            if s == 0 { break }
            if entries[s - 1].key == key {
                body(&entries[s - 1].value)
                return true
            }
            i = (i + 1) & mask
        }
        guard entries.count < limit else { return false }
        entries.append((key, initial()))
        body(&entries[entries.count - 1].value)
        slots[i] = Int32(entries.count)
        return true
    }

    private mutating func grow() {
        slots = [Int32](repeating: 0, count: max(1024, slots.count * 2))
        let mask = slots.count - 1
        for (n, e) in entries.enumerated() {
            var h = SeededHash(seed: seed)
            e.key.hash(into: &h)
            var i = Int(truncatingIfNeeded: h.value) & mask
            while slots[i] != 0 { i = (i + 1) & mask }
            slots[i] = Int32(n + 1)
        }
    }
}
