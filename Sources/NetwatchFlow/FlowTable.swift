import NetwatchDecode
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Why a flow left the table.
public enum FlowEnd: String, Sendable {
    /// Idle past its state's timeout (by packet time).
    case timeout
    /// Pushed out by a new flow while the table was full.
    case evicted
    /// Still open when the run ended.
    case shutdown
}

/// Every flow seen, keyed by a direction-independent 5-tuple (plus VLAN), with a hard bound
/// on the number of flows.
///
/// Storage is allocated once: an open-addressing index (linear probing, backward-shift
/// deletion) over a fixed array of flows, threaded on a least-recently-seen list. Each index
/// slot holds the flow's hash beside its position, so probing and deletion touch a flow's
/// record only when the hash matches. Lookups use a hash keyed per process (`SeededHash`), so
/// crafted addresses cannot aim at one bucket. Expiry walks the list from the oldest flow and
/// stops at the first one too young to expire under the shortest timeout, so its cost follows
/// the flows that end. Mutable bookkeeping sits behind a pointer: the per-packet path pays no
/// dynamic exclusivity checks.
public final class FlowTable {
    public let capacity: Int
    private let flows: UnsafeMutablePointer<Flow>
    /// Per slot: hash << 32 | (flow index + 1), 0 when empty. Zeroed memory from `LargeAllocation`,
    /// so start-up touches no page of the index until flows arrive.
    private let slots: UnsafeMutablePointer<UInt64>
    private let mask: Int
    private let state: UnsafeMutablePointer<State>

    private struct State {
        var timeouts: FlowTimeouts
        /// Flows removed, chained through `older`; flows never used come from `nextUnused`.
        var freeHead: Int32 = -1
        var nextUnused: Int32 = 0
        var newest: Int32 = -1
        var oldest: Int32 = -1
        var nextID: UInt64 = 1
        var count = 0
        var created: UInt64 = 0
        var expired: UInt64 = 0
        var evicted: UInt64 = 0
    }

    public var timeouts: FlowTimeouts {
        get { state.pointee.timeouts }
        set { state.pointee.timeouts = newValue }
    }
    public var count: Int { state.pointee.count }
    public var created: UInt64 { state.pointee.created }
    public var expired: UInt64 { state.pointee.expired }
    public var evicted: UInt64 { state.pointee.evicted }

    /// Bytes one tracked flow costs: its record plus two index slots.
    public static let bytesPerFlow = MemoryLayout<Flow>.stride + 2 * MemoryLayout<UInt64>.stride

    /// The flow count that fits in `bytes` of memory (the default bound is 256 MB).
    public static func capacity(forMemory bytes: Int) -> Int { max(1024, bytes / bytesPerFlow) }

    public init(capacity: Int = FlowTable.capacity(forMemory: 256 << 20), timeouts: FlowTimeouts = FlowTimeouts()) {
        self.capacity = capacity
        var slotCount = 1
        while slotCount < capacity * 2 { slotCount <<= 1 }
        mask = slotCount - 1
        slots = LargeAllocation.allocate(UInt64.self, count: slotCount)
        flows = LargeAllocation.allocate(Flow.self, count: capacity)
        state = .allocate(capacity: 1)
        state.initialize(to: State(timeouts: timeouts))
    }

    deinit {
        LargeAllocation.deallocate(flows, count: capacity)  // Flow is a trivial type: nothing to deinitialize
        LargeAllocation.deallocate(slots, count: mask + 1)
        state.deallocate()
    }

    public subscript(index: Int32) -> Flow { flows[Int(index)] }

    /// Names the process owning the local end of a flow.
    public func setProcess(_ index: Int32, pid: Int32) { flows[Int(index)].pid = pid }

    /// What `update` did with a packet.
    public struct Update {
        public var index: Int32
        public var isNew: Bool
        public var fromOriginator: Bool
        /// The flow an ICMP error packet is about, or -1.
        public var quoted: Int32
        /// This packet is the responder's first: the attempt was answered (or rejected).
        public var isFirstReply: Bool
        /// This packet completed the TCP handshake.
        public var completedHandshake: Bool
    }

