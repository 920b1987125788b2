import NetwatchDecode
import NetwatchDetect
import NetwatchEvents
import NetwatchFlow
import NetwatchGeo
import NetwatchHistory

/// A report from the road itself (`report -r FILE`): hears ticks, conn records and alerts and
/// sums them as the history writer's top tables would (a record counts in the minute of the
/// newest end seen so far), in full, since nothing here is bounded by a minute's top 100.
/// Nothing is stored; what it keeps of each flow for the strips and the alerts' flows is a
/// compact line, for the first `keptFlows` flows.
public final class CaptureReportCollector: EventSink {
    struct Totals {
        var packets: UInt64 = 0, bytes: UInt64 = 0, flows: UInt64 = 0
        var sent: UInt64 = 0, received: UInt64 = 0
        /// Hosts: the first flow's start, seconds.
        var first: Double = .infinity

        @inline(__always) mutating func add(_ p: UInt64, _ b: UInt64) { packets &+= p; bytes &+= b; flows &+= 1 }
    }

    /// What is kept of a flow for the strips and the alerts' flows (no Community ID: it is
    /// made for the few flows an alert lists).
    struct Kept {
        var minute: Int64
        var start: Int64, duration: Int64
        var originator: IPAddress, responder: IPAddress
        var originatorPort: UInt16, responderPort: UInt16
        var ipProtocol: UInt8
        var originatorIPBytes: UInt64, responderIPBytes: UInt64
        var originatorPackets: UInt64, responderPackets: UInt64
        var uid: String, proto: String, connState: String
        var service: String?

        var line: Report.FlowLine {
            Report.FlowLine(uid: uid, ts: Double(start) / 1e9, duration: Double(duration) / 1e9, origH: "\(originator)", origP: originatorPort,
                            respH: "\(responder)", respP: responderPort, proto: proto, service: service, connState: connState,
                            origIpBytes: originatorIPBytes, respIpBytes: responderIPBytes, origPkts: originatorPackets, respPkts: responderPackets,
                            communityId: CommunityID.flow(originator, originatorPort, responder, responderPort, ipProtocol: ipProtocol))
        }
    }

    struct Port: Hashable { var ipProtocol: UInt8; var port: UInt16 }
    struct StateMinute: Hashable { var minute: Int64; var state: String }
    struct Pair: Hashable { var a: IPAddress; var b: IPAddress }

    public let source: String
    public var geo: GeoDatabase?
    static let keptFlows = 500_000
    static let maxKeys = 1 << 22

    private var ticks: [(t: Int64, tick: TrafficTick)] = []
    private var hosts: [IPAddress: Totals] = [:]
    /// Counted as the history's host_sketch counts, so that both reports say the same.
    private var sketch = HostSketch()
    private var ports: [Port: Totals] = [:]
    private var pairs: [Pair: Totals] = [:]
    private var processes: [String: Totals] = [:]
    private var countries: [String: Totals] = [:]
    private var networks: [UInt32: Totals] = [:]
    private var services: [String: Totals] = [:]
    private var states: [String: Totals] = [:]
    private var statePoints: [StateMinute: UInt64] = [:]
    private var protoNames: [UInt8: String] = [:]
    private var kept: [Kept] = []
    private var alerts: [(Alert, id: Int)] = []
    private var alertCount: UInt64 = 0
    private var severities: [Int: UInt64] = [:]
    private var names: [IPAddress: (time: Double, name: String)] = [:]
    private var newestEnd: Int64 = .min
    private var flows: UInt64 = 0
    private var first: Int64 = .max, last: Int64 = .min
    public private(set) var run: RunInfo?

    public init(source: String, geo: GeoDatabase? = nil) {
        self.source = source
        self.geo = geo.flatMap { $0.isEmpty ? nil : $0 }
    }

    public func flush() {}
    /// Only ended flows are counted.
    public var hearsFlowOpens: Bool { false }
    /// Made here for the flows an alert lists.
    public var needsCommunityID: Bool { false }
    public var hearsDNSAnswers: Bool { true }

    public func receive(_ event: NetwatchEvent) {
        switch event {
        case .runStarted(let r): run = r
        case .runEnded(let r): run = r
        case .tick(let k):
            ticks.append((k.second, k))
            first = min(first, k.second)
            last = max(last, k.second + 1)
        case .flowEnded(let r): add(r)
        case .alert(let a):
            alertCount += 1
            if a.event == .alert { severities[a.severity, default: 0] += 1 }
            if alerts.count < ReportAssembly.alertLimit { alerts.append((a, alerts.count + 1)) }
        case .dnsAnswer(let d):
            // The name last given, as the history's dns_name answers (ties: the first name in order).
            if let old = names[d.address] {
                if d.time > old.time || (d.time == old.time && d.name < old.name) { names[d.address] = (d.time, d.name) }
            } else if names.count < Self.maxKeys {
                names[d.address] = (d.time, d.name)
            }
        case .flowOpened, .socketOpened, .socketClosed: break
        }
    }

