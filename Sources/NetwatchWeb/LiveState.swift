import NetwatchDetect
import NetwatchEvents
import Synchronization

/// What the dashboard and `/metrics` know of the run as it goes: a sink that keeps the last
/// minutes of traffic, the open flows and running totals, in bounded memory. The road calls it
/// on the packet thread (a tick a second, a record per flow); the web threads read copies.
public final class LiveState: EventSink, Sendable {
    /// Seconds of per-second traffic kept.
    public static let seconds = 600
    /// Open flows listed at most (more are counted, not listed).
    public static let openLimit = 100_000
    /// Processes tallied at most.
    public static let processLimit = 1024

    public struct Totals: Sendable, Equatable {
        public var packets: UInt64 = 0, bytes: UInt64 = 0
        public var tcp: UInt64 = 0, udp: UInt64 = 0, icmp: UInt64 = 0, other: UInt64 = 0
        public var tcpBytes: UInt64 = 0, udpBytes: UInt64 = 0, icmpBytes: UInt64 = 0, otherBytes: UInt64 = 0
        public var dropped: UInt64 = 0
        public var flowsOpened: UInt64 = 0, flowsEnded: UInt64 = 0, flowsEvicted: UInt64 = 0
        public var alerts: UInt64 = 0
    }

    public struct ProcessTally: Sendable, Equatable {
        public var name: String
        public var flows: UInt64 = 0
        public var packets: UInt64 = 0
        public var bytes: UInt64 = 0
        public var open = 0
    }

    public struct Snapshot: Sendable {
        public var run: RunInfo?
        public var totals = Totals()
        /// Oldest first, one per second that saw traffic, the last `seconds` of them.
        public var ticks: [TrafficTick] = []
        /// The packet clock: the latest second heard (nil before the first).
        public var lastSecond: Int64?
        public var openCount = 0
        /// Per interface name: packets and bytes.
        public var interfaces: [String: (packets: UInt64, bytes: UInt64)] = [:]
        public var alertsBySignature: [String: UInt64] = [:]
        public var processes: [String: ProcessTally] = [:]
        public var ended = false
    }

    struct State {
        var snapshot = Snapshot()
        var open: [String: FlowRecord] = [:]
        var interfaceNames: [String] = []
    }

    private let state = Mutex(State())

    public init(interfaceNames: [String] = []) {
        state.withLock { $0.interfaceNames = interfaceNames }
    }

    public var hearsFlowOpens: Bool { true }
    public var needsCommunityID: Bool { true }

    public func receive(_ event: NetwatchEvent) {
        state.withLock { s in
            switch event {
            case .runStarted(let info): s.snapshot.run = info
            case .runEnded(let info):
                s.snapshot.run = info
                s.snapshot.ended = true
            case .tick(let t): Self.add(t, &s)
            case .flowOpened(let r):
                s.snapshot.totals.flowsOpened &+= 1
                if s.open.count < Self.openLimit { s.open[r.uid] = r }
                s.snapshot.openCount += 1
                if let p = r.process { Self.tally(p, &s.snapshot.processes) { $0.open += 1 } }
            case .flowEnded(let r):
                s.snapshot.totals.flowsEnded &+= 1
                if r.endReason == "evicted" { s.snapshot.totals.flowsEvicted &+= 1 }
                s.open.removeValue(forKey: r.uid)
                s.snapshot.openCount = max(0, s.snapshot.openCount - 1)
                if let p = r.process {
                    Self.tally(p, &s.snapshot.processes) {
                        $0.flows += 1
                        $0.packets += r.originatorPackets + r.responderPackets
                        $0.bytes += r.originatorIPBytes + r.responderIPBytes
                        $0.open = max(0, $0.open - 1)
                    }
                }
            case .alert(let a):
                guard a.event == .alert else { break }
                s.snapshot.totals.alerts &+= 1
                s.snapshot.alertsBySignature[a.signature.rawValue, default: 0] &+= 1
            default: break
            }
        }
    }

