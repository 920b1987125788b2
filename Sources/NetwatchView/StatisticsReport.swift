import NetwatchDecode
import NetwatchStats

/// The statistics blocks: a short live block every few seconds and a full one on exit,
/// as text for people and as JSON lines for scripts.
public struct StatisticsReport {
    public let stats: TrafficStatistics
    public let services: ServiceTable?
    public let activeFlows: Int
    public let flowsSeen: UInt64
    public let runtime: Double

    public init(stats: TrafficStatistics, services: ServiceTable?, activeFlows: Int, flowsSeen: UInt64, runtime: Double) {
        self.stats = stats
        self.services = services
        self.activeFlows = activeFlows
        self.flowsSeen = flowsSeen
        self.runtime = runtime
    }

    /// `LIVE STATS | Packets: 1247 | PPS: 24.53 | Bytes/s: 12.1 kB | Runtime: 51s | Active connections: 12`
    /// then the top protocols and addresses.
    public func liveText() -> String {
        let seconds = max(runtime, 0.001)
        var lines = [
            "LIVE STATS | Packets: \(stats.packets) | PPS: \(fixed(Double(stats.packets) / seconds)) | Bytes/s: \(size(Double(stats.bytes) / seconds)) | Runtime: \(Int(runtime))s | Active connections: \(activeFlows)",
            "Top Protocols: " + protocols().prefix(4).map { "\($0.name): \($0.packets)" }.joined(separator: ", "),
        ]
        let ips = stats.addresses.top(5)
        if !ips.isEmpty { lines.append("Top IPs: " + ips.map { "\($0.key) (\($0.packets))" }.joined(separator: ", ")) }
        return lines.joined(separator: "\n")
    }

    public func finalText() -> String {
        var lines = ["=== Final statistics ==="]
        lines.append("Duration: \(fixed(runtime)) s | Packets: \(stats.packets) | Bytes: \(stats.bytes) (\(size(Double(stats.bytes)))) | Malformed: \(stats.malformed) | DNS messages: \(stats.dnsPackets) | Flows: \(flowsSeen)")
        lines.append("Protocols:")
        for p in protocols() {
            lines.append("  \(pad(p.name, 9)) \(pad(String(p.packets), 10, right: true))  \(fixed(100 * Double(p.packets) / Double(max(stats.packets, 1))))%")
        }
        lines.append("Top IP addresses:")
        for e in stats.addresses.top(10) {
            lines.append("  \(pad(e.key.description, 39)) \(pad(String(e.packets), 10, right: true)) packets  \(size(Double(e.bytes)))")
        }
        lines.append("Top ports:")
        for p in stats.topPorts(10) {
            let name = services?.name(port: p.port, tcp: p.tcp).map { " (\($0))" } ?? ""
            lines.append("  \(pad("\(p.port)/\(p.tcp ? "tcp" : "udp")\(name)", 28)) \(pad(String(p.packets), 10, right: true)) packets")
        }
        lines.append("Top conversations:")
        for c in stats.conversations.top(10) {
            lines.append("  \(pad("\(c.key.a) ↔ \(c.key.b)", 60)) \(pad(String(c.packets), 10, right: true)) packets  \(size(Double(c.bytes)))")
        }
        if stats.addresses.overflowed > 0 {
            lines.append("  (more distinct addresses than tracked: counts above are lower bounds)")
        }
        return lines.joined(separator: "\n")
    }

    /// One JSON object: `kind` is "live" or "final".
    public func json(kind: String) -> String {
        var fields = [
            "\"event_type\":\"stats\"", "\"kind\":\"\(kind)\"", "\"packets\":\(stats.packets)", "\"bytes\":\(stats.bytes)",
            "\"runtime\":\(fixed(runtime))", "\"pps\":\(fixed(Double(stats.packets) / max(runtime, 0.001)))",
            "\"active_connections\":\(activeFlows)", "\"flows\":\(flowsSeen)", "\"malformed\":\(stats.malformed)",
        ]
        fields.append("\"protocols\":{" + protocols().map { "\"\($0.name)\":\($0.packets)" }.joined(separator: ",") + "}")
        fields.append("\"top_ips\":[" + stats.addresses.top(10).map { "{\"ip\":\"\($0.key)\",\"packets\":\($0.packets),\"bytes\":\($0.bytes)}" }.joined(separator: ",") + "]")
        fields.append("\"top_ports\":[" + stats.topPorts(10).map { "{\"port\":\($0.port),\"proto\":\"\($0.tcp ? "tcp" : "udp")\",\"packets\":\($0.packets)}" }.joined(separator: ",") + "]")
        fields.append("\"top_conversations\":[" + stats.conversations.top(10).map { "{\"a\":\"\($0.key.a)\",\"b\":\"\($0.key.b)\",\"packets\":\($0.packets),\"bytes\":\($0.bytes)}" }.joined(separator: ",") + "]")
        return "{" + fields.joined(separator: ",") + "}"
    }

    private func protocols() -> [(name: String, packets: UInt64)] {
        TrafficStatistics.ProtocolClass.allCases.map { ($0.name, stats.count($0)) }.filter { $0.1 > 0 }.sorted { $0.1 > $1.1 }
    }

    private func fixed(_ v: Double) -> String {
        let hundredths = Int((v * 100).rounded())
        return "\(hundredths / 100).\(hundredths % 100 < 10 ? "0" : "")\(hundredths % 100)"
    }

    private func size(_ v: Double) -> String {
        if v >= 1e9 { return fixed(v / 1e9) + " GB" }
        if v >= 1e6 { return fixed(v / 1e6) + " MB" }
        if v >= 1e3 { return fixed(v / 1e3) + " kB" }
        return "\(Int(v)) B"
    }

    private func pad(_ s: String, _ width: Int, right: Bool = false) -> String {
        let n = max(0, width - s.count)
        return right ? String(repeating: " ", count: n) + s : s + String(repeating: " ", count: n)
    }
}