    private func add(_ r0: FlowRecord) {
        var r = r0
        if let geo {
            let a = geo.lookup(r.originatorAddress).info, b = geo.lookup(r.responderAddress).info
            r.originatorCountry = a.country?.description
            r.responderCountry = b.country?.description
            r.originatorASN = a.asn
            r.responderASN = b.asn
        }
        flows += 1
        let end = r.end / 1_000_000_000
        if end > newestEnd { newestEnd = end }
        let minute = floorMinute(newestEnd)
        let p = r.originatorPackets &+ r.responderPackets, b = r.originatorIPBytes &+ r.responderIPBytes
        let start = Double(r.start) / 1e9
        sketch.add(r.originatorAddress)
        sketch.add(r.responderAddress)
        Self.count(&hosts, r.originatorAddress) { $0.add(p, b); $0.sent &+= r.originatorIPBytes; $0.received &+= r.responderIPBytes; $0.first = min($0.first, start) }
        if r.responderAddress != r.originatorAddress {
            Self.count(&hosts, r.responderAddress) { $0.add(p, b); $0.sent &+= r.responderIPBytes; $0.received &+= r.originatorIPBytes; $0.first = min($0.first, start) }
        }
        if protoNames[r.ipProtocol] == nil { protoNames[r.ipProtocol] = r.proto }
        Self.count(&ports, Port(ipProtocol: r.ipProtocol, port: r.responderPort)) { $0.add(p, b) }
        Self.count(&pairs, Pair(a: r.originatorAddress, b: r.responderAddress)) { $0.add(p, b) }
        if let x = r.process { Self.count(&processes, x) { $0.add(p, b) } }
        if let c = r.originatorCountry { Self.count(&countries, c) { $0.add(p, b) } }
        if let c = r.responderCountry, c != r.originatorCountry { Self.count(&countries, c) { $0.add(p, b) } }
        if let a = r.originatorASN { Self.count(&networks, a) { $0.add(p, b) } }
        if let a = r.responderASN, a != r.originatorASN { Self.count(&networks, a) { $0.add(p, b) } }
        Self.count(&services, r.service ?? "-") { $0.add(p, b) }
        Self.count(&states, r.connState) { $0.add(p, b) }
        statePoints[StateMinute(minute: minute, state: r.connState), default: 0] &+= 1
        if kept.count < Self.keptFlows {
            kept.append(Kept(minute: minute, start: r.start, duration: r.duration, originator: r.originatorAddress, responder: r.responderAddress,
                             originatorPort: r.originatorPort, responderPort: r.responderPort, ipProtocol: r.ipProtocol,
                             originatorIPBytes: r.originatorIPBytes, responderIPBytes: r.responderIPBytes,
                             originatorPackets: r.originatorPackets, responderPackets: r.responderPackets,
                             uid: r.uid, proto: r.proto, connState: r.connState, service: r.service))
        }
    }

    @inline(__always) func floorMinute(_ t: Int64) -> Int64 { t >= 0 ? t / 60 * 60 : -((-t + 59) / 60) * 60 }

    /// One lookup: `update` changes the key's totals in place.
    @inline(__always)
    private static func count<K: Hashable>(_ d: inout [K: Totals], _ key: K, _ update: (inout Totals) -> Void) {
        if d.count >= maxKeys && d[key] == nil { return }
        update(&d[key, default: Totals()])
    }

