import NetwatchDecode
import NetwatchDetect
import NetwatchEvents
import NetwatchFlow
import NetwatchGeo
import NetwatchHistory
import NetwatchHost
import NetwatchView

/// A report from the road itself (`report -r FILE`): hears ticks, ended flows and alerts and
/// sums them as the history writer's top tables would (a record counts in the minute of the
/// newest end seen so far), in full, since nothing here is bounded by a minute's top 100.
/// Nothing is stored; what it keeps of each flow for the strips and the alerts' flows is a
/// compact line, for the first `keptFlows` flows.
public final class CaptureReportCollector: EventSink {

    public let source: String
    public var geo: GeoDatabase?
    static let maxKeys = 1 << 22

    private var ticks: [(t: Int64, tick: TrafficTick)] = []
    /// The ended flows, summed (one struct: one exclusivity check per flow, not one per table).
    private var tally = FlowTally()
    private var alerts: [(Alert, id: Int)] = []
    private var alertCount: UInt64 = 0
    private var severities: [Int: UInt64] = [:]
    private var names: [IPAddress: (time: Double, name: String)] = [:]
    private var first: Int64 = .max, last: Int64 = .min
    public private(set) var run: RunInfo?
    /// The run's uids, service names and processes: what the road's conn records would
    /// carry, made here only for the flows the report lists.
    public var uids = FlowUID()
    public var services: ServiceTable?
    public var processes: ProcessDirectory?

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
    /// The flow table's records, summed in place: no conn record per flow.
    public var hearsFlowRecords: Bool { false }

    public func flowEnded(_ flow: Flow, _ reason: FlowEnd) {
        withUnsafePointer(to: flow) { Self.add($0, to: &tally, services: services, processes: processes, geo: geo) }
    }

    /// Oldest first, as conn records end them: a flow counts in the minute the history
    /// would count it in, and ties in start time keep the history's order. In place: no
    /// copy of each record, and the tables are held once, not once per flow.
    public func flowsOpenAtEnd(_ flows: FlowTable) {
        let (services, processes, geo) = (self.services, self.processes, self.geo)
        var tally = self.tally
        self.tally = FlowTally()
        flows.forEachOpenOldestFirst { Self.add($0, to: &tally, services: services, processes: processes, geo: geo) }
        self.tally = tally
    }

    @inline(__always)
    private static func add(_ f: UnsafePointer<Flow>, to tally: inout FlowTally, services: ServiceTable?, processes: ProcessDirectory?, geo: GeoDatabase?) {
        var process: String?
        if let processes, f.pointee.pid >= 0 { process = processes.name(f.pointee.pid) ?? "?" }
        tally.add(f, service: services.map { ConnectionNames.serviceIndex(f.pointee, $0) } ?? 0, process: process, geo: geo)
    }

