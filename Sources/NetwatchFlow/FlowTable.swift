import CPrefetch
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
    /// A side had closed (FIN or RST) and a new SYN came on the same 5-tuple: a new
    /// connection begins, as in Zeek (its `connection_reused`), and this one ends.
    case reused
}

/// Every flow seen, keyed by a direction-independent 5-tuple (plus VLAN), with a hard bound
/// on the number of flows.
///
/// Storage is mapped once: an open-addressing index (linear probing, backward-shift
/// deletion) over a fixed array of flows, threaded on a least-recently-seen list (a flow moves
/// up at most once per 2^30 ns of packet time: `moveShift`). Each index slot holds the flow's
/// hash beside its position, so probing and deletion touch a flow's
/// record only when the hash matches. The index starts small and grows fourfold (to twice the
/// capacity at most) as flows arrive, so a run with few flows touches, zeroes and misses in a
/// small index rather than tens of megabytes. Lookups use a hash keyed per process
/// (`SeededHash`), so crafted addresses cannot aim at one bucket. Expiry walks the list from
/// the oldest flow and stops at the first one too young (by the time it last moved) to expire
/// under the shortest timeout, so its cost follows the flows that end. Mutable bookkeeping
/// sits behind a pointer: the per-packet path pays no dynamic exclusivity checks.
public final class FlowTable {
    public let capacity: Int
    @usableFromInline let flows: UnsafeMutablePointer<Flow>
    @usableFromInline let state: UnsafeMutablePointer<State>
    /// The index never grows past this many slots: twice the capacity, rounded up to a power of two.
    @usableFromInline let maxSlots: Int

    @usableFromInline struct State {
        @usableFromInline var timeouts: FlowTimeouts
        /// Per slot: hash << 32 | (flow index + 1), 0 when empty. Zeroed memory from
        /// `LargeAllocation`, touched only as flows arrive.
        @usableFromInline var slots: UnsafeMutablePointer<UInt64>
        @usableFromInline var mask: Int
        @usableFromInline var seed: UInt64
        /// Flows removed, chained through `older`; flows never used come from `nextUnused`.
        @usableFromInline var freeHead: Int32 = -1
        @usableFromInline var nextUnused: Int32 = 0
        @usableFromInline var newest: Int32 = -1
        @usableFromInline var oldest: Int32 = -1
        @usableFromInline var nextID: UInt64 = 1
        @usableFromInline var count = 0
        @usableFromInline var created: UInt64 = 0
        @usableFromInline var expired: UInt64 = 0
        @usableFromInline var evicted: UInt64 = 0
        @usableFromInline var reused: UInt64 = 0
        /// One record more than the capacity: an evicted flow stays intact here (for whoever
        /// reports it) while its old record takes the new flow, so eviction copies nothing.
        @usableFromInline var spare: Int32
        /// Under eviction, the flow `victimLead` places after the next victim, reached by one
        /// step along the list per eviction (`prefetchVictims`); -1 when it must be found again.
        /// Only a hint: a flow moved or removed since leaves it pointing elsewhere for a while.
        @usableFromInline var victimAhead: Int32 = -1
        /// The closing queue: a ring of `closingSize` entries.
        @usableFromInline var closing: UnsafeMutablePointer<ClosingEntry>
        @usableFromInline var closingSize: Int
        @usableFromInline var closingHead = 0
        @usableFromInline var closingCount = 0

        init(timeouts: FlowTimeouts, slots: UnsafeMutablePointer<UInt64>, mask: Int, seed: UInt64, spare: Int32,
             closing: UnsafeMutablePointer<ClosingEntry>, closingSize: Int) {
            self.closing = closing
            self.closingSize = closingSize
            self.timeouts = timeouts
            self.slots = slots
            self.mask = mask
            self.seed = seed
            self.spare = spare
        }
    }

    public var timeouts: FlowTimeouts {
        get { state.pointee.timeouts }
        set { state.pointee.timeouts = newValue }
    }
    public var count: Int { state.pointee.count }
    public var created: UInt64 { state.pointee.created }
    public var expired: UInt64 { state.pointee.expired }
    public var evicted: UInt64 { state.pointee.evicted }
    /// Flows ended by a new connection on their 5-tuple (`FlowEnd.reused`).
    public var reused: UInt64 { state.pointee.reused }