    /// The report, over the span of the capture's ticks (nil: nothing was read).
    public func report(top n: Int) -> Report? {
        guard first <= last else { return nil }
        let s = first, u = last
        var report = Report(source: source, since: Double(s), until: Double(u))
        report.traffic = ReportAssembly.traffic(ticks, since: s, until: u, floor: 1)
        report.protocols = ReportAssembly.protocols(report.traffic)
        var summary = Report.Summary()
        summary.packets = report.traffic.packets.reduce(0, +)
        summary.bytes = report.traffic.bytes.reduce(0, +)
        summary.dropped = report.traffic.dropped.reduce(0, +)
        summary.flows = flows
        summary.hosts = sketch.count
        summary.hostsExact = sketch.isExact
        summary.runs = 1
        if let run { summary.interfaces = (run.interfaces ?? run.file.map { "file " + $0 } ?? "").split(separator: ",").map(String.init) }
        summary.alertsBySeverity = Dictionary(uniqueKeysWithValues: severities.map { (String($0.key), $0.value) })
        report.summary = summary
        report.alertsTotal = alertCount

        func list<K>(_ d: [K: Totals], _ key: (K) -> String) -> [Report.Top] {
            ReportAssembly.ranked(d.map { Report.Top(key: key($0.key), packets: $0.value.packets, bytes: $0.value.bytes, flows: $0.value.flows) }, n)
        }
        report.services = list(services) { $0 }
        report.topPorts = list(ports) { "\($0.port)/\(protoNames[$0.ipProtocol] ?? String($0.ipProtocol))" }
        report.topConversations = list(pairs) { "\($0.a) <-> \($0.b)" }
        report.processes = list(processes) { $0 }
        report.countries = list(countries) { $0 }
        report.networks = list(networks) { String($0) }
        let rankedHosts = hosts.map { (key: "\($0.key)", address: $0.key, t: $0.value) }
            .sorted { $0.t.bytes != $1.t.bytes ? $0.t.bytes > $1.t.bytes : $0.key < $1.key }
        report.topHosts = rankedHosts.prefix(n).map { h in
            var out = Report.Host(ip: h.key, packets: h.t.packets, bytes: h.t.bytes, flows: h.t.flows, sentBytes: h.t.sent, receivedBytes: h.t.received)
            out.name = names[h.address]?.name
            if let geo {
                let info = geo.lookup(h.address).info
                out.country = info.country?.description
                out.asn = info.asn
                out.asOrg = info.organization
            }
            return out
        }
        let points = statePoints.map { (t: $0.key.minute, state: $0.key.state, flows: $0.value) }
        report.outcomes = ReportAssembly.outcomes(points, since: s, until: u)

        // The flows each of the first alerts concerns, as the database's report finds them:
        // in start order, the first few that match.
        var listed = Set<String>()
        for (a, id) in alerts {
            var line = ReportAssembly.alertLine(a, id: id)
            if id <= n, a.event == .alert, line.srcIp != nil {
                let src = a.sourceAddress ?? a.localAddress, dst = a.destinationAddress ?? a.remoteAddress
                // (Ties in start time in the order the flows ended, as the database's ids.)
                let candidates = kept.indices.filter { i in
                    guard let src, kept[i].originator == src || kept[i].responder == src else { return false }
                    if let dst, !(kept[i].originator == dst || kept[i].responder == dst) { return false }
                    return true
                }.sorted { kept[$0].start != kept[$1].start ? kept[$0].start < kept[$1].start : $0 < $1 }.map { kept[$0] }
                var found = 0
                for k in candidates where found < ReportAssembly.flowsPerAlert {
                    let f = k.line
                    guard ReportAssembly.concerns(line, f, communityID: a.communityID) else { continue }
                    found += 1
                    line.flows.append(f.uid)
                    if listed.insert(f.uid).inserted { report.alertFlows.append(f) }
                }
            }
            report.alerts.append(line)
        }

        let remote = rankedHosts.lazy.filter { RemoteAddress.isRemote($0.key) }
        let busiest = Array(remote.prefix(n))
        let wanted = Set(busiest.map(\.address))
        var strips: [(t: Int64, host: String, bytes: UInt64)] = []
        for k in kept {
            if wanted.contains(k.originator) { strips.append((k.minute, "\(k.originator)", k.originatorIPBytes &+ k.responderIPBytes)) }
            if k.responder != k.originator && wanted.contains(k.responder) { strips.append((k.minute, "\(k.responder)", k.originatorIPBytes &+ k.responderIPBytes)) }
        }
        report.activity = ReportAssembly.activity(strips, hosts: busiest.map(\.key), since: s, until: u)
        for i in report.activity.hosts.indices { report.activity.hosts[i].name = IPAddress(report.activity.hosts[i].ip).flatMap { names[$0]?.name } }
        // A capture has no before: every remote host is new; the busiest, by first sight.
        report.newHosts = remote.prefix(n).map { Report.NewHost(ip: $0.key, name: self.names[$0.address]?.name, firstSeen: $0.t.first, bytes: $0.t.bytes, flows: $0.t.flows) }
            .sorted { $0.firstSeen < $1.firstSeen }
        if kept.count >= Self.keptFlows {
            report.notes.append("Activity strips show the first \(Self.keptFlows) flows only.")
        }
        return report
    }
}
