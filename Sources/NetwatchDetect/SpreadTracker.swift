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

    var window: Double
    var limit: Int
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
        guard let i = entries.index(forKey: key), entries.values[i].contains(item), !entries.values[i].answered.contains(item) else { return }
        entries.values[i].answered.insert(item)
    }

    /// The item's answer was withdrawn (the prober reset the connection before any data).
    func unanswer(_ key: Key, _ item: Item) {
        guard let i = entries.index(forKey: key), entries.values[i].answered.contains(item) else { return }
        entries.values[i].answered.remove(item)
    }

    func entry(_ key: Key) -> Entry? { entries[key] }

    /// Starts the key's window afresh when it has run out. The entry is changed where it is
    /// stored: its sets are never copied.
    private func update(_ key: Key, time: Double, _ body: (inout Entry) -> Void) -> Entry {
        let i: Dictionary<Key, Entry>.Index
        if let found = entries.index(forKey: key) {
            i = found
            if time - entries.values[i].first > window { entries.values[i] = Entry(first: time, last: time) }
        } else {
            entries[key] = Entry(first: time, last: time)
            i = entries.index(forKey: key)!
        }
        if time > entries.values[i].last { entries.values[i].last = time }
        body(&entries.values[i])
        return entries.values[i]
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
