import NetwatchDecode

/// Sums by key for a capture's report: keys and their sums side by side in insertion order,
/// found through a slot array (linear probing, `SeededHash`). A flow updates five of these;
/// with Swift's `Dictionary` (SipHash, a separate key and value store) they cost half the
/// report's time over `-q`. Holds at most `limit` keys; past that, new keys are refused.
struct SumTable<Key: SeededHashable, Value> {
    /// Keys and sums, in the order the keys came.
    private(set) var entries: [(key: Key, value: Value)] = []
    /// Index + 1 into `entries` per slot; 0 is empty. Never more than half full; none until
    /// the first key (an empty table costs nothing).
    private var slots: [Int32] = []
    private let seed = SeededHash.seed
    let limit: Int

    init(limit: Int) { self.limit = limit }

    var count: Int { entries.count }

    /// Changes `key`'s sum in place (made with `initial` if new); false if the key is new
    /// and the table is full.
    @inline(__always) @discardableResult
    mutating func update(_ key: Key, initial: @autoclosure () -> Value, _ body: (inout Value) -> Void) -> Bool {
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
