import NetwatchCapture
import NetwatchDecode
import NetwatchDetect
import NetwatchEvents
import NetwatchFlow
import NetwatchHost
import NetwatchStats
import NetwatchTimeline
import NetwatchView
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// One road for every packet, live or from a file: filter, decode, count, write, show, and
/// tell the sinks (`EventSink`) of flows, alerts and seconds of traffic.
public final class PacketPipeline {
    public enum View {
        case none
        case text(PacketFormatter)
        case json(JSONPacketWriter)
    }

    /// Where flow events go: terminal lines, the timeline, and the sinks (JSON records, history).
    public struct FlowOutputs {
        public var view: ConnectionView?
        public var showEnded = false
        /// The timeline command's reader of flow events.
        public var timeline: FlowTimelineFeed?
        /// Sinks that hear flows open and end, alerts and ticks; `records` makes what they hear.
        public var sinks: [EventSink] = []
        public var records: FlowRecordMaker?

        public init() {}

        /// Whether anything here wants to hear of flows that end.
        var hearsEnds: Bool { (showEnded && view != nil) || !sinks.isEmpty || timeline != nil }
        /// Whether the flows open at the end may be told in any order, table by table: only
        /// sinks hear them, and each takes the table's own records (no conn records).
        var endsInAnyOrder: Bool {
            !(showEnded && view != nil) && timeline == nil && !sinks.contains { $0.hearsFlowRecords }
        }
        /// Whether anything wants to hear of flows that open.
        var hearsOpens: Bool { view != nil || sinks.contains { $0.hearsFlowOpens } }

        func send(_ event: NetwatchEvent) {
            for sink in sinks { sink.receive(event) }
        }

        /// Tells the view and the sinks of a new flow (the record is made once, for all sinks).
        func opened(_ flow: Flow) {
            view?.writeNew(flow)
            guard let records, sinks.contains(where: { $0.hearsFlowOpens }) else { return }
            let event = NetwatchEvent.flowOpened(records.make(flow, end: nil))
            for sink in sinks where sink.hearsFlowOpens { sink.receive(event) }
        }
    }

    /// Statistics: a live block every `interval` seconds (0: none), a final block, JSON lines.
    public struct StatisticsPlan {
        public var enabled = true
        public var interval: Double = 0
        public var final = true
        public var json: OutputBuffer?
        public var live = false
    }

    public struct WriterPlan {
        public var path: String
        public var rotateMegabytes: Int?
        public var snapLength: Int
        public init(path: String, rotateMegabytes: Int?, snapLength: Int) {
            self.path = path
            self.rotateMegabytes = rotateMegabytes
            self.snapLength = snapLength
        }
    }

    let source: PacketSource
    let output: OutputBuffer
    let view: View
    let filter: OfflineFilter?
    let limit: Int?
    let writerPlan: WriterPlan?
    let palette: Palette
    private var writer: PcapWriter?
    private let interfaceNames: [String]

    public private(set) var counters = Counters()
    /// Flows, when anything downstream needs them.
    public let flows: FlowTable?
    public private(set) var flowOutputs: FlowOutputs
    public var statisticsPlan = StatisticsPlan()
    public let statistics = TrafficStatistics()
    /// What the sinks record of this run (set by the command that builds the road).
    public var runInfo: RunInfo?
    /// DNS over TCP, framed per stream before anything reads the packet's DNS fields.
    let dnsStreams = DNSOverTCP()
    /// Passive DNS pairs told this second.
    let dnsNames = DNSNameCache()
    private let startedAt = MonotonicClock.seconds()
    private var services: ServiceTable?
    /// Live on this host: names the local process of each new flow.
    public var processes: ProcessDirectory? {
        didSet { flowOutputs.records?.processes = processes }
    }
    private var writeError: CaptureError?
    /// The packet-side detectors (they need the flow table) and where their alerts go.
    public private(set) var detector: ThreatDetector?
    public private(set) var alertWriter: AlertWriter?
    /// Print nothing but alerts: no statistics, no closing summary (`--alerts-only`).
    public var alertsOnly = false
    /// Called between packets (live: at least every 100 ms), for views that redraw.
    public var onTick: (() -> Void)?
    /// Work for the packet thread from other threads (a SIGHUP reload).
    public let packetThreadWork = PacketThreadWork()
    private var lastPacketTime: Int64 = 0

    public init(source: PacketSource, output: OutputBuffer, view: View, filter: OfflineFilter?, limit: Int?, writerPlan: WriterPlan?, palette: Palette,
                flows: FlowTable? = nil, flowOutputs: FlowOutputs = FlowOutputs()) {
        self.flows = flows
        var outputs = flowOutputs
        if outputs.records == nil { outputs.records = FlowRecordMaker(uids: FlowUID(), services: nil) }
        if source.interfaceNames.count > 1 { outputs.records?.interfaceNames = source.interfaceNames }
        self.flowOutputs = outputs
        self.source = source
        self.output = output
        self.view = view
        self.filter = filter
        self.limit = limit
        self.writerPlan = writerPlan
        self.palette = palette
        interfaceNames = source.interfaceNames
    }

