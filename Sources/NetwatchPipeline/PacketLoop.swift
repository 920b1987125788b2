import NetwatchCapture
import NetwatchDecode
import NetwatchDetect
import NetwatchEvents
import NetwatchFlow
import NetwatchHost
import NetwatchStats

/// A pipeline's per-packet work through a run. A pcap file reader specialised for it
/// compiles `handle` into its own loop: the packet is not handed through a closure call with
/// a score of captured values each time. The loop itself does not change (so the objects it
/// holds are read without a retain and release per packet); what changes from packet to packet
/// lives behind `state`.
struct PacketLoop: RawPacketHandler {
    /// What the loop updates as packets pass.
    struct State {
        var counters = Counters()
        var nextSweep = Int64.min
        var lastReport = 0.0
        var lastProcessScan: Double
        var lastTime: Int64 = 0
        var lastDetectorTick: Double
        /// One packet record for the run, reset by the decoder: the flow table, statistics and
        /// detectors are inlined here and read it in place; any other stage taking it gets a
        /// copy (439 bytes).
        var packet = DecodedPacket()
        /// A tunnel's outer packet, decoded again as far as the tunnel (`FlowTable.updateTunnels`).
        var outer = DecodedPacket()
        /// The flow table's probes for the packet that comes next and the one after it
        /// (`raw.next`, `raw.later`, which sources hand over next), made from a first look at them.
        var ahead: FlowTable.Probe?
        var later: FlowTable.Probe?
        /// The second of traffic being counted for the sinks (`TrafficTick`), and drops so far.
        var tick = TrafficTick(second: Int64.min)
        var droppedBefore: UInt64 = 0
        /// Packet time of the last scan for long-lived flows (active timeout).
        var lastActiveScan = Int64.min
    }

    let pipeline: PacketPipeline
    let state: UnsafeMutablePointer<State>
    /// Packets and bytes of the second per interface (pairs), for the sinks' ticks.
    let perInterface: UnsafeMutablePointer<UInt64>
    static let countedInterfaces = 64
    let decoder = PacketDecoder()
    let filter: OfflineFilter?
    let view: PacketPipeline.View
    let writing: Bool
    let limit: UInt64
    let flows: FlowTable?
    let tracking: Bool
    let outputs: PacketPipeline.FlowOutputs
    let plan: PacketPipeline.StatisticsPlan
    let stats: TrafficStatistics
    let processes: ProcessDirectory?
    let fileBlocks: Bool
    let countStatistics: Bool
    let statisticsByFlow: Bool
    let detector: ThreatDetector?
    let dnsStreams: DNSOverTCP
    /// Whether sinks hear each second's traffic.
    let ticking: Bool
    /// Whether a sink wants passive DNS.
    let names: Bool
    let opens: Bool
    let live: Bool
    /// Each flow keeps its interface (the run reads several).
    let flowInterfaces: Bool
    /// The shortest active timeout a sink asked for (ns; 0: none), and those sinks.
    let activeTimeout: Int64
    let activeSinks: [EventSink]

    init(_ pipeline: PacketPipeline) {
        self.pipeline = pipeline
        filter = pipeline.filter
        view = pipeline.view
        writing = pipeline.writerPlan != nil
        limit = pipeline.limit.map { UInt64($0) } ?? UInt64.max
        flows = pipeline.flows
        tracking = flows != nil
        outputs = pipeline.flowOutputs
        plan = pipeline.statisticsPlan
        stats = pipeline.statistics
        processes = pipeline.processes
        processes?.refresh()
        fileBlocks = plan.interval > 0 && !plan.live
        countStatistics = plan.enabled
        statisticsByFlow = pipeline.countsHostsByFlow
        detector = flows != nil ? pipeline.detector : nil
        dnsStreams = pipeline.dnsStreams
        ticking = !outputs.sinks.isEmpty
        names = outputs.sinks.contains { $0.hearsDNSAnswers }
        opens = outputs.hearsOpens
        live = plan.live
        flowInterfaces = pipeline.source.interfaceNames.count > 1
        activeSinks = outputs.sinks.filter { $0.activeTimeout != nil }
        activeTimeout = activeSinks.compactMap(\.activeTimeout).min().map { Int64(max($0, 1) * 1e9) } ?? 0
        perInterface = .allocate(capacity: 2 * Self.countedInterfaces)
        perInterface.initialize(repeating: 0, count: 2 * Self.countedInterfaces)
        state = .allocate(capacity: 1)
        state.initialize(to: State(lastProcessScan: MonotonicClock.seconds(), lastDetectorTick: MonotonicClock.seconds()))
    }

