import NetwatchCharts

/// The report as Markdown for a ticket: the same sections as tables (no charts; the activity
/// and traffic series stay in the HTML and JSON).
public struct ReportMarkdown {
    public var sections: [ReportSection]
    public var offset: Int64

    public init(sections: [ReportSection] = ReportSection.allCases, offset: Int64 = 0) {
        self.sections = sections
        self.offset = offset
    }

    /// A cell: visible control characters, and nothing Markdown or HTML would read as markup.
    static func cell(_ s: String) -> String {
        var out = ""
        for c in ReportText.visible(s) {
            switch c {
            case "|": out += "\\|"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "&": out += "&amp;"
            case "`", "*", "_", "[", "]", "#", "\\": out += "\\" + String(c)
            default: out.append(c)
            }
        }
        return out
    }

    static func table(_ header: [String], _ rows: [[String]], _ out: inout String) {
        guard !rows.isEmpty else { out += "_None in this range._\n\n"; return }
        out += "| " + header.joined(separator: " | ") + " |\n"
        out += "|" + header.map { _ in " --- |" }.joined() + "\n"
        for r in rows { out += "| " + r.map(cell).joined(separator: " | ") + " |\n" }
        out += "\n"
    }

    public func render(_ r: Report) -> String {
        func t(_ v: Double) -> String { ReportText.time(v, offset: offset) }
        func top(_ name: String, _ list: [Report.Top], prefix: String = "") -> [[String]] {
            list.enumerated().map { ["\($0.offset + 1)", prefix + $0.element.key, ReportText.bytes($0.element.bytes), ReportText.count($0.element.packets), ReportText.count($0.element.flows)] }
        }
        var out = "# netwatch report\n\n\(Self.cell(r.source)), \(t(r.since)) to \(t(r.until)) (\(CivilTime.zoneName(offset: offset)))\n\n"
        for n in r.notes { out += "_\(Self.cell(n))_\n\n" }
        let s = r.summary
        for section in sections {
            out += "## \(section.title)\n\n"
            switch section {
            case .summary:
                Self.table(["", ""], [["Packets", ReportText.count(s.packets)], ["Bytes", ReportText.bytes(s.bytes)], ["Connections", ReportText.count(s.flows)],
                                      ["Hosts seen", (s.hostsExact ? "" : "≈ ") + ReportText.count(s.hosts)],
                                      ["Alerts (high / medium / low)", ["1", "2", "3"].map { ReportText.count(s.alertsBySeverity[$0] ?? 0) }.joined(separator: " / ")],
                                      ["Capture drops", ReportText.count(s.dropped)], ["Interfaces or files", s.interfaces.joined(separator: ", ")]]
                                     + (s.sensors.isEmpty ? [] : [["Sensors", s.sensors.joined(separator: ", ")]]), &out)
            case .traffic:
                let peak = zip(r.traffic.packets.indices, r.traffic.packets).max { $0.1 < $1.1 }
                if let peak, peak.1 > 0 {
                    out += "Busiest \(ReportCharts.duration(r.traffic.resolution)): \(t(Double(r.traffic.start + Int64(peak.0) * r.traffic.resolution))), "
                        + "\(ReportText.count(peak.1)) packets, \(ReportText.bytes(r.traffic.bytes[peak.0])).\n\n"
                } else {
                    out += "_No traffic recorded in this range._\n\n"
                }
            case .protocols:
                Self.table(["Protocol", "Packets", "Bytes"], r.protocols.map { [$0.name, ReportText.count($0.packets), ReportText.bytes($0.bytes)] }, &out)
                Self.table(["#", "Service", "Bytes", "Packets", "Connections"], top("service", r.services), &out)
            case .talkers:
                Self.table(["#", "Host", "Name", "Country", "Network", "Sent", "Received", "Connections"], r.topHosts.enumerated().map { i, h in
                    ["\(i + 1)", h.ip, h.name ?? "", h.country ?? "", h.asn.map { "AS\($0)" + (h.asOrg.map { " " + $0 } ?? "") } ?? "",
                     ReportText.bytes(h.sentBytes), ReportText.bytes(h.receivedBytes), ReportText.count(h.flows)]
                }, &out)
            case .ports:
                Self.table(["#", "Port", "Bytes", "Packets", "Connections"], top("port", r.topPorts), &out)
                Self.table(["#", "Conversation", "Bytes", "Packets", "Connections"], top("conversation", r.topConversations), &out)
            case .outcomes:
                Self.table(["conn_state", "Outcome", "Connections"], r.outcomes.connState.sorted { $0.value != $1.value ? $0.value > $1.value : $0.key < $1.key }.map {
                    [$0.key, ConnOutcome(connState: $0.key).name, ReportText.count($0.value)]
                }, &out)
            case .alerts:
                Self.table(["#", "Time", "Signature", "Severity", "Source", "Destination", "Details", "Flows"], r.alerts.map { a in
                    ["\(a.id)", t(a.timestamp), a.signature, ReportText.severity(a.severity), (a.srcIp ?? "") + (a.srcPort.map { ":\($0)" } ?? ""),
                     (a.destIp ?? "") + (a.destPort.map { ":\($0)" } ?? ""), a.reason + " (" + a.eventType + ")", a.flows.joined(separator: " ")]
                }, &out)
                if !r.alertFlows.isEmpty {
                    out += "### Flows the alerts concern\n\n"
                    Self.table(["uid", "Start", "Originator", "Responder", "Proto", "State", "Bytes (orig / resp)"], r.alertFlows.map { f in
                        [f.uid, t(f.ts), "\(f.origH):\(f.origP)", "\(f.respH):\(f.respP)", f.proto, f.connState,
                         ReportText.bytes(f.origIpBytes) + " / " + ReportText.bytes(f.respIpBytes)]
                    }, &out)
                }
            case .processes:
                Self.table(["#", "Process", "Bytes", "Packets", "Connections"], top("process", r.processes), &out)
            case .geography:
                Self.table(["#", "Country", "Bytes", "Packets", "Connections"], top("country", r.countries), &out)
                Self.table(["#", "Network", "Bytes", "Packets", "Connections"], top("network", r.networks, prefix: "AS"), &out)
            case .newhosts:
                Self.table(["Host", "Name", "First seen", "Bytes", "Connections"], r.newHosts.map { [$0.ip, $0.name ?? "", t($0.firstSeen), ReportText.bytes($0.bytes), ReportText.count($0.flows)] }, &out)
            }
        }
        return out
    }
}
