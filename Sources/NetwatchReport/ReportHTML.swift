import Mustache
import NetwatchCharts

/// The report as one self-contained HTML page: inline CSS and SVG, no script, no request to
/// any other address (its Content-Security-Policy forbids both). Text reaches the page only
/// through the template's `{{...}}`, which escapes it; the charts are SVG that NetwatchCharts
/// escaped as it drew them, placed with `{{{...}}}`.
public struct ReportHTML {
    public var sections: [ReportSection]
    /// The reader's distance from UTC, seconds (times are shown in it).
    public var offset: Int64

    public init(sections: [ReportSection] = ReportSection.allCases, offset: Int64 = 0) {
        self.sections = sections
        self.offset = offset
    }

    static let template: MustacheTemplate = {
        do { return try MustacheTemplate(string: ReportTemplate.html) } catch { fatalError("report template: \(error)") }
    }()

    public func render(_ r: Report) -> String {
        Self.template.render(view(r))
    }

    func view(_ r: Report) -> [String: Any] {
        let zone = CivilTime.zoneName(offset: offset)
        func t(_ v: Double) -> String { ReportText.time(v, offset: offset) }
        func top(_ list: [Report.Top], _ keyName: (Report.Top) -> String = { $0.key }) -> [[String: Any]] {
            list.enumerated().map { i, e in
                ["rank": i + 1, "key": ReportText.visible(keyName(e)), "packets": ReportText.count(e.packets), "bytes": ReportText.bytes(e.bytes), "flows": ReportText.count(e.flows)]
            }
        }
        var v: [String: Any] = [
            "source": ReportText.visible(r.source), "since": t(r.since), "until": t(r.until), "zone": zone,
            "notes": r.notes.map { ["text": $0] }, "css": ReportStyle.css,
        ]
        let s = r.summary
        let severityNames = [("1", "high"), ("2", "medium"), ("3", "low")]
        var summary: [String: Any] = [
            "packets": ReportText.count(s.packets), "bytes": ReportText.bytes(s.bytes), "flows": ReportText.count(s.flows),
            "hosts": (s.hostsExact ? "" : "≈ ") + ReportText.count(s.hosts), "dropped": ReportText.count(s.dropped),
                        "interfaces": s.interfaces.isEmpty ? "—" : ReportText.visible(s.interfaces.joined(separator: ", ")),
            "runs": s.runs,
            "sensors": s.sensors.isEmpty ? "" : ReportText.visible(s.sensors.joined(separator: ", ")),
            "alerts": severityNames.map { ["name": $0.1, "level": $0.1, "count": ReportText.count(s.alertsBySeverity[$0.0] ?? 0)] },
            "alerts_total": ReportText.count(r.alertsTotal),
        ]
        // Set only when known: an Optional in the view would render as "nil".
        if let m = s.malformed { summary["malformed"] = ReportText.count(m) }
        v["summary"] = summary
        let hasTraffic = s.packets > 0
        var out: [[String: Any]] = []
        for section in sections {
            var e: [String: Any] = ["id": section.rawValue, "title": section.title, "is_" + section.rawValue: true]
            switch section {
            case .summary: break
            case .traffic:
                e["charts"] = hasTraffic ? [["svg": ReportCharts.packets(r, offset: offset)], ["svg": ReportCharts.bytes(r, offset: offset)]] : []
            case .protocols:
                e["charts"] = r.protocols.isEmpty ? [] : [["svg": ReportCharts.protocols(r)]] + (r.services.isEmpty ? [] : [["svg": ReportCharts.bars("Services by bytes", r.services)]])
                e["rows"] = top(r.services)
                e["shares"] = r.protocols.map { ["name": $0.name, "packets": ReportText.count($0.packets), "bytes": ReportText.bytes($0.bytes)] }
            case .talkers:
                e["charts"] = r.topHosts.isEmpty ? [] : [["svg": ReportCharts.talkers(r)]]
                // Columns only for what is known.
                e["names_known"] = r.topHosts.contains { $0.name != nil }
                e["geo_known"] = r.topHosts.contains { $0.country != nil || $0.asn != nil }
                e["hosts"] = r.topHosts.enumerated().map { i, h in
                    ["rank": i + 1, "ip": h.ip, "name": h.name.map(ReportText.visible) ?? "", "country": h.country ?? "",
                     "asn": h.asn.map { "AS\($0)" + (h.asOrg.map { " " + ReportText.visible($0) } ?? "") } ?? "",
                     "sent": ReportText.bytes(h.sentBytes), "received": ReportText.bytes(h.receivedBytes), "bytes": ReportText.bytes(h.bytes),
                     "packets": ReportText.count(h.packets), "flows": ReportText.count(h.flows)] as [String: Any]
                }
            case .ports:
                e["charts"] = r.topPorts.isEmpty ? [] : [["svg": ReportCharts.bars("Top ports by bytes (responder port)", r.topPorts)]]
                e["rows"] = top(r.topPorts)
                e["conversations"] = top(r.topConversations)
            case .outcomes:
                e["charts"] = r.summary.flows == 0 ? [] : [["svg": ReportCharts.outcomes(r, offset: offset)]]
                e["states"] = r.outcomes.connState.sorted { $0.value != $1.value ? $0.value > $1.value : $0.key < $1.key }.map {
                    ["state": ReportText.visible($0.key.isEmpty ? "-" : $0.key), "outcome": ConnOutcome(connState: $0.key).name, "flows": ReportText.count($0.value)]
                }
            case .alerts:
                e["charts"] = r.alerts.contains { $0.eventType == "alert" } ? [["svg": ReportCharts.alertTimeline(r, offset: offset)]] : []
                e["alerts"] = r.alerts.map { a in
                    ["id": a.id, "time": t(a.timestamp), "event": a.eventType, "signature": ReportText.visible(a.signature),
                     "severity": ReportText.severity(a.severity),
                     "src": ReportText.visible((a.srcIp ?? "") + (a.srcPort.map { ":\($0)" } ?? "")),
                     "dest": ReportText.visible((a.destIp ?? "") + (a.destPort.map { ":\($0)" } ?? "")),
                     "reason": ReportText.visible(a.reason), "flows": a.flows.map { ["uid": $0] }] as [String: Any]
                }
                if r.alertsTotal > UInt64(r.alerts.count) {
                    e["more"] = "\(ReportText.count(r.alertsTotal - UInt64(r.alerts.count))) more alerts, summaries and clearings in the range are not listed."
                }
                e["flows"] = r.alertFlows.map { f in
                    ["uid": f.uid, "ts": t(f.ts), "duration": UnitFormat.decimals(f.duration, 3), "orig": "\(f.origH):\(f.origP)", "resp": "\(f.respH):\(f.respP)",
                     "proto": f.proto, "service": ReportText.visible(f.service ?? "-"), "state": f.connState,
                     "bytes": ReportText.bytes(f.origIpBytes) + " / " + ReportText.bytes(f.respIpBytes),
                     "packets": "\(f.origPkts) / \(f.respPkts)", "community_id": f.communityId] as [String: Any]
                }
            case .processes:
                e["charts"] = r.processes.isEmpty ? [] : [["svg": ReportCharts.bars("Traffic by local process", r.processes)]]
                e["rows"] = top(r.processes)
            case .geography:
                e["charts"] = (r.countries.isEmpty ? [] : [["svg": ReportCharts.bars("Traffic by country", r.countries)]])
                    + (r.networks.isEmpty ? [] : [["svg": ReportCharts.bars("Traffic by network (ASN)", r.networks) { "AS" + $0.key }]])
                e["rows"] = top(r.countries)
                e["networks"] = top(r.networks) { "AS" + $0.key }
            case .newhosts:
                e["charts"] = r.activity.hosts.isEmpty ? [] : [["svg": ReportCharts.activity(r, offset: offset)]]
                e["names_known"] = r.newHosts.contains { $0.name != nil }
                e["hosts"] = r.newHosts.map { ["ip": $0.ip, "name": $0.name.map(ReportText.visible) ?? "", "first_seen": t($0.firstSeen), "bytes": ReportText.bytes($0.bytes), "flows": ReportText.count($0.flows)] }
            }
            for (k, value) in e {
                if let list = value as? [Any], !list.isEmpty { e["has_" + k] = true }
            }
            out.append(e)
        }
        v["sections"] = out
        v["toc"] = out.map { ["id": $0["id"]!, "title": $0["title"]!] }
        return v
    }
}