    /// Frees the state, once the run is over; the last second goes to the sinks.
    func end() {
        if ticking { sendTick(next: Int64.min) }
        state.deinitialize(count: 1)
        state.deallocate()
        perInterface.deallocate()
    }

    @inline(__always)
    func handle(_ raw: RawPacket) -> Bool {
        if filter?.matches(raw) == false {
            state.pointee.ahead = nil
            state.pointee.later = nil
            return true
        }
        let early = state.pointee.ahead
        state.pointee.ahead = state.pointee.later
        state.pointee.later = nil
        // The flow index line of the packet after next (a miss for a new flow, and in a large
        // table for many others) loads while this packet and the next are worked on; the next
        // packet's, when it was not looked at a packet ago, while this one is.
        // (An empty view, from a source that cannot look ahead, gives no key.)
        if tracking {
            let flows = flows.unsafelyUnwrapped
            if state.pointee.ahead == nil, let (key, sourceIsLow) = FlowKey.peek(PacketBytes(raw.next), linkType: raw.linkType) {
                state.pointee.ahead = flows.lookAhead(key, sourceIsLow: sourceIsLow)
            }
            if let (key, sourceIsLow) = FlowKey.peek(PacketBytes(raw.later), linkType: raw.linkType) {
                state.pointee.later = flows.lookAhead(key, sourceIsLow: sourceIsLow)
            }
        }
        state.pointee.counters.packets &+= 1
        state.pointee.counters.bytes &+= UInt64(raw.wireLength)
        let captured = PacketBytes(raw.bytes)
        decoder.decode(captured, linkType: raw.linkType, wireLength: raw.wireLength, into: &state.pointee.packet)
        // DNS over TCP is framed by its stream: a segment inside a message is not a header.
        if _slowPath(DNSOverTCP.wants(&state.pointee.packet)) { frameDNS(captured) }
        if let issue = state.pointee.packet.issue { state.pointee.counters.count(issue, linkType: raw.linkType) }
        if writing && !pipeline.write(raw) { return false }
        // A packet without a time (pcapng Simple Packet Block) takes the last time seen.
        let timed = _fastPath(raw.hasTime)
        let time = timed ? raw.seconds &* 1_000_000_000 &+ Int64(raw.nanoseconds) : state.pointee.lastTime
        state.pointee.lastTime = time
        if _slowPath(ticking) {
            countSecond(time: time, wireLength: raw.wireLength, interface: raw.interface)
            if names && state.pointee.packet.application == .dns { learnNames(captured, time: time) }
        }
        // The flow table's index line loads while statistics count. This packet's probe was
        // made a packet ago, when it was looked at as the next one; it serves when the
        // packet decoded cleanly, as the look assumes.
        // (A tunnelled packet never has an early probe: the first look declines tunnel ports.)
        let probe = !tracking ? nil
            : early != nil && state.pointee.packet.issue == nil && state.pointee.packet.hasPorts ? early
            : flows.unsafelyUnwrapped.probe(&state.pointee.packet)
        if countStatistics { stats.record(&state.pointee.packet, time: time, wireLength: raw.wireLength, hostsByFlow: probe != nil, timed: timed) }
        if fileBlocks && stats.duration - state.pointee.lastReport >= plan.interval {
            // Reading a file, blocks come by packet time: the same at any read speed.
            state.pointee.lastReport = stats.duration
            pipeline.report(runtime: state.pointee.lastReport, final: false)
        }
        if tracking {
            // Not `if let`: binding an optional held here costs a retain and a release per packet.
            let flows = flows.unsafelyUnwrapped
            // Flows age by packet time, so a file gives the same records at any read speed.
            // (The update is used where it is made: held as an optional past this branch, it
            // was packed into and out of a register word.)
            // A tunnel's own flows (the VXLAN UDP flow, the GRE flow) come first: the inner
            // flow names the innermost as its parent.
            let parent = _slowPath(state.pointee.packet.encapsulation.tunnels > 0) ? updateTunnels(raw, captured, time: time) : 0
            if let probe {
                let update = flows.update(probe, &state.pointee.packet, time: time, wireLength: raw.wireLength)
                if _slowPath(update.isNew && !state.pointee.packet.encapsulation.isEmpty) {
                    flows.setTunnel(update.index, parent: parent, state.pointee.packet.encapsulation)
                }
                if update.evicted || update.reused {
                    if statisticsByFlow { stats.recordFlow(flows.lastEvictedRecord) }
                    if outputs.hearsEnds { PacketPipeline.ended(flows.lastEvicted, update.reused ? .reused : .evicted, outputs) }
                }
                if update.isNew {
                    if _slowPath(flowInterfaces) { flows.setInterface(update.index, raw.interface) }
                    if let processes {
                        PacketPipeline.attachProcess(flows, update.index, processes, since: Double(raw.seconds) + Double(raw.nanoseconds) / 1e9)
                    }
                    if opens { outputs.opened(flows[update.index]) }
                }
                detector?.observe(&state.pointee.packet, update, flows, time: time)
                outputs.timeline?.packet(flows[update.index], isNew: update.isNew, time: time)
            } else {
                detector?.observe(&state.pointee.packet, nil, flows, time: time)
            }
            if time >= state.pointee.nextSweep {
                if state.pointee.nextSweep != Int64.min {
                    expire(flows, now: time)
                    detector?.tick(now: time)
                }
                state.pointee.nextSweep = time + 1_000_000_000
            }
        }
        switch view {
        case .none:
            break
        case .text(let formatter):
            formatter.write(state.pointee.packet, pipeline.context(raw, captured, state.pointee.counters.packets, state.pointee.packet.dns.reassembled))
        case .json(let writer):
            writer.write(state.pointee.packet, pipeline.context(raw, captured, state.pointee.counters.packets, state.pointee.packet.dns.reassembled))
        }
        return state.pointee.counters.packets < limit
    }