    /// Adds a sink: it hears flows open and end, alerts, each second's traffic and the run.
    public func add(_ sink: EventSink) {
        flowOutputs.sinks.append(sink)
        flowOutputs.records?.communityIDs = flowOutputs.sinks.contains { $0.needsCommunityID }
    }

    /// The detectors, built here so that every command wires them alike: alerts go to
    /// `writer` (terminal, log, JSON) and to the sinks.
    public func useDetector(config: DetectionConfig, blocklist: Blocklist, writer: AlertWriter) {
        alertWriter = writer
        detector = ThreatDetector(config: config, blocklist: blocklist) { [unowned self] alert in
            writer.write(alert)
            flowOutputs.send(.alert(alert))
        }
    }

    public func openWriter(linkType: LinkType) throws(CaptureError) {
        guard let plan = writerPlan, writer == nil else { return }
        writer = try PcapWriter(path: plan.path, linkType: linkType, snapLength: plan.snapLength, rotateMegabytes: plan.rotateMegabytes)
    }

    /// The per-packet loop (`PacketLoop`). A pcap file reader runs it specialised: its loop
    /// and the packet's work compile into one; other sources call it through closures.
    public func run() throws(CaptureError) -> SourceEnd {
        if let runInfo { flowOutputs.send(.runStarted(runInfo)) }
        let loop = PacketLoop(self)
        defer {
            loop.end()
            packetThreadWork.close()
        }
        let end: SourceEnd
        if let file = source as? PcapFileReader {
            end = try file.run(loop)
        } else {
            end = try source.run({ loop.handle($0) }, tick: { loop.tick() })
        }
        counters = loop.state.pointee.counters
        lastPacketTime = loop.state.pointee.lastTime
        if let writeError { throw writeError }
        return end
    }

    /// Nanoseconds since the epoch, the clock packet times use.
    public static func realTime() -> Int64 {
        var ts = timespec()
        clock_gettime(CLOCK_REALTIME, &ts)
        return Int64(ts.tv_sec) * 1_000_000_000 + Int64(ts.tv_nsec)
    }

    /// Seconds since the epoch, wall time (run start and end): the same clock as `realTime`.
    public static func realTimeSeconds() -> Double { Double(realTime()) / 1e9 }

    /// Seconds the run covers: wall time live, packet time for files.
    func runtime(_ stats: TrafficStatistics) -> Double {
        statisticsPlan.live ? MonotonicClock.seconds() - startedAt : stats.duration
    }

    public func useServices(_ table: ServiceTable?) {
        services = table
        flowOutputs.records?.services = table
    }

    /// With a flow table, hosts, conversations and ports are counted once per flow, as it ends.
    var countsHostsByFlow: Bool { statisticsPlan.enabled && flows != nil }

    /// The counts so far: counted by flow, the open flows are added to a copy (each is
    /// counted into `statistics` when it ends).
    private var statisticsSoFar: TrafficStatistics {
        guard countsHostsByFlow, let flows else { return statistics }
        return statistics.including(flows)
    }

    /// Prints a statistics block (and its JSON line). Midway the counts come with the open
    /// flows added (`statisticsSoFar`); at the end, after every flow has ended, `stats`
    /// and `activeFlows` are given as they stood.
    func report(runtime: Double, final: Bool, stats: TrafficStatistics? = nil, activeFlows: Int? = nil) {
        let r = StatisticsReport(stats: stats ?? statisticsSoFar, services: services, activeFlows: activeFlows ?? flows?.count ?? 0,
                                 flowsSeen: flows?.created ?? 0, runtime: runtime)
        printError(final ? r.finalText() : r.liveText())
        if let json = statisticsPlan.json {
            json.string(r.json(kind: final ? "final" : "live") + "\n")
            json.flush()
        }
    }

    /// Looks up the local process of a new TCP or UDP flow; a miss rescans the socket table
    /// when the flow is younger than the last scan (rate-limited by the directory).
    static func attachProcess(_ flows: FlowTable, _ index: Int32, _ processes: ProcessDirectory, since: Double) {
        let f = flows[index]
        guard f.transport == .tcp || f.transport == .udp else { return }
        let udp = f.transport == .udp
        // The originator's end first: on loopback both ends are local sockets, and the
        // connection belongs to the process that opened it (curl, not the server it reached).
        let (o, r) = (f.originator, f.responder)
        if let owner = processes.owner(udp: udp, o.address, o.port, r.address, r.port, since: since) { flows.setProcess(index, pid: owner.pid) }
    }

    @inline(__always)
    static func ended(_ flow: Flow, _ reason: FlowEnd, _ outputs: FlowOutputs) {
        if outputs.showEnded { outputs.view?.writeEnd(flow, reason) }
        if let records = outputs.records, !outputs.sinks.isEmpty {
            // The conn record is made once, and only when a sink hears records.
            var event: NetwatchEvent?
            for sink in outputs.sinks {
                if sink.hearsFlowRecords {
                    if event == nil { event = .flowEnded(records.make(flow, end: reason)) }
                    sink.receive(event!)
                } else {
                    sink.flowEnded(flow, reason)
                }
            }
        }
        // A flow still open when a capture ends was open then: the timeline keeps it so.
        if reason != .shutdown { outputs.timeline?.ended(flow, time: flow.last) }
    }