    public func flush() {}

    static func tally(_ name: String, _ table: inout [String: ProcessTally], _ change: (inout ProcessTally) -> Void) {
        if table[name] == nil {
            guard table.count < processLimit else { return }
            table[name] = ProcessTally(name: name)
        }
        change(&table[name]!)
    }

    static func add(_ t: TrafficTick, _ s: inout State) {
        var totals = s.snapshot.totals
        totals.packets &+= t.packets
        totals.bytes &+= t.bytes
        totals.tcp &+= t.tcp
        totals.udp &+= t.udp
        totals.icmp &+= t.icmp
        totals.other &+= t.other
        totals.tcpBytes &+= t.tcpBytes
        totals.udpBytes &+= t.udpBytes
        totals.icmpBytes &+= t.icmpBytes
        totals.otherBytes &+= t.otherBytes
        totals.dropped &+= t.dropped
        s.snapshot.totals = totals
        for i in t.interfaces {
            let name = i.interface < s.interfaceNames.count ? s.interfaceNames[i.interface] : "if\(i.interface)"
            let old = s.snapshot.interfaces[name] ?? (0, 0)
            s.snapshot.interfaces[name] = (old.packets &+ i.packets, old.bytes &+ i.bytes)
        }
        if t.interfaces.isEmpty, let only = s.interfaceNames.first, s.interfaceNames.count == 1 {
            let old = s.snapshot.interfaces[only] ?? (0, 0)
            s.snapshot.interfaces[only] = (old.packets &+ t.packets, old.bytes &+ t.bytes)
        }
        var tick = t
        tick.interfaces = []
        s.snapshot.ticks.append(tick)
        if s.snapshot.ticks.count > seconds + seconds / 4 { s.snapshot.ticks.removeFirst(s.snapshot.ticks.count - seconds) }
        s.snapshot.lastSecond = max(s.snapshot.lastSecond ?? t.second, t.second)
    }

    /// A copy of what is known now (the ticks trimmed to the last `seconds`).
    public func snapshot() -> Snapshot {
        state.withLock { s in
            var copy = s.snapshot
            if copy.ticks.count > Self.seconds { copy.ticks.removeFirst(copy.ticks.count - Self.seconds) }
            return copy
        }
    }

    /// The open flows as of at most a second ago: a copy taken under the lock (copy on write,
    /// so the packet thread pays for one copy a second at most, however many readers), read
    /// outside it.
    private let shared = Mutex<(taken: ContinuousClock.Instant?, open: [String: FlowRecord])>((nil, [:]))

    func openCopy() -> [String: FlowRecord] {
        let now = ContinuousClock.now
        if let fresh = shared.withLock({ s -> [String: FlowRecord]? in
            guard let t = s.taken, now - t < .seconds(1) else { return nil }
            return s.open
        }) { return fresh }
        let copy = state.withLock { $0.open }
        shared.withLock { $0 = (now, copy) }
        return copy
    }

    /// Open flows that `keep` accepts, latest first, at most `limit` after skipping `offset`
    /// (the best `limit + offset` kept while scanning: no sort of them all).
    public func openFlows(limit: Int, offset: Int = 0, where keep: (FlowRecord) -> Bool) -> (records: [FlowRecord], matched: Int) {
        let k = limit + offset
        var best: [FlowRecord] = []
        best.reserveCapacity(k + 1)
        var matched = 0
        func later(_ a: FlowRecord, _ b: FlowRecord) -> Bool { a.start != b.start ? a.start > b.start : a.uid > b.uid }
        for r in openCopy().values where keep(r) {
            matched += 1
            if best.count == k, let last = best.last, !later(r, last) { continue }
            let i = best.firstIndex { later(r, $0) } ?? best.count
            best.insert(r, at: i)
            if best.count > k { best.removeLast() }
        }
        return (Array(best.dropFirst(offset)), matched)
    }

    public func openFlow(uid: String) -> FlowRecord? {
        state.withLock { $0.open[uid] }
    }
}