    /// Accounts a tunnelled packet to its tunnels' flows, which are flows like any other:
    /// shown when new, recorded when they end. Returns the innermost one's id.
    @inline(never)
    func updateTunnels(_ raw: RawPacket, _ captured: PacketBytes, time: Int64) -> UInt64 {
        let flows = flows.unsafelyUnwrapped
        return flows.updateTunnels(captured, linkType: raw.linkType, wireLength: raw.wireLength, tunnels: Int(state.pointee.packet.encapsulation.tunnels),
                                   decoder: decoder, time: time, scratch: &state.pointee.outer, opened: { index in
            if let processes {
                PacketPipeline.attachProcess(flows, index, processes, since: Double(raw.seconds) + Double(raw.nanoseconds) / 1e9)
            }
            outputs.opened(flows[index])
        }, ended: { flow, end in
            if statisticsByFlow { stats.recordFlow(flow) }
            if outputs.hearsEnds { PacketPipeline.ended(flow, end, outputs) }
        })
    }

    /// Counts the packet into its second for the sinks; a packet of another second first
    /// sends the one counted so far. (A file's packets out of time order send a second again:
    /// sinks add it up.)
    @inline(__always)
    func countSecond(time: Int64, wireLength: Int, interface: Int) {
        let second = time >= 0 ? time / 1_000_000_000 : (time + 1) / 1_000_000_000 - 1
        if _slowPath(second != state.pointee.tick.second) { sendTick(next: second) }
        state.pointee.tick.packets &+= 1
        state.pointee.tick.bytes &+= UInt64(wireLength)
        // Per interface, into a fixed array (the first 64; more are counted in the totals only).
        if interface >= 0 && interface < Self.countedInterfaces {
            perInterface[2 &* interface] &+= 1
            perInterface[2 &* interface &+ 1] &+= UInt64(wireLength)
        }
        switch state.pointee.packet.transport {
        case .tcp: state.pointee.tick.tcp &+= 1; state.pointee.tick.tcpBytes &+= UInt64(wireLength)
        case .udp: state.pointee.tick.udp &+= 1; state.pointee.tick.udpBytes &+= UInt64(wireLength)
        case .icmp, .icmpv6: state.pointee.tick.icmp &+= 1; state.pointee.tick.icmpBytes &+= UInt64(wireLength)
        default: break
        }
    }

    /// Ends the flows idle past their timeouts (once a second of packet time, or of the
    /// clock when live and quiet).
    @inline(never)
    func expire(_ flows: FlowTable, now: Int64) {
        flows.expire(now: now) {
            if statisticsByFlow { stats.recordFlow($0) }
            PacketPipeline.ended($0, $1, outputs)
        }
        if activeTimeout > 0 { reportLongFlows(flows, now: now) }
    }

