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
/// deletion) over a fixed array of flows, threaded on a least-recently-seen list. Lookups use
/// a hash keyed per process (`SeededHash`), so crafted addresses cannot aim at one bucket.
/// Expiry walks the list from the oldest flow and stops at the first one too young to expire
/// under the shortest timeout, so its cost follows the flows that end.
public final class FlowTable {
    public let capacity: Int
    public var timeouts: FlowTimeouts
    private let flows: UnsafeMutablePointer<Flow>
    /// Flow index + 1 per slot, 0 when empty: zeroed memory from `calloc`, so start-up touches
    /// no page of the index until flows arrive.
    private let slots: UnsafeMutablePointer<Int32>
    private let mask: Int
    /// Flows removed, for reuse; flows never used are handed out from `nextUnused`.
    private var freeList: [Int32] = []
    private var nextUnused: Int32 = 0
    private var newest: Int32 = -1
    private var oldest: Int32 = -1
    private var nextID: UInt64 = 1
    public private(set) var count = 0
    public private(set) var created: UInt64 = 0
    public private(set) var expired: UInt64 = 0
    public private(set) var evicted: UInt64 = 0

    /// Bytes one tracked flow costs: its record plus two index slots.
    public static let bytesPerFlow = MemoryLayout<Flow>.stride + 2 * MemoryLayout<Int32>.stride

    /// The flow count that fits in `bytes` of memory (the default bound is 256 MB).
    public static func capacity(forMemory bytes: Int) -> Int { max(1024, bytes / bytesPerFlow) }

    public init(capacity: Int = FlowTable.capacity(forMemory: 256 << 20), timeouts: FlowTimeouts = FlowTimeouts()) {
        self.capacity = capacity
        self.timeouts = timeouts
        var slotCount = 1
        while slotCount < capacity * 2 { slotCount <<= 1 }
        mask = slotCount - 1
        slots = calloc(slotCount, MemoryLayout<Int32>.stride)!.bindMemory(to: Int32.self, capacity: slotCount)
        flows = .allocate(capacity: capacity)
    }

    deinit {
        flows.deallocate()  // Flow is a trivial type: nothing to deinitialize
        free(slots)
    }

    public subscript(index: Int32) -> Flow { flows[Int(index)] }

    /// What `update` did with a packet.
    public struct Update {
        public var index: Int32
        public var isNew: Bool
        public var fromOriginator: Bool
    }

    /// Accounts one packet to its flow, creating the flow if needed; `ended` hears of a flow
    /// evicted to make room. Nil for packets that belong to no flow.
    @inline(__always)
    public func update(_ p: DecodedPacket, time: Int64, wireLength: Int, ended: (Flow, FlowEnd) -> Void) -> Update? {
        guard let (key, sourceIsLow) = FlowKey.of(p) else { return nil }
        var hasher = SeededHash()
        key.hash(into: &hasher)
        let hash = UInt32(truncatingIfNeeded: hasher.value)
        var slot = Int(hash) & mask
        var index: Int32 = -1
        while slots[slot] != 0 {
            let candidate = slots[slot] - 1
            if flows[Int(candidate)].hash == hash && flows[Int(candidate)].key == key {
                index = candidate
                break
            }
            slot = (slot + 1) & mask
        }
        var isNew = false
        if index < 0 {
            if freeList.isEmpty && Int(nextUnused) == capacity {
                evictOldest(ended)
                // The eviction moved slots: find the empty one again.
                slot = Int(hash) & mask
                while slots[slot] != 0 { slot = (slot + 1) & mask }
            }
            if let reused = freeList.popLast() {
                index = reused
            } else {
                index = nextUnused
                nextUnused += 1
            }
            // The originator sent the first packet; a first SYN-ACK comes from the responder.
            var originatorIsLow = sourceIsLow
            if p.transport == .tcp && p.tcp.flags.contains([.syn, .ack]) { originatorIsLow.toggle() }
            (flows + Int(index)).initialize(
                to: Flow(key: key, originatorIsLow: originatorIsLow, id: nextID, transport: p.transport, first: time, last: time, hash: hash))
            nextID += 1
            slots[slot] = index + 1
            count += 1
            created += 1
            isNew = true
            link(index)
        } else {
            touch(index)
        }
        let fromOriginator = sourceIsLow == flows[Int(index)].originatorIsLow
        account(&flows[Int(index)], p, time: time, wireLength: wireLength, fromOriginator: fromOriginator)
        return Update(index: index, isNew: isNew, fromOriginator: fromOriginator)
    }

    @inline(__always)
    private func account(_ f: inout Flow, _ p: DecodedPacket, time: Int64, wireLength: Int, fromOriginator: Bool) {
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
            return
        }
        f.history.record(p.tcp.flags, payload: payload, originator: fromOriginator)
        if fromOriginator {
            Self.advance(sender: &f.originatorState, peer: &f.responderState, p.tcp.flags)
        } else {
            Self.advance(sender: &f.responderState, peer: &f.originatorState, p.tcp.flags)
        }
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
        let divisor: Int64 = count * 10 >= capacity * 9 ? 4 : 1
        let youngest = timeouts.shortest / divisor * 1_000_000_000
        var index = oldest
        while index >= 0 {
            let flow = flows[Int(index)]
            if now - flow.last < youngest { break }
            let previous = flow.newer
            if now - flow.last >= timeouts.idleLimit(flow) / divisor * 1_000_000_000 {
                remove(index)
                expired += 1
                ended(flow, .timeout)
            }
            index = previous
        }
    }

    /// Ends every flow still open (at shutdown), oldest first.
    public func removeAll(_ ended: (Flow, FlowEnd) -> Void) {
        while oldest >= 0 {
            let index = oldest
            let flow = flows[Int(index)]
            remove(index)
            ended(flow, .shutdown)
        }
    }

    private func evictOldest(_ ended: (Flow, FlowEnd) -> Void) {
        let index = oldest
        guard index >= 0 else { return }
        let flow = flows[Int(index)]
        remove(index)
        evicted += 1
        ended(flow, .evicted)
    }

    // MARK: Least-recently-seen list

    private func link(_ index: Int32) {
        flows[Int(index)].older = newest
        flows[Int(index)].newer = -1
        if newest >= 0 { flows[Int(newest)].newer = index }
        newest = index
        if oldest < 0 { oldest = index }
    }

    private func unlink(_ index: Int32) {
        let f = flows[Int(index)]
        if f.older >= 0 { flows[Int(f.older)].newer = f.newer } else { oldest = f.newer }
        if f.newer >= 0 { flows[Int(f.newer)].older = f.older } else { newest = f.older }
    }

    @inline(__always)
    private func touch(_ index: Int32) {
        guard newest != index else { return }
        unlink(index)
        link(index)
    }

    /// Takes a flow out of the index (backward-shift deletion keeps probe chains whole) and the list.
    private func remove(_ index: Int32) {
        unlink(index)
        var hole = Int(flows[Int(index)].hash) & mask
        while slots[hole] != index + 1 { hole = (hole + 1) & mask }
        var next = (hole + 1) & mask
        while slots[next] != 0 {
            let home = Int(flows[Int(slots[next] - 1)].hash) & mask
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
        freeList.append(index)
        count -= 1
    }
}
