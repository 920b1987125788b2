/// Counts, per key (a source, or a source and a target), the distinct items it probed (ports,
/// hosts) within a window, and which of them answered. "Failed" items are probed minus
/// answered: the figure Zeek's scan detection thresholds.
///
/// Memory is bounded: at most `limit` keys (the least recently active are dropped first) and
/// `itemLimit` items per key (beyond that only counted). A key that probed one item keeps it
/// inline, so a flood of one-packet spoofed sources allocates no sets.
final class SpreadTracker<Key: Hashable, Item: Hashable> {
    struct Entry {
        var first: Double
        var last: Double
        var single: Item?
        var items: Set<Item> = []
        var answered: Set<Item> = []
        /// Distinct items beyond `itemLimit`.
        var overflow = 0
        /// Attempts per `ProbeKind`, for telling scan types apart.
        var kinds = ProbeCounts()

        var distinct: Int { (single != nil ? 1 : items.count) + overflow }
        var failed: Int { distinct - answered.count }

        func contains(_ item: Item) -> Bool { single == item || items.contains(item) }
    }

    let window: Double
    let limit: Int
    let itemLimit: Int
    private(set) var entries: [Key: Entry] = [:]

    init(window: Double, limit: Int, itemLimit: Int = 4096) {
        self.window = window
        self.limit = limit
        self.itemLimit = itemLimit
    }

    /// Records an attempt on `item`; returns the key's entry after it.
    @discardableResult
    func probe(_ key: Key, _ item: Item, kind: ProbeKind?, time: Double) -> Entry {
        if entries.count >= limit && entries[key] == nil { prune(now: time) }
        return update(key, time: time) { e in
            if let kind { e.kinds.add(kind) }
            if e.contains(item) { return }
            if let s = e.single {
                e.single = nil
                e.items = [s]
            }
            if e.items.isEmpty && e.overflow == 0 {
                e.single = item
            } else if e.items.count < itemLimit {
                e.items.insert(item)
            } else {
                e.overflow += 1
            }
        }
    }

    /// The item answered (port open, host alive): it no longer counts as failed.
    func answer(_ key: Key, _ item: Item) {
        guard var e = entries[key], e.contains(item) else { return }
        e.answered.insert(item)
        entries[key] = e
    }

    /// The item's answer was withdrawn (the prober reset the connection before any data).
    func unanswer(_ key: Key, _ item: Item) {
        guard var e = entries[key], e.answered.contains(item) else { return }
        e.answered.remove(item)
        entries[key] = e
    }

    func entry(_ key: Key) -> Entry? { entries[key] }

    func remove(_ key: Key) { entries[key] = nil }

    /// Starts the key's window afresh when it has run out.
    private func update(_ key: Key, time: Double, _ body: (inout Entry) -> Void) -> Entry {
        let fresh = Entry(first: time, last: time)
        var e = entries[key] ?? fresh
        if time - e.first > window { e = fresh }
        e.last = max(e.last, time)
        body(&e)
        entries[key] = e
        return e
    }

    /// Drops keys whose window has run out; if that frees too little, the least recently
    /// active half.
    func prune(now: Double) {
        entries = entries.filter { now - $0.value.first <= window }
        guard entries.count >= limit * 3 / 4 else { return }
        let lasts = entries.values.map(\.last).sorted()
        let cut = lasts[lasts.count / 2]
        entries = entries.filter { $0.value.last > cut }
    }
}