    /// Index slots for a capacity: twice the flows (so probes stay short), a power of two.
    static func slots(forCapacity capacity: Int) -> Int {
        var slotCount = 1
        while slotCount < capacity * 2 { slotCount <<= 1 }
        return slotCount
    }

    /// Memory the table maps when full: the flow records (and the spare) plus the whole index.
    public static func bytes(forCapacity capacity: Int) -> Int {
        (capacity + 1) * MemoryLayout<Flow>.stride + slots(forCapacity: capacity) * MemoryLayout<UInt64>.stride
            + closingSize(capacity) * MemoryLayout<ClosingEntry>.stride
    }

    /// The closing queue holds an eighth of the table: more flows closing within the closed
    /// timeout than that are found by the walk along the list instead (a little later).
    static func closingSize(_ capacity: Int) -> Int { capacity / 8 + 1024 }

    /// A flow that closed (FIN or RST), waiting out the closed timeout: where it is, which
    /// flow it was (the record may hold another by then), when it closed (seconds).
    @usableFromInline struct ClosingEntry {
        @usableFromInline var index: Int32
        @usableFromInline var second: Int32
        @usableFromInline var id: UInt64
    }

    /// Bytes one tracked flow costs in a full table of `capacity` flows.
    public static func bytesPerFlow(capacity: Int) -> Int { (bytes(forCapacity: capacity) + capacity - 1) / capacity }

    /// The most flows whose full table fits in `bytes` of memory (the default bound is 256 MB).
    public static func capacity(forMemory bytes: Int) -> Int {
        // The index is a power of two: take the largest that leaves room for the records it serves.
        var best = 1024
        var slotCount = 2048
        while slotCount * MemoryLayout<UInt64>.stride < bytes {
            let records = (bytes - slotCount * MemoryLayout<UInt64>.stride - 1024 * MemoryLayout<ClosingEntry>.stride)
                / (MemoryLayout<Flow>.stride + MemoryLayout<ClosingEntry>.stride / 8) - 1
            best = max(best, min(records, slotCount / 2))
            slotCount <<= 1
        }
        return best
    }

    /// A flow moves to the newest end of the list only when its packet falls in a later window
    /// of 2^30 ns (1.07 s) of packet time than its last one, not on every packet: each move
    /// writes two other flows' records. So the list is ordered by when each flow last moved,
    /// and a flow's `last` is less than one window past that.
    @inlinable static var moveShift: Int64 { 30 }

    /// The index's first size: 64k slots (512 KB), or the whole index when smaller.
    static func initialSlots(max: Int) -> Int { min(max, 1 << 16) }

    public init(capacity: Int = FlowTable.capacity(forMemory: 256 << 20), timeouts: FlowTimeouts = FlowTimeouts()) {
        // Records start on a line (the allocation is page-aligned) and stay on lines.
        assert(MemoryLayout<Flow>.stride == 192)
        self.capacity = capacity
        maxSlots = Self.slots(forCapacity: capacity)
        let slotCount = Self.initialSlots(max: maxSlots)
        flows = LargeAllocation.allocate(Flow.self, count: capacity + 1)
        state = .allocate(capacity: 1)
        state.initialize(to: State(timeouts: timeouts, slots: LargeAllocation.allocate(UInt64.self, count: slotCount), mask: slotCount - 1,
                                   seed: SeededHash.seed, spare: Int32(capacity),
                                   closing: LargeAllocation.allocate(ClosingEntry.self, count: Self.closingSize(capacity)),
                                   closingSize: Self.closingSize(capacity)))
    }

    deinit {
        LargeAllocation.deallocate(flows, count: capacity + 1)  // Flow is a trivial type: nothing to deinitialize
        LargeAllocation.deallocate(state.pointee.slots, count: state.pointee.mask + 1)
        LargeAllocation.deallocate(state.pointee.closing, count: state.pointee.closingSize)
        state.deallocate()
    }

    public subscript(index: Int32) -> Flow { flows[Int(index)] }

    /// Notes the capture interface a new flow came in on (runs reading several).
    public func setInterface(_ index: Int32, _ interface: Int) { flows[Int(index)].interfaceRaw = UInt8(clamping: interface + 1) }

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
        /// The table was full: the least recently seen flow made room (see `lastEvicted`).
        public var evicted: Bool
        /// A SYN began a new connection on a closed flow's 5-tuple: the old flow ended (see
        /// `lastEvicted`, which holds it).
        public var reused: Bool