    /// Flows open for another active timeout since the last look, as they stand, to the sinks
    /// that asked. The table is walked every tenth of the timeout (at least every second of
    /// packet time), so a record leaves at most that late; a flow is due at `first` plus each
    /// whole timeout, which needs no mark in its record.
    @inline(never)
    func reportLongFlows(_ flows: FlowTable, now: Int64) {
        let previous = state.pointee.lastActiveScan
        if previous != Int64.min && now - previous < max(1_000_000_000, activeTimeout / 10) { return }
        state.pointee.lastActiveScan = now
        guard previous != Int64.min, let records = outputs.records else { return }
        let timeout = activeTimeout
        flows.forEachOpen { f in
            let first = f.pointee.first
            let due = (now - first) / timeout
            guard due >= 1, due > (previous - first) / timeout else { return }
            var event: NetwatchEvent?
            for sink in activeSinks {
                if sink.hearsFlowRecords {
                    if event == nil { event = .flowActive(records.make(f.pointee, end: nil)) }
                    sink.receive(event!)
                } else {
                    sink.flowActive(f.pointee)
                }
            }
        }
    }

    /// Sends the second counted so far (if it saw packets) and starts `next`.
    @inline(never)
    func sendTick(next: Int64) {
        if state.pointee.tick.packets > 0 {
            if live {
                let dropped = pipeline.source.statistics().reduce(0) { $0 + $1.dropped + $1.droppedByInterface }
                state.pointee.tick.dropped = dropped &- state.pointee.droppedBefore
                state.pointee.droppedBefore = dropped
            }
            for i in 0..<Self.countedInterfaces where perInterface[2 * i] > 0 {
                state.pointee.tick.interfaces.append(InterfaceTraffic(interface: i, packets: perInterface[2 * i], bytes: perInterface[2 * i + 1]))
            }
            outputs.send(.tick(state.pointee.tick))
        }
        perInterface.update(repeating: 0, count: 2 * Self.countedInterfaces)
        state.pointee.tick = TrafficTick(second: next)
    }

    /// Passive DNS for the sinks: the addresses a response names. Out of line: few packets
    /// are DNS responses.
    @inline(never)
    func learnNames(_ captured: PacketBytes, time: Int64) {
        let info = state.pointee.packet.dns
        guard info.isResponse, info.answerCount > 0, state.pointee.packet.issue == nil, !info.continuation else { return }
        let m = DNSMessage(packet: info.reassembled ? dnsStreams.message : captured, info: info)
        let seconds = Double(time) / 1e9
        DNSNames.each(m, cache: pipeline.dnsNames, second: time / 1_000_000_000) { name, address in
            let event = NetwatchEvent.dnsAnswer(DNSAnswer(name: name, address: address, time: seconds))
            for sink in outputs.sinks where sink.hearsDNSAnswers { sink.receive(event) }
        }
    }

    /// DNS over TCP, out of line: few packets take it, and inlined it crowded the loop.
    @inline(never)
    func frameDNS(_ captured: PacketBytes) {
        dnsStreams.frame(captured, &state.pointee.packet)
    }

    /// Between packets (live: at least every 100 ms): process scans, detector ticks while
    /// quiet, output flushes, live statistics blocks.
    func tick() {
        if let processes, MonotonicClock.seconds() - state.pointee.lastProcessScan >= 1 {
            state.pointee.lastProcessScan = MonotonicClock.seconds()
            processes.refresh()
        }
        if let detector, plan.live, MonotonicClock.seconds() - state.pointee.lastDetectorTick >= 1 {
            // Live and quiet: incidents still close and floods are still judged.
            state.pointee.lastDetectorTick = MonotonicClock.seconds()
            detector.tick(now: PacketPipeline.realTime())
        }
        // Live and quiet: flows still end on time (packet time is the clock live), so a
        // finished connection reaches the sinks within seconds, packets or none.
        if live, let flows, state.pointee.nextSweep != Int64.min, PacketPipeline.realTime() >= state.pointee.nextSweep + 1_000_000_000 {
            let now = PacketPipeline.realTime()
            expire(flows, now: now)
            state.pointee.nextSweep = now + 1_000_000_000
        }
        // Live and quiet: a second that has passed is sent without waiting for a packet.
        if ticking && live && PacketPipeline.realTime() / 1_000_000_000 > state.pointee.tick.second + 1 { sendTick(next: Int64.min) }
        pipeline.onTick?()
        pipeline.packetThreadWork.run()
        pipeline.output.flush()
        for sink in outputs.sinks { sink.flush() }
        guard plan.interval > 0 && plan.live else { return }
        let runtime = pipeline.runtime(stats)
        if runtime - state.pointee.lastReport >= plan.interval {
            state.pointee.lastReport = runtime
            pipeline.report(runtime: runtime, final: false)
        }
    }
}