    public func receive(_ event: NetwatchEvent) {
        switch event {
        case .runStarted(let r): run = r
        case .runEnded(let r): run = r
        case .tick(let k):
            ticks.append((k.second, k))
            first = min(first, k.second)
            last = max(last, k.second + 1)
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
        case .flowOpened, .flowEnded, .flowActive, .socketOpened, .socketClosed: break
        }
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
        summary.flows = tally.flows
        let sketch = tally.sketch
        summary.hosts = sketch.count
        summary.hostsExact = sketch.isExact
        summary.runs = 1
        if let run { summary.interfaces = (run.interfaces ?? run.file.map { "file " + $0 } ?? "").split(separator: ",").map(String.init) }
        summary.alertsBySeverity = Dictionary(uniqueKeysWithValues: severities.map { (String($0.key), $0.value) })
        report.summary = summary
        report.alertsTotal = alertCount

        // Text is made only for what can make each list (a flood has millions of keys).
        func list<K>(_ d: [(key: K, value: FlowTally.Totals)], _ key: (K) -> String) -> [Report.Top] {
            ReportAssembly.firstByBytes(d, n, bytes: \.value.bytes) { key($0.key) }.map {
                Report.Top(key: $0.text, packets: $0.entry.value.packets, bytes: $0.entry.value.bytes, flows: $0.entry.value.flows)
            }
        }
        let (byNumber, points) = tally.split()
        // Two numbers can carry one name (the seed's DHCP on 67 and 68).
        var named: [String: FlowTally.Totals] = [:]
        for (i, t) in byNumber { named[ConnectionNames.recordService(i, services) ?? "-", default: FlowTally.Totals()].merge(t) }
        report.services = list(named.map { $0 }) { $0 }
        report.topPorts = list(tally.ports.entries) { "\($0.port)/\(tally.proto($0.ipProtocol) ?? String($0.ipProtocol))" }
        report.topConversations = list(tally.pairs.entries) { "\($0.a) <-> \($0.b)" }
        report.processes = list(tally.processes.entries) { $0.text }
        report.countries = list(tally.countries.entries) { $0.text }
        report.networks = list(tally.networks.entries) { String($0) }
        // As the database's report: the remote ones among the first hosts by bytes.
        let rankedHosts = ranked(ReportAssembly.hostCandidates(n))
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
        report.outcomes = ReportAssembly.outcomes(points, since: s, until: u)

        // The flows each of the first alerts concerns, as the database's report finds them:
        // in start order, the first few that match.
        var listed = Set<String>()
        for (a, id) in alerts {
            var line = ReportAssembly.alertLine(a, id: id)
            if id <= n, a.event == .alert, line.srcIp != nil {
                let src = a.sourceAddress ?? a.localAddress, dst = a.destinationAddress ?? a.remoteAddress
                // (Ties in start time in the order the flows ended, as the database's ids.)
                let kept = tally.kept
                let candidates = kept.indices.filter { i in
                    guard let src, kept[i].originator == src || kept[i].responder == src else { return false }
                    if let dst, !(kept[i].originator == dst || kept[i].responder == dst) { return false }
                    return true
                }.sorted { kept[$0].start != kept[$1].start ? kept[$0].start < kept[$1].start : $0 < $1 }.map { kept[$0] }
                var found = 0
                for k in candidates where found < ReportAssembly.flowsPerAlert {
                    let f = k.line(uids: uids, services: services)
                    guard ReportAssembly.concerns(line, f, communityID: a.communityID) else { continue }
                    found += 1
                    line.flows.append(f.uid)
                    if listed.insert(f.uid).inserted { report.alertFlows.append(f) }
                }
            }
            report.alerts.append(line)
        }

        let remote = rankedHosts.lazy.filter { RemoteAddress.isRemote($0.address) }
        let busiest = Array(remote.prefix(n))
        let wanted = Set(busiest.map(\.address))
        var strips: [(t: Int64, host: String, bytes: UInt64)] = []
        for k in tally.kept {
            if wanted.contains(k.originator) { strips.append((k.minute, "\(k.originator)", k.originatorIPBytes &+ k.responderIPBytes)) }
            if k.responder != k.originator && wanted.contains(k.responder) { strips.append((k.minute, "\(k.responder)", k.originatorIPBytes &+ k.responderIPBytes)) }
        }
        report.activity = ReportAssembly.activity(strips, hosts: busiest.map(\.key), since: s, until: u)
        for i in report.activity.hosts.indices { report.activity.hosts[i].name = IPAddress(report.activity.hosts[i].ip).flatMap { names[$0]?.name } }
        // A capture has no before: every remote host is new; the busiest, by first sight.
        report.newHosts = remote.prefix(n).map { Report.NewHost(ip: $0.key, name: self.names[$0.address]?.name, firstSeen: $0.t.first, bytes: $0.t.bytes, flows: $0.t.flows) }
            .sorted { $0.firstSeen < $1.firstSeen }
        if tally.kept.count >= FlowTally.keptFlows {
            report.notes.append("Activity strips and the alerts' flows look at the first \(FlowTally.keptFlows) flows only.")
        }
        return report
    }

    /// The first `limit` hosts by bytes, ties in the order of the address as text (as the
    /// database orders its text key): only the hosts that can make the list are written out.
    func ranked(_ limit: Int) -> [(key: String, address: IPAddress, t: FlowTally.Totals)] {
        ReportAssembly.firstByBytes(tally.hosts.entries, limit, bytes: \.value.bytes) { "\($0.key)" }.map {
            (key: $0.text, address: $0.entry.key, t: $0.entry.value)
        }
    }
}