    /// Accounts one packet to its flow, creating the flow if needed; `ended` hears of a flow
    /// evicted to make room. Nil for packets that belong to no flow.
    @inline(__always)
    public func update(_ p: DecodedPacket, time: Int64, wireLength: Int, ended: (Flow, FlowEnd) -> Void) -> Update? {
        guard let (key, sourceIsLow) = FlowKey.of(p) else { return nil }
        let hash = Self.hash(key)
        var (index, slot) = find(key, hash: hash)
        var isNew = false
        if index < 0 {
            if state.pointee.freeHead < 0 && Int(state.pointee.nextUnused) == capacity {
                evictOldest(ended)
                // The eviction moved slots: find the empty one again.
                slot = Int(hash) & mask
                while slots[slot] != 0 { slot = (slot + 1) & mask }
            }
            if state.pointee.freeHead >= 0 {
                index = state.pointee.freeHead
                state.pointee.freeHead = flows[Int(index)].older
            } else {
                index = state.pointee.nextUnused
                state.pointee.nextUnused += 1
            }
            // The originator sent the first packet; a first SYN-ACK comes from the responder.
            var originatorIsLow = sourceIsLow
            if p.transport == .tcp && p.tcp.flags.contains([.syn, .ack]) { originatorIsLow.toggle() }
            (flows + Int(index)).initialize(
                to: Flow(key: key, originatorIsLow: originatorIsLow, id: state.pointee.nextID, transport: p.transport, first: time, last: time, hash: hash))
            state.pointee.nextID += 1
            slots[slot] = UInt64(hash) << 32 | UInt64(index + 1)
            state.pointee.count += 1
            state.pointee.created += 1
            isNew = true
            link(index)
        } else {
            touch(index)
        }
        let fromOriginator = sourceIsLow == flows[Int(index)].originatorIsLow
        let isFirstReply = !fromOriginator && flows[Int(index)].responderPackets == 0
        let completed = account(&flows[Int(index)], p, time: time, wireLength: wireLength, fromOriginator: fromOriginator)
        var quoted: Int32 = -1
        if p.icmp.hasQuotedFlow, let (quotedKey, _) = FlowKey.ofQuoted(p) {
            // An ICMP error (unreachable, time exceeded, ...) also counts on the flow it is about.
            quoted = find(quotedKey, hash: Self.hash(quotedKey)).index
            if quoted >= 0 {
                flows[Int(quoted)].icmpErrors &+= 1
                flows[Int(quoted)].lastICMPError = UInt16(p.icmp.type) << 8 | UInt16(p.icmp.code)
            }
        }
        return Update(index: index, isNew: isNew, fromOriginator: fromOriginator, quoted: quoted, isFirstReply: isFirstReply, completedHandshake: completed)
    }

    @inline(__always)
    private static func hash(_ key: FlowKey) -> UInt32 {
        var hasher = SeededHash()
        key.hash(into: &hasher)
        return UInt32(truncatingIfNeeded: hasher.value)
    }

    /// The flow with `key` and its slot, or index -1 and the empty slot that ends its probe.
    @inline(__always)
    private func find(_ key: FlowKey, hash: UInt32) -> (index: Int32, slot: Int) {
        let tag = UInt64(hash) << 32
        var slot = Int(hash) & mask
        while slots[slot] != 0 {
            let entry = slots[slot]
            if entry & 0xFFFF_FFFF_0000_0000 == tag {
                let candidate = Int32(truncatingIfNeeded: entry) - 1
                if flows[Int(candidate)].key == key { return (candidate, slot) }
            }
            slot = (slot + 1) & mask
        }
        return (-1, slot)
    }

    /// Returns true when the packet completed the TCP handshake.
    @inline(__always)
    private func account(_ f: inout Flow, _ p: DecodedPacket, time: Int64, wireLength: Int, fromOriginator: Bool) -> Bool {
        f.last = time
        let ipBytes = UInt64(p.ipLength)
        if fromOriginator { f.originatorWireBytes &+= UInt64(wireLength) } else { f.responderWireBytes &+= UInt64(wireLength) }
        let payload = p.payloadLength + p.payloadMissing
        if fromOriginator {
            f.originatorPackets &+= 1
            f.originatorIPBytes &+= ipBytes
            f.originatorBytes &+= UInt64(payload)
        } else {
            f.responderPackets &+= 1
            f.responderIPBytes &+= ipBytes
            f.responderBytes &+= UInt64(payload)
        }
        guard p.transport == .tcp else {
            if payload > 0 { f.history.recordData(originator: fromOriginator) }
            return false
        }
        f.history.record(p.tcp.flags, payload: payload, originator: fromOriginator)
        let wasEstablished = f.originatorState == .established
        if fromOriginator {
            Self.advance(sender: &f.originatorState, peer: &f.responderState, p.tcp.flags)
        } else {
            Self.advance(sender: &f.responderState, peer: &f.originatorState, p.tcp.flags)
        }
        return !wasEstablished && f.originatorState == .established
    }

