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
    /// One mark per time unit from `firstSlot` on (raw values of `TimelineMark`); units after
    /// the end are idle.
    public internal(set) var marks: [UInt8] = []
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

    init(address: IPAddress, time: Double, slot: Int) {
        self.address = address
        firstSeen = time
        lastSeen = time
        lastActivity = time
        firstSlot = slot
    }

    public func mark(at slot: Int) -> TimelineMark {
        let i = slot - firstSlot
        guard i >= 0 && i < marks.count else { return .idle }
        return TimelineMark(rawValue: marks[i]) ?? .idle
    }

    /// Marked time units among `slots`.
    public func marked(in slots: Range<Int>) -> Int {
        let lo = max(0, slots.lowerBound - firstSlot)
        let hi = min(marks.count, slots.upperBound - firstSlot)
        guard lo < hi else { return 0 }
        var n = 0
        for i in lo..<hi where marks[i] != 0 { n += 1 }
        return n
    }

    mutating func set(_ m: TimelineMark, at slot: Int) {
        let i = slot - firstSlot
        guard i >= 0 else { return }
        if i >= marks.count { marks.append(contentsOf: repeatElement(0, count: i - marks.count + 1)) }
        if marks[i] == 0 && m != .idle { markedSlots += 1 }
        if m.rawValue > marks[i] { marks[i] = m.rawValue }
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
