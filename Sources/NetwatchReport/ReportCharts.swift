import NetwatchCharts

/// The report's charts, drawn by NetwatchCharts from a `Report` (the web dashboard draws the
/// same ones from the same numbers).
public enum ReportCharts {
    /// Bars and strips drawn at most (the tables list all `--top`).
    static let chartRows = 25

    public static func packets(_ r: Report, offset: Int64) -> String {
        let t = r.traffic
        return perProtocol(r, "Packets per second by protocol", unit: "packets/s", [t.tcp, t.udp, t.icmp, t.other], offset: offset)
    }

    public static func bytes(_ r: Report, offset: Int64) -> String {
        let t = r.traffic
        return perProtocol(r, "Bytes per second by protocol", unit: "B/s", [t.tcpBytes, t.udpBytes, t.icmpBytes, t.otherBytes], offset: offset)
    }

    /// Per second, stacked TCP, UDP, ICMP, other (those seen), with the alerts marked.
    static func perProtocol(_ r: Report, _ title: String, unit: String, _ rows: [[UInt64]], offset: Int64) -> String {
        let t = r.traffic
        let per = Double(t.resolution)
        var chart = TimeSeriesChart(title: title, unit: unit, start: t.start, bucketSeconds: t.resolution,
                                    series: zip(["TCP", "UDP", "ICMP", "other"], rows).map { ChartSeries(name: $0.0, values: $0.1.map { Double($0) / per }) }
                                        .filter { $0.values.contains { $0 > 0 } })
        chart.markers = markers(r)
        chart.offset = offset
        return chart.svg()
    }

    static func markers(_ r: Report) -> [ChartMarker] {
        r.alerts.filter { $0.eventType == "alert" }.map {
            ChartMarker(time: $0.timestamp, severity: $0.severity, label: ReportText.visible($0.signature + " " + ($0.srcIp ?? "") + " → " + ($0.destIp ?? "")))
        }
    }

    public static func outcomes(_ r: Report, offset: Int64) -> String {
        let o = r.outcomes
        let rows = [o.completed, o.rejected, o.unanswered, o.reset, o.other]
        var chart = TimeSeriesChart(title: "Connections by outcome, per \(duration(o.resolution))", unit: "connections", start: o.start, bucketSeconds: o.resolution,
                                    series: zip(ConnOutcome.allCases, rows).map { ChartSeries(name: $0.0.name, values: $0.1.map { Double($0) }) }
                                        .filter { $0.values.contains { $0 > 0 } })
        chart.markers = markers(r)
        chart.offset = offset
        chart.height = 220
        return chart.svg()
    }

    public static func bars(_ title: String, _ list: [Report.Top], label: (Report.Top) -> String = { $0.key }) -> String {
        BarChart(title: title, unit: "B", segments: ["bytes"], rows: list.prefix(chartRows).map { ChartSeries(name: ReportText.visible(label($0)), values: [Double($0.bytes)]) }).svg()
    }

    public static func talkers(_ r: Report) -> String {
        BarChart(title: "Top talkers, bytes sent and received", unit: "B", segments: ["sent", "received"],
                 rows: r.topHosts.prefix(chartRows).map { ChartSeries(name: ReportText.visible($0.ip + ($0.name.map { " " + $0 } ?? "")),
                                                     values: [Double($0.sentBytes), Double($0.receivedBytes)]) }).svg()
    }

    public static func protocols(_ r: Report) -> String {
        BarChart(title: "Bytes by protocol", unit: "B", segments: ["bytes"],
                 rows: r.protocols.map { ChartSeries(name: $0.name, values: [Double($0.bytes)]) }).svg()
    }

    public static func activity(_ r: Report, offset: Int64) -> String {
        var strips = ActivityStrips(title: "Activity of the busiest remote hosts (bytes per \(duration(r.activity.resolution)), darker is busier)", unit: "bytes",
                                    start: r.activity.start, bucketSeconds: r.activity.resolution,
                                    rows: r.activity.hosts.prefix(chartRows).map { ChartSeries(name: ReportText.visible($0.ip + ($0.name.map { " " + $0 } ?? "")), values: $0.bytes.map { Double($0) }) })
        strips.offset = offset
        return strips.svg()
    }

    /// Alerts per signature over the range, one strip each.
    public static func alertTimeline(_ r: Report, offset: Int64) -> String {
        let o = r.outcomes
        var rows: [String: [Double]] = [:]
        let count = o.completed.count
        for a in r.alerts where a.eventType == "alert" {
            guard let i = ReportBuckets.index(Int64(a.timestamp), start: o.start, width: o.resolution, count: count) else { continue }
            rows[a.signature, default: [Double](repeating: 0, count: count)][i] += 1
        }
        var strips = ActivityStrips(title: "Alerts over time, per signature (per \(duration(o.resolution)))", unit: "alerts", start: o.start, bucketSeconds: o.resolution,
                                    rows: rows.sorted { $0.key < $1.key }.map { ChartSeries(name: ReportText.visible($0.key), values: $0.value) })
        strips.offset = offset
        strips.colour = ChartColors.severity(1)
        return strips.svg()
    }

    static func duration(_ s: Int64) -> String {
        s % 86_400 == 0 ? "\(s / 86_400) d" : s % 3600 == 0 ? "\(s / 3600) h" : s % 60 == 0 ? "\(s / 60) min" : "\(s) s"
    }
}