        @inlinable
        init(index: Int32, isNew: Bool, fromOriginator: Bool, quoted: Int32, isFirstReply: Bool, completedHandshake: Bool, evicted: Bool,
             reused: Bool) {
            self.index = index
            self.isNew = isNew
            self.fromOriginator = fromOriginator
            self.quoted = quoted
            self.isFirstReply = isFirstReply
            self.completedHandshake = completedHandshake
            self.evicted = evicted
            self.reused = reused
        }

        /// Why the flow in `lastEvicted` ended, when one did.
        @inlinable public var endedReason: FlowEnd? { reused ? .reused : evicted ? .evicted : nil }
    }

    /// The flow the last `update` with `evicted` set pushed out, as it was then (until the
    /// next eviction).
    public var lastEvicted: Flow { flows[Int(state.pointee.spare)] }

    /// `lastEvicted` by reference, valid until the next `update`.
    @inlinable public var lastEvictedRecord: UnsafePointer<Flow> { UnsafePointer(flows + Int(state.pointee.spare)) }

    /// Accounts one packet to its flow, creating the flow if needed; `ended` hears of a flow
    /// evicted to make room. Nil for packets that belong to no flow.
    public func update(_ p: DecodedPacket, time: Int64, wireLength: Int, ended: (Flow, FlowEnd) -> Void) -> Update? {
        var p = p
        guard let probe = probe(&p) else { return nil }
        let update = update(probe, &p, time: time, wireLength: wireLength)
        if let reason = update.endedReason { ended(lastEvicted, reason) }
        return update
    }

    /// A packet's flow key, which side of it the source is, and the key's hash: worked out
    /// once by `probe`, used by `update`.
    public struct Probe {
        @usableFromInline var key: FlowKey
        @usableFromInline var sourceIsLow: Bool
        @usableFromInline var hash: UInt32

        @inlinable init(key: FlowKey, sourceIsLow: Bool, hash: UInt32) {
            self.key = key
            self.sourceIsLow = sourceIsLow
            self.hash = hash
        }
    }

    /// The packet's probe, nil for packets that belong to no flow. It also starts loading the
    /// index slot `update` will read: called before other per-packet work (statistics), that
    /// cache miss overlaps the work instead of stalling `update`. (`inout` only to pass the
    /// packet by reference, as in `update`; it is not changed.)
    @inlinable @inline(always)
    public func probe(_ p: inout DecodedPacket) -> Probe? {
        guard let (key, sourceIsLow) = FlowKey.of(p) else { return nil }
        return lookAhead(key, sourceIsLow: sourceIsLow)
    }

    /// The probe for `key`, with its index line requested. Also made from a first look at a
    /// packet still to come (`FlowKey.peek`): when that packet decodes without an issue, its
    /// key is the one `probe` would make again.
    @inlinable @inline(__always)
    public func lookAhead(_ key: FlowKey, sourceIsLow: Bool) -> Probe {
        let hash = self.hash(key)
        netwatch_prefetch(state.pointee.slots + (Int(hash) & state.pointee.mask))
        return Probe(key: key, sourceIsLow: sourceIsLow, hash: hash)
    }

    /// Accounts one packet, of the flow `probe` names, to that flow, creating it if needed.
    /// The per-packet form: no closure to call, and so nothing to retain; inlined, so the
    /// packet is read in place (`inout` only to pass it by reference: a 439-byte argument
    /// would otherwise be copied for the call; it is not changed).
    @inlinable @inline(always)
    public func update(_ probe: Probe, _ p: inout DecodedPacket, time: Int64, wireLength: Int) -> Update {
        let key = probe.key
        let sourceIsLow = probe.sourceIsLow
        let hash = probe.hash
        var (index, slot) = find(key, hash: hash)
        var isNew = false
        var evicted = false
        var reused = false
        if index >= 0 && _slowPath(p.transport == .tcp && FlowTable.reuses(flows + Int(index), p.tcp.flags)) {
            // The old flow leaves the index and keeps its record as the spare (for the caller,
            // as after an eviction); the old spare takes the new connection.
            let old = index
            unindex(old)
            index = state.pointee.spare
            state.pointee.spare = old
            state.pointee.reused &+= 1
            reused = true
            slot = emptySlot(hash)
        }
        if index < 0 || reused {
            if reused {
                // Its record is the spare's, taken above.
            } else if isFull {
                // The least recently seen flow leaves the index and keeps its record as the
                // spare; the old spare takes the new flow.
                let victim = state.pointee.oldest
                unindex(victim)
                prefetchVictims()
                index = state.pointee.spare
                state.pointee.spare = victim
                state.pointee.evicted &+= 1
                evicted = true
                // The eviction moved slots: find the empty one again.
                slot = emptySlot(hash)
            } else {
                if (state.pointee.count &+ 1) &* 2 > state.pointee.mask &+ 1 && state.pointee.mask &+ 1 < maxSlots {
                    grow()
                    slot = emptySlot(hash)
                }
                if state.pointee.freeHead >= 0 {
                    index = state.pointee.freeHead
                    state.pointee.freeHead = flows[Int(index)].older
                } else {
                    index = state.pointee.nextUnused
                    state.pointee.nextUnused &+= 1
                }
            }
            // The originator sent the first packet; a first SYN-ACK comes from the responder.
            // Unless the packet came from a likely server port to a client's (Zeek's flip).
            var originatorIsLow = sourceIsLow
            // (A SYN opens, a SYN-ACK answers: no port test for either.)
            let flipped = p.transport == .tcp && p.tcp.flags.contains(.syn) ? p.tcp.flags.contains(.ack) : LikelyServerPorts.flips(&p)
            if flipped { originatorIsLow.toggle() }
            (flows + Int(index)).initialize(
                to: Flow(key: key, originatorIsLow: originatorIsLow, id: state.pointee.nextID, transport: p.transport, first: time, last: time, hash: hash))
            if flipped { flows[Int(index)].history.markFlipped() }
            state.pointee.nextID &+= 1
            state.pointee.slots[slot] = UInt64(hash) << 32 | UInt64(index &+ 1)
            state.pointee.count &+= 1
            state.pointee.created &+= 1
            isNew = true
            link(index)
        } else if flows[Int(index)].last >> FlowTable.moveShift != time >> FlowTable.moveShift {
            touch(index)
        }
        let fromOriginator = sourceIsLow == flows[Int(index)].originatorIsLow
        let isFirstReply = !fromOriginator && flows[Int(index)].responderPackets == 0
        let completed = account(&flows[Int(index)], index, p, time: time, wireLength: wireLength, fromOriginator: fromOriginator)
        let quoted = p.icmp.hasQuotedFlow ? accountQuoted(p) : -1
        return Update(index: index, isNew: isNew, fromOriginator: fromOriginator, quoted: quoted, isFirstReply: isFirstReply,
                      completedHandshake: completed, evicted: evicted, reused: reused)
    }

    /// Zeek's connection reuse (`TCPSessionAdapter::IsReuse`, closed case): an initial SYN (no
    /// ACK) on a connection either side has closed (FIN) or reset begins a new connection.
    /// (Zeek also starts one when an open connection's SYN comes with another initial
    /// sequence number; flows keep no sequence numbers, so that case stays one flow here.)
    @inlinable @inline(__always)
    static func reuses(_ flow: UnsafePointer<Flow>, _ flags: TCPFlags) -> Bool {
        flags.contains(.syn) && !flags.contains(.ack) && flow.pointee.isClosing
    }

    /// An ICMP error (unreachable, time exceeded, ...) also counts on the flow it is about;
    /// that flow's index, or -1. Out of line: rare, and inlined its probe loop cost the packet
    /// loop registers.
    @inline(never) @usableFromInline
    func accountQuoted(_ p: DecodedPacket) -> Int32 {
        guard let (quotedKey, _) = FlowKey.ofQuoted(p) else { return -1 }
        let quoted = find(quotedKey, hash: self.hash(quotedKey)).index
        if quoted >= 0 {
            flows[Int(quoted)].icmpErrors &+= 1
            flows[Int(quoted)].lastICMPError = UInt16(p.icmp.type) << 8 | UInt16(p.icmp.code)
        }
        return quoted
    }

    @inlinable @inline(always)
    func hash(_ key: FlowKey) -> UInt32 {
        var hasher = SeededHash(seed: state.pointee.seed)
        key.hash(into: &hasher)
        return UInt32(truncatingIfNeeded: hasher.value)
    }

    /// The flow with `key` and its slot, or index -1 and the empty slot that ends its probe.
    @inlinable @inline(always)
    func find(_ key: FlowKey, hash: UInt32) -> (index: Int32, slot: Int) {
        let tag = UInt64(hash) << 32
        let slots = state.pointee.slots
        let mask = state.pointee.mask
        var slot = Int(hash) & mask
        while slots[slot] != 0 {
            let entry = slots[slot]
            if entry & 0xFFFF_FFFF_0000_0000 == tag {
                let candidate = Int32(truncatingIfNeeded: entry) - 1
                // A flow not seen for a while misses on every line it has: the lines the
                // packet will update load beside the one compared, not after it.
                let record = UnsafeRawPointer(flows + Int(candidate))
                netwatch_prefetch(record + 64)
                netwatch_prefetch(record + 128)
                if flows[Int(candidate)].key == key { return (candidate, slot) }
            }
            slot = (slot &+ 1) & mask
        }
        return (-1, slot)
    }

    /// How many evictions ahead `prefetchVictims` requests a victim's index slot. One was too
    /// few: under a SYN flood the victim's slot read in `unindex` still stalled (58 % of its
    /// samples) a packet after it was requested.
    @inlinable static var victimLead: Int { 4 }

    /// Under eviction, later victims' lines load while packets come between: the index slot of
    /// the victim `victimLead` evictions ahead (its record was requested an eviction earlier)
    /// and the record after it.
    @inlinable @inline(always)
    func prefetchVictims() {
        var ahead = state.pointee.victimAhead
        if ahead >= 0 {
            ahead = flows[Int(ahead)].newer
        } else {
            // Found again from the oldest: a few dependent reads, once in a while.
            ahead = state.pointee.oldest
            var step = 0
            while ahead >= 0 && step < FlowTable.victimLead {
                ahead = flows[Int(ahead)].newer
                step &+= 1
            }
        }
        state.pointee.victimAhead = ahead
        guard ahead >= 0 else { return }
        netwatch_prefetch(state.pointee.slots + (Int(flows[Int(ahead)].hash) & state.pointee.mask))
        let after = flows[Int(ahead)].newer
        guard after >= 0 else { return }
        // Its three lines: eviction reads the first two (key, links, counts), the new flow writes all.
        let record = UnsafeRawPointer(flows + Int(after))
        netwatch_prefetch(record)
        netwatch_prefetch(record + 64)
        netwatch_prefetch(record + 128)
    }

    /// Every record is in use (no free one, none never used): a new flow must evict.
    @inlinable var isFull: Bool {
        @inline(always) get { state.pointee.freeHead < 0 && Int(state.pointee.nextUnused) == capacity }
    }

    @inlinable @inline(always)
    func emptySlot(_ hash: UInt32) -> Int { FlowTable.emptySlot(hash, in: state.pointee.slots, mask: state.pointee.mask) }

    /// The first empty slot of `hash`'s probe sequence.
    @inlinable @inline(always)
    static func emptySlot(_ hash: UInt32, in slots: UnsafeMutablePointer<UInt64>, mask: Int) -> Int {
        var slot = Int(hash) & mask
        while slots[slot] != 0 { slot = (slot &+ 1) & mask }
        return slot
    }

    /// Makes the index four times as large (or as large as it may be) and places every entry
    /// again by its hash. Rare (a few times a run), so a new flow's amortised cost stays
    /// constant; fourfold rather than twofold, a table filling to millions of flows places
    /// each entry again a third as often (about 16 instructions a packet under a SYN flood).
    @usableFromInline func grow() {
        let oldSlots = state.pointee.slots
        let oldCount = state.pointee.mask + 1
        let newCount = min(oldCount * 4, maxSlots)
        let slots = LargeAllocation.allocate(UInt64.self, count: newCount)
        let mask = newCount - 1
        for i in 0..<oldCount where oldSlots[i] != 0 {
            slots[FlowTable.emptySlot(UInt32(truncatingIfNeeded: oldSlots[i] >> 32), in: slots, mask: mask)] = oldSlots[i]
        }
        LargeAllocation.deallocate(oldSlots, count: oldCount)
        state.pointee.slots = slots
        state.pointee.mask = mask
    }

    /// Returns true when the packet completed the TCP handshake.
    @inlinable @inline(always)
    func account(_ f: inout Flow, _ index: Int32, _ p: DecodedPacket, time: Int64, wireLength: Int, fromOriginator: Bool) -> Bool {
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
            // ICMP has no history letters in Zeek's conn.log, nor a state (always OTH).
            if payload > 0 && p.transport != .icmp && p.transport != .icmpv6 { f.history.recordData(originator: fromOriginator) }
            return false
        }
        f.history.record(p.tcp.flags, payload: payload, originator: fromOriginator)
        let wasEstablished = f.originatorState == .established
        let wasClosing = f.isClosing
        if fromOriginator {
            f.originatorTCPFlags |= UInt8(truncatingIfNeeded: p.tcp.flags.rawValue)
            FlowTable.advance(sender: &f.originatorState, peer: &f.responderState, p.tcp.flags)
        } else {
            f.responderTCPFlags |= UInt8(truncatingIfNeeded: p.tcp.flags.rawValue)
            FlowTable.advance(sender: &f.responderState, peer: &f.originatorState, p.tcp.flags)
        }
        if _slowPath(!wasClosing && f.isClosing) { queueClosing(index, id: f.id, time: time) }
        return !wasEstablished && f.originatorState == .established
    }

    /// TCP endpoint transitions after Zeek's TCP analyzer, reduced to what conn_state reads.
    @inlinable @inline(always)
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
        expireClosing(now: now, limit: timeouts.tcpClosed * 1_000_000_000 / divisor, ended)
        // Closed flows that did not fit the queue are still found here, only later: the walk
        // stops where no flow can be due under the other timeouts.
        let youngest = min(timeouts.shortestOpen, state.pointee.closingCount == state.pointee.closingSize ? timeouts.tcpClosed : .max)
            / divisor * 1_000_000_000
        var index = state.pointee.oldest
        while index >= 0 {
            let last = flows[Int(index)].last
            // Every flow after this one moved (and so was last seen) after `last` less one window.
            if now - (last - (1 << FlowTable.moveShift)) < youngest { break }
            let previous = flows[Int(index)].newer
            if now - last >= timeouts.idleLimit(flows + Int(index)) / divisor * 1_000_000_000 {
                let flow = flows[Int(index)]
                remove(index)
                state.pointee.expired += 1
                ended(flow, .timeout)
            }
            index = previous
        }
    }

    /// Notes a flow that just closed (FIN or RST) at the queue's end; a full queue leaves it
    /// to the walk along the list.
    @usableFromInline func queueClosing(_ index: Int32, id: UInt64, time: Int64) {
        guard state.pointee.closingCount < state.pointee.closingSize else { return }
        var slot = state.pointee.closingHead + state.pointee.closingCount
        if slot >= state.pointee.closingSize { slot -= state.pointee.closingSize }
        state.pointee.closing[slot] = ClosingEntry(index: index, second: Int32(truncatingIfNeeded: time / 1_000_000_000), id: id)
        state.pointee.closingCount += 1
    }

    /// Ends the queued closed flows idle past `limit` ns. Entries come in the order the flows
    /// closed, so the first that closed too recently ends the pass; one still busy (a
    /// half-closed transfer) goes to the back, to be looked at a timeout after its last packet.
    func expireClosing(now: Int64, limit: Int64, _ ended: (Flow, FlowEnd) -> Void) {
        var budget = state.pointee.closingCount
        let second = now / 1_000_000_000
        while budget > 0 {
            budget -= 1
            let e = state.pointee.closing[state.pointee.closingHead]
            let f = flows + Int(e.index)
            // The spare holds the last evicted flow intact, id and all: not in the table.
            let current = f.pointee.id == e.id && e.index != state.pointee.spare
            if current && (second - Int64(e.second)) * 1_000_000_000 < limit - 1_000_000_000 { break }
            state.pointee.closingHead += 1
            if state.pointee.closingHead == state.pointee.closingSize { state.pointee.closingHead = 0 }
            state.pointee.closingCount -= 1
            guard current else { continue }  // removed or evicted since; its record may be another flow's
            if now - f.pointee.last >= limit {
                let flow = f.pointee
                remove(e.index)
                state.pointee.expired += 1
                ended(flow, .timeout)
            } else {
                // Due a timeout after its last packet.
                queueClosing(e.index, id: e.id, time: f.pointee.last)
            }
        }
    }

    /// Calls `body` with every flow still open, in memory order (the records are read one
    /// after another, not by chasing the list), by reference: nothing is copied.
    public func forEachOpen(_ body: (UnsafePointer<Flow>) -> Void) {
        let spare = Int(state.pointee.spare)
        let end = Int(state.pointee.nextUnused)
        for index in 0..<end {
            // The two lines `body` reads (key; counts and id) of a record a few ahead: the
            // hardware prefetcher stops at each 4 KB page, 21 records.
            let ahead = UnsafeRawPointer(flows + min(index &+ 8, end &- 1))
            netwatch_prefetch(ahead)
            netwatch_prefetch(ahead + 64)
            if index != spare && flows[index].id != 0 { body(flows + index) }
        }
        // Past the records handed out in order: the first spare, which the first eviction
        // gave to a new flow.
        if spare != capacity && flows[capacity].id != 0 { body(flows + capacity) }
    }

    /// Calls `body` with every flow still open, oldest first (least recently seen), by
    /// reference: the order `removeAll` ends them in.
    public func forEachOpenOldestFirst(_ body: (UnsafePointer<Flow>) -> Void) {
        guard state.pointee.count > 0 else { return }
        var index = state.pointee.oldest
        while index >= 0 {
            body(flows + Int(index))
            index = flows[Int(index)].newer
        }
    }

    /// Ends every flow still open (at shutdown), oldest first, and empties the table.
    public func removeAll(_ ended: (Flow, FlowEnd) -> Void) {
        guard state.pointee.count > 0 else { return }
        forEachOpenOldestFirst { ended($0.pointee, .shutdown) }
        reset()
    }

    /// Empties the table without a word about the flows in it. The index starts again at its
    /// first size, on fresh zeroed pages: cheaper than clearing tens of megabytes (a run's
    /// end clears it once per run).
    public func reset() {
        LargeAllocation.deallocate(state.pointee.slots, count: state.pointee.mask + 1)
        let slotCount = Self.initialSlots(max: maxSlots)
        state.pointee.slots = LargeAllocation.allocate(UInt64.self, count: slotCount)
        state.pointee.mask = slotCount - 1
        state.pointee.count = 0
        state.pointee.newest = -1
        state.pointee.oldest = -1
        state.pointee.freeHead = -1
        state.pointee.nextUnused = 0
        state.pointee.spare = Int32(capacity)
        state.pointee.victimAhead = -1
        state.pointee.closingHead = 0
        state.pointee.closingCount = 0
    }

    // MARK: Least-recently-seen list

    @inlinable @inline(always)
    func link(_ index: Int32) {
        let newest = state.pointee.newest
        flows[Int(index)].older = newest
        flows[Int(index)].newer = -1
        if newest >= 0 { flows[Int(newest)].newer = index }
        state.pointee.newest = index
        if state.pointee.oldest < 0 { state.pointee.oldest = index }
    }

    @inlinable @inline(always)
    func unlink(_ index: Int32) {
        let older = flows[Int(index)].older
        let newer = flows[Int(index)].newer
        if older >= 0 { flows[Int(older)].newer = newer } else { state.pointee.oldest = newer }
        if newer >= 0 { flows[Int(newer)].older = older } else { state.pointee.newest = older }
    }

    @inlinable @inline(always)
    func touch(_ index: Int32) {
        guard state.pointee.newest != index else { return }
        unlink(index)
        link(index)
    }

    /// Takes a flow out of the index and the list, onto the free list.
    @usableFromInline func remove(_ index: Int32) {
        unindex(index)
        flows[Int(index)].id = 0
        flows[Int(index)].older = state.pointee.freeHead
        state.pointee.freeHead = index
    }

    /// Takes a flow out of the index (backward-shift deletion keeps probe chains whole; the
    /// hashes in the slots say where each entry belongs) and the list; its record is left as it was.
    @usableFromInline func unindex(_ index: Int32) {
        unlink(index)
        let slots = state.pointee.slots
        let mask = state.pointee.mask
        let entry = UInt64(flows[Int(index)].hash) << 32 | UInt64(index + 1)
        var hole = Int(flows[Int(index)].hash) & mask
        while slots[hole] != entry { hole = (hole &+ 1) & mask }
        var next = (hole &+ 1) & mask
        while slots[next] != 0 {
            let home = Int(slots[next] >> 32) & mask
            // Move the entry back if its home is not in (hole, next].
            let between = hole <= next ? (home > hole && home <= next) : (home > hole || home <= next)
            if !between {
                slots[hole] = slots[next]
                hole = next
            }
            next = (next &+ 1) & mask
        }
        slots[hole] = 0
        state.pointee.count -= 1
    }
}
