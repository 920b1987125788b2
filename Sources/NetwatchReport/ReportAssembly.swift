import NetwatchDecode
import NetwatchDetect
import NetwatchEvents
import NetwatchHistory

/// What both builders share: how a list is ranked and cut, how series are laid on a grid,
/// how alerts and conn records are written into a report.
enum ReportAssembly {
    /// The first `n` of `entries` ranked as `history top` ranks: most bytes first, ties by
    /// their text. Each comes with its text; the entries past the n-th largest bytes are
    /// neither written out nor sorted, and of those tied at that edge only the first by text
    /// are kept (a flood ties millions at one packet's bytes).
    static func firstByBytes<E>(_ entries: [E], _ n: Int, bytes: (E) -> UInt64, text: (E) -> String) -> [(entry: E, text: String)] {
        guard n > 0 else { return [] }
        func ordered(_ a: (entry: E, text: String), _ b: (entry: E, text: String)) -> Bool {
            let (x, y) = (bytes(a.entry), bytes(b.entry))
            return x != y ? x > y : a.text < b.text
        }
        guard entries.count > n else { return entries.map { ($0, text($0)) }.sorted(by: ordered) }
        var values = entries.map(bytes)
        let edge = TopSelection.kthLargest(&values, n)
        let above = entries.filter { bytes($0) > edge }.map { ($0, text($0)) }.sorted(by: ordered)
        // The rest from the edge: a list kept in text order and cut at its room.
        let room = n - above.count
        var tied: [(entry: E, text: String)] = []
        for e in entries where bytes(e) == edge {
            let t = text(e)
            if tied.count == room {
                guard t < tied[room - 1].text else { continue }
                tied.removeLast()
            }
            var i = tied.count
            while i > 0 && t < tied[i - 1].text { i -= 1 }
            tied.insert((e, t), at: i)
        }
        return above + tied
    }

    /// Traffic from per-second (or coarser) buckets laid on the report's grid.
    static func traffic(_ buckets: [(t: Int64, tick: TrafficTick)], since: Int64, until: Int64, floor: Int64) -> Report.Traffic {
        var out = Report.Traffic()
        out.resolution = ReportBuckets.width(since: since, until: until, floor: floor)
        let (start, count) = ReportBuckets.grid(since: since, until: until, width: out.resolution)
        out.start = start
        let zero = [UInt64](repeating: 0, count: count)
        out.packets = zero; out.bytes = zero; out.tcp = zero; out.udp = zero; out.icmp = zero; out.other = zero; out.dropped = zero
        out.tcpBytes = zero; out.udpBytes = zero; out.icmpBytes = zero; out.otherBytes = zero
        for (t, k) in buckets {
            guard let i = ReportBuckets.index(t, start: start, width: out.resolution, count: count) else { continue }
            out.packets[i] += k.packets; out.bytes[i] += k.bytes
            out.tcp[i] += k.tcp; out.udp[i] += k.udp; out.icmp[i] += k.icmp; out.other[i] += k.other
            out.dropped[i] += k.dropped
            out.tcpBytes[i] += k.tcpBytes; out.udpBytes[i] += k.udpBytes; out.icmpBytes[i] += k.icmpBytes; out.otherBytes[i] += k.otherBytes
        }
        return out
    }

    static func protocols(_ t: Report.Traffic) -> [Report.Share] {
        [("TCP", t.tcp, t.tcpBytes), ("UDP", t.udp, t.udpBytes), ("ICMP", t.icmp, t.icmpBytes), ("other", t.other, t.otherBytes)]
            .map { Report.Share(name: $0.0, packets: $0.1.reduce(0, +), bytes: $0.2.reduce(0, +)) }
            .filter { $0.packets > 0 }
    }