    /// TCP endpoint transitions after Zeek's TCP analyzer, reduced to what conn_state reads.
    @inline(__always)
    static func advance(sender: inout TCPEndpointState, peer: inout TCPEndpointState, _ flags: TCPFlags) {
        if flags.contains(.rst) {
            sender = .reset
            return
        }
        if flags.contains(.syn) {
            if flags.contains(.ack) {
                if sender == .inactive || sender == .synSent { sender = .synAckSent }
            } else if sender == .inactive {
                sender = .synSent
            }
        } else {
            if sender == .inactive { sender = .partial }
            if flags.contains(.ack) {
                if (sender == .synSent && peer == .synAckSent) || (sender == .synAckSent && (peer == .synSent || peer == .established)) {
                    sender = .established
                    peer = .established
                }
            }
        }
        if flags.contains(.fin) && sender != .reset { sender = .closed }
    }

    /// Ends every flow idle past its timeout at packet time `now` (ns). When the table is
    /// nine-tenths full the timeouts are cut to a quarter, so a flood cannot hold it.
    public func expire(now: Int64, _ ended: (Flow, FlowEnd) -> Void) {
        let timeouts = state.pointee.timeouts
        let divisor: Int64 = state.pointee.count * 10 >= capacity * 9 ? 4 : 1
        let youngest = timeouts.shortest / divisor * 1_000_000_000
        var index = state.pointee.oldest
        while index >= 0 {
            let last = flows[Int(index)].last
            if now - last < youngest { break }
            let previous = flows[Int(index)].newer
            if now - last >= timeouts.idleLimit(flows[Int(index)]) / divisor * 1_000_000_000 {
                let flow = flows[Int(index)]
                remove(index)
                state.pointee.expired += 1
                ended(flow, .timeout)
            }
            index = previous
        }
    }

    /// Ends every flow still open (at shutdown), oldest first, and empties the table.
    public func removeAll(_ ended: (Flow, FlowEnd) -> Void) {
        guard state.pointee.count > 0 else { return }
        var index = state.pointee.oldest
        while index >= 0 {
            ended(flows[Int(index)], .shutdown)
            index = flows[Int(index)].newer
        }
        memset(slots, 0, (mask + 1) * MemoryLayout<UInt64>.stride)
        state.pointee.count = 0
        state.pointee.newest = -1
        state.pointee.oldest = -1
        state.pointee.freeHead = -1
        state.pointee.nextUnused = 0
    }

    private func evictOldest(_ ended: (Flow, FlowEnd) -> Void) {
        let index = state.pointee.oldest
        guard index >= 0 else { return }
        let flow = flows[Int(index)]
        remove(index)
        state.pointee.evicted += 1
        ended(flow, .evicted)
    }

    // MARK: Least-recently-seen list

    @inline(__always)
    private func link(_ index: Int32) {
        let newest = state.pointee.newest
        flows[Int(index)].older = newest
        flows[Int(index)].newer = -1
        if newest >= 0 { flows[Int(newest)].newer = index }
        state.pointee.newest = index
        if state.pointee.oldest < 0 { state.pointee.oldest = index }
    }

    @inline(__always)
    private func unlink(_ index: Int32) {
        let older = flows[Int(index)].older
        let newer = flows[Int(index)].newer
        if older >= 0 { flows[Int(older)].newer = newer } else { state.pointee.oldest = newer }
        if newer >= 0 { flows[Int(newer)].older = older } else { state.pointee.newest = older }
    }

    @inline(__always)
    private func touch(_ index: Int32) {
        guard state.pointee.newest != index else { return }
        unlink(index)
        link(index)
    }

    /// Takes a flow out of the index (backward-shift deletion keeps probe chains whole; the
    /// hashes in the slots say where each entry belongs) and the list, onto the free list.
    private func remove(_ index: Int32) {
        unlink(index)
        let entry = UInt64(flows[Int(index)].hash) << 32 | UInt64(index + 1)
        var hole = Int(flows[Int(index)].hash) & mask
        while slots[hole] != entry { hole = (hole + 1) & mask }
        var next = (hole + 1) & mask
        while slots[next] != 0 {
            let home = Int(slots[next] >> 32) & mask
            // Move the entry back if its home is not in (hole, next].
            let between = hole <= next ? (home > hole && home <= next) : (home > hole || home <= next)
            if !between {
                slots[hole] = slots[next]
                hole = next
            }
            next = (next + 1) & mask
        }
        slots[hole] = 0
        flows[Int(index)].id = 0
        flows[Int(index)].older = state.pointee.freeHead
        state.pointee.freeHead = index
        state.pointee.count -= 1
    }
}
