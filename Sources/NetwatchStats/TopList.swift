/// The best `limit` elements offered, best first, in one pass and memory for `limit`: a report
/// wants ten of up to hundreds of thousands of counted keys, and sorting them all cost more
/// than a flood's worth of counting. `ranksAbove` is a strict order; of two elements that
/// rank alike, the one offered first stays ahead. Asked for more than `keptInOrder`, it keeps
/// everything and sorts once at the end (stable), rather than inserting into a long list.
@usableFromInline
struct TopList<Element> {
    @usableFromInline let limit: Int
    @usableFromInline let ranksAbove: (Element, Element) -> Bool
    @usableFromInline var kept: [Element] = []
    @inlinable static var keptInOrder: Int { 64 }

    @inlinable
    init(_ limit: Int, ranksAbove: @escaping (Element, Element) -> Bool) {
        self.limit = max(0, limit)
        self.ranksAbove = ranksAbove
        if self.limit <= Self.keptInOrder { kept.reserveCapacity(self.limit + 1) }
    }

    @inlinable
    var elements: [Element] {
        limit <= Self.keptInOrder ? kept : Array(kept.sorted(by: ranksAbove).prefix(limit))
    }

    @inlinable
    mutating func offer(_ x: Element) {
        guard limit <= Self.keptInOrder else {
            kept.append(x)
            return
        }
        if kept.count == limit {
            guard limit > 0, ranksAbove(x, kept[limit - 1]) else { return }
        }
        var i = kept.count
        while i > 0 && ranksAbove(x, kept[i - 1]) { i -= 1 }
        kept.insert(x, at: i)
        if kept.count > limit { kept.removeLast() }
    }
}