    /// Outcomes per bucket from (minute, conn_state, flows) points.
    static func outcomes(_ points: [(t: Int64, state: String, flows: UInt64)], since: Int64, until: Int64) -> Report.Outcomes {
        var out = Report.Outcomes()
        out.resolution = ReportBuckets.width(since: since, until: until, floor: 60, maxBuckets: 120)
        let (start, count) = ReportBuckets.grid(since: since, until: until, width: out.resolution)
        out.start = start
        var rows = [[UInt64]](repeating: [UInt64](repeating: 0, count: count), count: ConnOutcome.allCases.count)
        for p in points {
            out.connState[p.state, default: 0] += p.flows
            guard let i = ReportBuckets.index(p.t, start: start, width: out.resolution, count: count) else { continue }
            rows[ConnOutcome(connState: p.state).rawValue][i] += p.flows
        }
        out.completed = rows[0]; out.rejected = rows[1]; out.unanswered = rows[2]; out.reset = rows[3]; out.other = rows[4]
        return out
    }

    /// Strips of bytes per bucket for `hosts`, in their order, from (minute, host, bytes) points.
    static func activity(_ points: [(t: Int64, host: String, bytes: UInt64)], hosts: [String], since: Int64, until: Int64) -> Report.Activity {
        var out = Report.Activity()
        out.resolution = ReportBuckets.width(since: since, until: until, floor: 60, maxBuckets: 120)
        let (start, count) = ReportBuckets.grid(since: since, until: until, width: out.resolution)
        out.start = start
        var rows: [String: [UInt64]] = [:]
        for h in hosts { rows[h] = [UInt64](repeating: 0, count: count) }
        for p in points {
            guard rows[p.host] != nil, let i = ReportBuckets.index(p.t, start: start, width: out.resolution, count: count) else { continue }
            rows[p.host]![i] += p.bytes
        }
        out.hosts = hosts.map { Report.Strip(ip: $0, name: nil, bytes: rows[$0]!) }
        return out
    }

    static func alertLine(_ a: Alert, id: Int) -> Report.AlertLine {
        Report.AlertLine(id: id, timestamp: a.time, eventType: a.event.rawValue, signature: a.signature.rawValue, severity: a.severity,
                         srcIp: (a.sourceAddress ?? a.localAddress).map { "\($0)" }, srcPort: a.sourcePort ?? a.localPort,
                         destIp: (a.destinationAddress ?? a.remoteAddress).map { "\($0)" }, destPort: a.destinationPort ?? a.remotePort,
                         reason: a.reason)
    }

    static func flowLine(_ r: FlowRecord) -> Report.FlowLine {
        Report.FlowLine(uid: r.uid, ts: Double(r.start) / 1e9, duration: Double(r.duration) / 1e9,
                        origH: "\(r.originatorAddress)", origP: r.originatorPort, respH: "\(r.responderAddress)", respP: r.responderPort,
                        proto: r.proto, service: r.service, connState: r.connState,
                        origIpBytes: r.originatorIPBytes, respIpBytes: r.responderIPBytes, origPkts: r.originatorPackets, respPkts: r.responderPackets,
                        communityId: r.communityID)
    }

    /// Flows an alert concerns: those that started in the five minutes before it (or the
    /// second after), with its Community ID, else between its two ends (or from its source,
    /// with no destination). The window is the database's query's: a later connection on the
    /// same 5-tuple (a SYN retried after a RST) is not the one the alert saw.
    static func concerns(_ a: Report.AlertLine, _ r: Report.FlowLine, communityID: String?) -> Bool {
        guard r.ts >= a.timestamp - 300 && r.ts < a.timestamp + 1 else { return false }
        if let c = communityID, !c.isEmpty { return r.communityId == c }
        guard let src = a.srcIp else { return false }
        let ends = (r.origH == src || r.respH == src)
        guard let dst = a.destIp else { return ends }
        return ends && (r.origH == dst || r.respH == dst)
    }

    /// How many of the busiest hosts are looked through for remote ones (strips, new hosts).
    static func hostCandidates(_ top: Int) -> Int { max(500, 5 * top) }

    static let alertLimit = 200
    static let flowsPerAlert = 5
}

extension Report.Traffic {
    /// Per-second ticks (the live dashboard's last minutes) laid on a grid over [since, until).
    public init(ticks: [TrafficTick], since: Int64, until: Int64) {
        self = ReportAssembly.traffic(ticks.map { ($0.second, $0) }, since: since, until: until, floor: 1)
    }
}
