import NetwatchDecode

/// One remote address's row: a mark per time unit since it was first seen, and what is open.
public struct TimelineHost: Sendable {
    public let address: IPAddress
    public let firstSeen: Double
    public internal(set) var lastSeen: Double
    /// The last packet (or scan) that showed traffic.
    public internal(set) var lastActivity: Double
    /// The time unit of `marks[0]`.
    public let firstSlot: Int
    /// The marks, run-length encoded: a host connected for a week is one run, not 604,800
    /// bytes. At most `maxRuns` runs are kept; older ones are forgotten (`forgottenBefore`).
    var runs: [Run] = []
    /// Time units before this one are forgotten (idle when asked); `firstSlot` while nothing is.
    public internal(set) var forgottenBefore: Int
    /// Connections open now (established or not yet answered) and of those, not yet answered.
    public internal(set) var open = 0
    public internal(set) var halfOpen = 0
    public internal(set) var connections = 0
    /// Time units with any mark but idle: how long the host was connected.
    public internal(set) var markedSlots = 0
    /// Service ports seen, ascending, at most `TimelineHost.maxPorts`.
    public internal(set) var ports: [UInt16] = []
    public internal(set) var morePorts = false
    static let maxPorts = 32
    /// Runs of marks kept per host: more than any screen is wide, 12 bytes each.
    public static let maxRuns = 2048

    /// `length` time units from `start` with the same mark.
    struct Run: Sendable {
        var start: Int
        var length: Int32
        var mark: UInt8
        var end: Int { start + Int(length) }
    }

    init(address: IPAddress, time: Double, slot: Int) {
        self.address = address
        firstSeen = time
        lastSeen = time
        lastActivity = time
        firstSlot = slot
        forgottenBefore = slot
    }

    /// Bytes the marks take (for tests and the bound).
    public var markBytes: Int { runs.capacity * MemoryLayout<Run>.stride }

    public func mark(at slot: Int) -> TimelineMark {
        // Most asks are for recent units: look from the end.
        guard let last = runs.last, slot < last.end, slot >= forgottenBefore else { return .idle }
        if slot >= last.start { return TimelineMark(rawValue: last.mark) ?? .idle }
        var lo = 0
        var hi = runs.count - 1
        while lo < hi {
            let mid = (lo + hi) / 2
            if runs[mid].end <= slot { lo = mid + 1 } else { hi = mid }
        }
        let r = runs[lo]
        return slot >= r.start && slot < r.end ? TimelineMark(rawValue: r.mark) ?? .idle : .idle
    }

    /// Marked time units among `slots`.
    public func marked(in slots: Range<Int>) -> Int {
        var n = 0
        for r in runs.reversed() {
            if r.end <= slots.lowerBound { break }
            guard r.mark != 0 else { continue }
            let lo = max(r.start, slots.lowerBound, forgottenBefore)
            let hi = min(r.end, slots.upperBound)
            if hi > lo { n += hi - lo }
        }
        return n
    }

    /// Raises the mark of `slot` to `m` (marks only go up within a unit: new over active over idle).
    mutating func set(_ m: TimelineMark, at slot: Int) {
        guard slot >= forgottenBefore, m != .idle else { return }
        if let last = runs.last, slot >= last.start && slot < last.end && m.rawValue <= last.mark { return }  // already as high
        if let last = runs.last, slot >= last.end {
            // The common case: the unit now, after every run so far.
            if slot == last.end && last.mark == m.rawValue {
                runs[runs.count - 1].length += 1
            } else {
                runs.append(Run(start: slot, length: 1, mark: m.rawValue))
            }
            markedSlots += 1
            trim()
            return
        }
        if runs.isEmpty {
            runs.append(Run(start: slot, length: 1, mark: m.rawValue))
            markedSlots += 1
            return
        }
        setEarlier(m, at: slot)
    }

    /// `set` for a unit inside or before the runs kept: split the run it falls in.
    private mutating func setEarlier(_ m: TimelineMark, at slot: Int) {
        var lo = 0
        var hi = runs.count
        while lo < hi {
            let mid = (lo + hi) / 2
            if runs[mid].end <= slot { lo = mid + 1 } else { hi = mid }
        }
        if lo < runs.count && runs[lo].start <= slot {
            let r = runs[lo]
            guard m.rawValue > r.mark else { return }
            if r.mark == 0 { markedSlots += 1 }
            var pieces: [Run] = []
            if slot > r.start { pieces.append(Run(start: r.start, length: Int32(slot - r.start), mark: r.mark)) }
            pieces.append(Run(start: slot, length: 1, mark: m.rawValue))
            if slot + 1 < r.end { pieces.append(Run(start: slot + 1, length: Int32(r.end - slot - 1), mark: r.mark)) }
            runs.replaceSubrange(lo...lo, with: pieces)
        } else {
            runs.insert(Run(start: slot, length: 1, mark: m.rawValue), at: lo)
            markedSlots += 1
        }
        trim()
    }

    /// Forgets the oldest runs past `maxRuns` (in a batch, so trimming is rare).
    private mutating func trim() {
        guard runs.count > Self.maxRuns + Self.maxRuns / 8 else { return }
        let drop = runs.count - Self.maxRuns
        forgottenBefore = runs[drop].start
        runs.removeFirst(drop)
    }

    mutating func add(port: UInt16) {
        guard port != 0 else { return }
        var lo = 0
        var hi = ports.count
        while lo < hi {
            let mid = (lo + hi) / 2
            if ports[mid] < port { lo = mid + 1 } else { hi = mid }
        }
        if lo < ports.count && ports[lo] == port { return }
        if ports.count >= Self.maxPorts {
            morePorts = true
            return
        }
        ports.insert(port, at: lo)
    }
}
