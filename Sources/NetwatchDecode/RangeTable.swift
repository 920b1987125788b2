/// Disjoint sorted address ranges, each naming the most specific entry that covers it, built
/// from CIDR blocks (which nest or are disjoint, never partly overlap). Lookup is a binary
/// search over the starts, narrowed by a table of the top 16 bits.
package struct RangeTable<Address: FixedWidthInteger & UnsignedInteger & Sendable>: Sendable {
    @usableFromInline private(set) var starts: [Address] = []
    @usableFromInline private(set) var ends: [Address] = []
    @usableFromInline private(set) var entries: [Int32] = []
    /// For each value of the top 16 bits, the first range that could hold such an address.
    @usableFromInline private(set) var index: [Int32] = []

    package init(_ blocks: [(start: Address, end: Address, entry: Int32)]) {
        // Wider blocks first at equal starts, so nested ones come after their parent.
        let before: ((start: Address, end: Address, entry: Int32), (start: Address, end: Address, entry: Int32)) -> Bool = {
            $0.start != $1.start ? $0.start < $1.start : ($0.end != $1.end ? $0.end > $1.end : $0.entry < $1.entry)
        }
        // GeoIP tables come sorted: checking is one pass, sorting 700 000 rows is not free.
        var inOrder = true
        for i in blocks.indices.dropFirst() where !before(blocks[i - 1], blocks[i]) {
            inOrder = false
            break
        }
        let sorted = inOrder ? blocks : blocks.sorted(by: before)
        var stack: [(start: Address, end: Address, entry: Int32)] = []
        var cursor = Address.zero
        var cursorValid = true  // false once cursor would pass Address.max
        func emit(_ from: Address, _ to: Address, _ entry: Int32) {
            guard from <= to else { return }
            if let last = ends.last, entries.last == entry, last &+ 1 == from, last != Address.max {
                ends[ends.count - 1] = to
            } else {
                starts.append(from)
                ends.append(to)
                entries.append(entry)
            }
        }
        func close(until limit: Address?) {
            while let top = stack.last, limit.map({ top.end < $0 }) ?? true {
                stack.removeLast()
                if cursorValid && cursor <= top.end {
                    emit(cursor, top.end, top.entry)
                    if top.end == Address.max { cursorValid = false } else { cursor = top.end + 1 }
                }
            }
        }
        for b in sorted {
            close(until: b.start)
            if let top = stack.last, cursorValid, cursor < b.start { emit(cursor, b.start - 1, top.entry) }
            if !cursorValid { break }
            if cursor < b.start || stack.isEmpty { cursor = max(cursor, b.start) }
            // A duplicate block (same start and end) adds nothing: the first one loaded names it.
            if let top = stack.last, top.start == b.start, top.end == b.end { continue }
            stack.append(b)
        }
        close(until: nil)
        let shift = Address.bitWidth - 16
        index = [Int32](repeating: Int32(starts.count), count: 65537)
        var r = starts.count - 1
        var bucket = 65535
        // index[k]: first range whose end has top bits >= k.
        while bucket >= 0 {
            while r >= 0 && Int(ends[r] >> shift) >= bucket { r -= 1 }
            index[bucket] = Int32(r + 1)
            bucket -= 1
        }
    }

    package var count: Int { starts.count }

    /// The entry covering `address`, or -1.
    @inlinable @inline(__always)
    package func lookup(_ address: Address) -> Int32 {
        let top = Int(address >> (Address.bitWidth - 16))
        var lo = Int(index[top])
        var hi = top == 65535 ? starts.count : min(starts.count, Int(index[top + 1]) + 1)
        // Last range with start <= address, within [lo, hi).
        while lo < hi {
            let mid = (lo + hi) >> 1
            if starts[mid] <= address { lo = mid + 1 } else { hi = mid }
        }
        let i = lo - 1
        guard i >= 0 && i < starts.count && starts[i] <= address && address <= ends[i] else { return -1 }
        return entries[i]
    }
}
