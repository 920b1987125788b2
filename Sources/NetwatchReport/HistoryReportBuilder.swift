import NetwatchDecode
import NetwatchEvents
import NetwatchGeo
import NetwatchHistory

/// A report from a history database: series from `traffic`, lists from the per-minute and
/// per-hour top tables, alerts and their flows from `alert` and the host index. From a SQLite
/// file nothing scans the conn table, so a day of ten million flows reads in well under a
/// second; the central PostgreSQL sums its conn table instead (it has no top tables).
public struct HistoryReportBuilder {
    public let store: any HistorySource
    public var top = 10
    public var geo: GeoDatabase?

    public init(store: any HistorySource, top: Int = 10, geo: GeoDatabase? = nil) {
        self.store = store
        self.top = top
        self.geo = geo
    }

    public func build(since: Double, until: Double) throws(HistoryError) -> Report {
        var report = Report(source: "history " + store.name, since: since, until: until)
        let s = Int64(since.rounded(.down)), u = Int64(until.rounded(.up))
        let span = u - s
        // The finest rows that keep the read small: seconds up to two hours, minutes up to three days.
        let resolution = span <= 7200 ? 1 : span <= 3 * 86_400 ? 60 : 3600
        let buckets = try store.series(resolution: resolution, since: since, until: until).map { b -> (t: Int64, tick: TrafficTick) in
            var k = TrafficTick(second: b.start)
            k.packets = b.packets; k.bytes = b.bytes; k.tcp = b.tcp; k.udp = b.udp; k.icmp = b.icmp; k.dropped = b.dropped
            k.tcpBytes = b.tcpBytes; k.udpBytes = b.udpBytes; k.icmpBytes = b.icmpBytes
            return (b.start, k)
        }
        report.traffic = ReportAssembly.traffic(buckets, since: s, until: u, floor: Int64(resolution))
        report.protocols = ReportAssembly.protocols(report.traffic)
        // Runs whose traffic falls in the range (by packet time when recorded, else wall time).
        let runs = try store.runs().filter { ($0.firstData ?? $0.info.started) < until && ($0.lastData ?? $0.info.ended ?? .infinity) > since }
        var summary = Report.Summary()
        summary.packets = report.traffic.packets.reduce(0, +)
        summary.bytes = report.traffic.bytes.reduce(0, +)
        summary.dropped = report.traffic.dropped.reduce(0, +)
        summary.runs = runs.count
        var interfaces: [String] = []
        for r in runs {
            for i in (r.info.interfaces ?? r.info.file.map { "file " + $0 } ?? "").split(separator: ",").map(String.init) where !i.isEmpty && !interfaces.contains(i) {
                interfaces.append(i)
            }
        }
        summary.interfaces = interfaces
        summary.sensors = Array(Set(runs.compactMap(\.sensor))).sorted()
        let states = try store.top(.states, since: since, until: until, n: 1000)
        summary.flows = states.reduce(0) { $0 + $1.flows }
        let (severities, total) = try store.alertCounts(since: since, until: until)
        summary.alertsBySeverity = Dictionary(uniqueKeysWithValues: severities.map { (String($0.key), $0.value) })
        report.alertsTotal = total
        (summary.hosts, summary.hostsExact) = try store.hostCount(since: since, until: until)
        report.summary = summary

        func list(_ kind: TopKind) throws(HistoryError) -> [Report.Top] {
            try store.top(kind, since: since, until: until, n: top).map { Report.Top(key: $0.key, packets: $0.packets, bytes: $0.bytes, flows: $0.flows) }
        }
        report.services = try list(.services)
        report.topPorts = try list(.ports)
        report.topConversations = try list(.conversations)
        report.processes = try list(.processes)
        report.countries = try list(.countries)
        report.networks = try list(.networks)
        report.topHosts = try store.top(.hosts, since: since, until: until, n: top).map { e throws(HistoryError) in
            var h = Report.Host(ip: e.key, packets: e.packets, bytes: e.bytes, flows: e.flows, sentBytes: e.sent ?? 0, receivedBytes: e.received ?? 0)
            try describe(&h, since: since, until: until)
            return h
        }

        let points = try store.topPoints(.states, keys: nil, since: since, until: until).map { (t: $0.t, state: $0.key, flows: $0.flows) }
        report.outcomes = ReportAssembly.outcomes(points, since: s, until: u)
        if points.isEmpty { for e in states { report.outcomes.connState[e.key, default: 0] += e.flows } }

        // Alerts, and the flows each concerns (through the host index).
        let alerts = try store.alerts(since: since, until: until, limit: ReportAssembly.alertLimit)
        var seen = Set<String>()
        for (i, (a, _)) in alerts.enumerated() {
            var line = ReportAssembly.alertLine(a, id: i + 1)
            if i < top, a.event == .alert, let src = line.srcIp {
                var q = FlowQuery()
                q.host = src
                q.since = a.time - 300
                q.until = a.time + 1
                q.limit = 2000
                let flows = try store.flows(q).map(ReportAssembly.flowLine).filter { ReportAssembly.concerns(line, $0, communityID: a.communityID) }
                for f in flows.prefix(ReportAssembly.flowsPerAlert) {
                    line.flows.append(f.uid)
                    if seen.insert(f.uid).inserted { report.alertFlows.append(f) }
                }
            }
            report.alerts.append(line)
        }

        // Remote hosts: the busiest ones' strips, and which of them are new.
        let remote = try store.top(.hosts, since: since, until: until, n: ReportAssembly.hostCandidates(top)).filter { RemoteAddress.isRemote($0.key) }
        let busiest = remote.prefix(top).map(\.key)
        let strips = try store.topPoints(.hosts, keys: Array(busiest), since: since, until: until).map { (t: $0.t, host: $0.key, bytes: $0.bytes) }
        report.activity = ReportAssembly.activity(strips, hosts: Array(busiest), since: s, until: u)
        for e in remote.prefix(100) where report.newHosts.count < top {
            guard try !store.seenBefore(e.key, since) else { continue }
            var q = FlowQuery()
            q.host = e.key
            q.since = since
            q.until = until
            q.limit = 1
            let first = try store.flows(q).first.map { Double($0.start) / 1e9 } ?? since
            report.newHosts.append(Report.NewHost(ip: e.key, name: nil, firstSeen: first, bytes: e.bytes, flows: e.flows))
        }
        report.newHosts.sort { $0.firstSeen < $1.firstSeen }
        // Names from the DNS answers recorded up to the range's end (passive DNS).
        let names = try store.names(for: Array(Set(report.topHosts.map(\.ip) + busiest + report.newHosts.map(\.ip))), until: until)
        for i in report.topHosts.indices { report.topHosts[i].name = names[report.topHosts[i].ip] }
        for i in report.activity.hosts.indices { report.activity.hosts[i].name = names[report.activity.hosts[i].ip] }
        for i in report.newHosts.indices { report.newHosts[i].name = names[report.newHosts[i].ip] }
        // The SQLite file's bounded top tables; the central database sums conn exactly.
        if !report.topHosts.isEmpty && store is HistoryStore {
            report.notes.append("Top lists sum the history's per-minute top tables (the 100 biggest keys of each minute): a key small in every minute of the range can be missing (netwatch history top --exact scans instead).")
        }
        return report
    }

    /// Country and ASN as recorded with the host's first flow in range, or from `geo`.
    func describe(_ h: inout Report.Host, since: Double, until: Double) throws(HistoryError) {
        guard let address = IPAddress(h.ip) else { return }
        if let geo {
            let info = geo.lookup(address).info
            h.country = info.country?.description
            h.asn = info.asn
            h.asOrg = info.organization
            return
        }
        var q = FlowQuery()
        q.host = h.ip
        q.since = since
        q.until = until
        q.limit = 1
        if let r = try store.flows(q).first {
            let mine = r.originatorAddress == address
            h.country = mine ? r.originatorCountry : r.responderCountry
            h.asn = mine ? r.originatorASN : r.responderASN
        }
    }
}