    @inline(__always)
    func context(_ raw: RawPacket, _ captured: PacketBytes, _ number: UInt64, _ reassembledDNS: Bool) -> PacketContext {
        var c = PacketContext(
            number: number, seconds: raw.seconds, nanoseconds: raw.nanoseconds, bytes: captured,
            wireLength: raw.wireLength, interface: interfaceNames.count > 1 ? interfaceNames[raw.interface] : nil)
        if reassembledDNS { c.dnsMessage = dnsStreams.message }
        return c
    }

    func write(_ raw: RawPacket) -> Bool {
        do {
            if writer == nil { try openWriter(linkType: raw.linkType) }
            try writer?.write(raw)
            return true
        } catch {
            writeError = error
            return false
        }
    }

    /// Closes the pcap file, then reports totals, malformed packets, libpcap's drop
    /// counters and how the source ended, on standard error (stdout stays for packets).
    public func finish(end: SourceEnd) {
        let activeAtEnd = flows?.count ?? 0
        if let detector, flows != nil {
            // Live, the run ends now; from a file, at its last packet.
            detector.finish(now: statisticsPlan.live ? Self.realTime() : lastPacketTime)
            alertWriter?.flush()
        }
        // Open flows are written with the state they reached, so nothing seen is lost; on the
        // way out they bring their hosts, conversation and ports to the statistics.
        let statisticsByFlow = countsHostsByFlow
        let stats = statistics
        if flowOutputs.hearsEnds && flowOutputs.endsInAnyOrder, let flows {
            if statisticsByFlow { flows.forEachOpen { stats.recordFlow($0) } }
            for sink in flowOutputs.sinks { sink.flowsOpenAtEnd(flows) }
            flows.reset()
        } else if flowOutputs.hearsEnds {
            flows?.removeAll { flow, reason in
                if statisticsByFlow { stats.recordFlow(flow) }
                Self.ended(flow, reason, flowOutputs)
            }
        } else if let flows {
            // Only the statistics hear of them: in memory order and in place, not one copy
            // per flow along the list.
            if statisticsByFlow { flows.forEachOpen { stats.recordFlow($0) } }
            flows.reset()
        }
        if statisticsPlan.final && !alertsOnly {
            report(runtime: runtime(statistics), final: true, stats: statistics, activeFlows: activeAtEnd)
        }
        if var info = runInfo {
            info.ended = Self.realTimeSeconds()
            info.packets = counters.packets
            info.bytes = counters.bytes
            info.dropped = source.statistics().reduce(0) { $0 + $1.dropped + $1.droppedByInterface }
            info.flows = flows?.created ?? 0
            info.alerts = UInt64(detector?.alertsRaised ?? 0)
            flowOutputs.send(.runEnded(info))
        }
        output.flush()
        for sink in flowOutputs.sinks { sink.flush() }
        if let plan = writerPlan {
            do {
                if writer == nil { try openWriter(linkType: .ethernet) }
                try writer?.close()
            } catch {
                diagnostics.error("\(error.message)")
            }
            if let writer, writer.packetsSkipped > 0 {
                diagnostics.warning("\(writer.packetsSkipped) packets of another link type than \(writer.linkType.name) were not written to \(plan.path)")
            }
        }
        if alertsOnly {
            reportEnd(end)
            return
        }
        var summary = "\(counters.packets) packets, \(counters.bytes) bytes"
        if counters.malformed > 0 {
            let parts = counters.issues.map { "\($0.count) \($0.issue.kind.name) \($0.issue.layer.name)" }
            summary += "; \(counters.malformed) malformed (\(parts.joined(separator: ", ")))"
        }
        if counters.undecoded > 0, let link = counters.undecodedLinkType {
            summary += "; \(counters.undecoded) not decoded (link type \(link))"
        }
        if let flows {
            summary += "; \(flows.created) flows"
            if flows.evicted > 0 { summary += " (\(flows.evicted) evicted: table full at \(flows.capacity) flows of \(FlowTable.bytesPerFlow(capacity: flows.capacity)) bytes)" }
        }
        diagnostics.notice("\(summary)")
        for s in source.statistics() {
            diagnostics.notice("\(s.interface): \(s.received) packets received by filter, \(s.dropped) dropped by kernel, \(s.droppedByInterface) dropped by interface")
        }
        if let detector { diagnostics.notice("\(detector.alertsRaised) alerts") }
        reportEnd(end)
    }

    private func reportEnd(_ end: SourceEnd) {
        switch end {
        case .truncated(let why):
            diagnostics.warning("\(why)")
        case .corrupt(let why):
            diagnostics.error("\(why)")
        case .finished, .stopped:
            break
        }
    }
}
