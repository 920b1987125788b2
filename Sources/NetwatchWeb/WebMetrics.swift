import Prometheus
import Synchronization
import NetwatchEvents

/// `/metrics` in the Prometheus text format, from the live totals: counters move by what was
/// added since the last scrape. Labels are interfaces, protocols and signatures (bounded
/// sets), never addresses or ports.
public final class WebMetrics: Sendable {
    let registry: PrometheusCollectorRegistry
    let seen = Mutex<[String: UInt64]>([:])
    let base: [(String, String)]

    let packets: [String: Counter]
    let bytes: [String: Counter]
    let dropped: Counter
    let flowsActive: Gauge
    let flowsOpened: Counter
    let flowsEnded: Counter
    let flowsEvicted: Counter
    let historyQueue: Gauge
    let historyDropped: Counter

    public static let protocols = ["tcp", "udp", "icmp", "other"]

    /// `sensor`: a label on every series, so one Prometheus tells sensors apart.
    public init(sensor: String?, startTime: Double) {
        base = sensor.map { [("sensor", $0)] } ?? []
        let b = base
        let registry = PrometheusCollectorRegistry()
        self.registry = registry
        packets = Dictionary(uniqueKeysWithValues: Self.protocols.map {
            ($0, registry.makeCounter(name: "netwatch_packets_total", labels: b + [("protocol", $0)], help: "Packets captured, by transport protocol."))
        })
        bytes = Dictionary(uniqueKeysWithValues: Self.protocols.map {
            ($0, registry.makeCounter(name: "netwatch_bytes_total", labels: b + [("protocol", $0)], help: "Bytes on the wire captured, by transport protocol."))
        })
        dropped = registry.makeCounter(name: "netwatch_capture_dropped_packets_total", labels: b, help: "Packets the kernel or interface dropped.")
        flowsActive = registry.makeGauge(name: "netwatch_flows_active", labels: b, help: "Connections open in the flow table.")
        flowsOpened = registry.makeCounter(name: "netwatch_flows_opened_total", labels: b, help: "Connections seen to open.")
        flowsEnded = registry.makeCounter(name: "netwatch_flows_ended_total", labels: b, help: "Connections ended (timeout, eviction, end of run).")
        flowsEvicted = registry.makeCounter(name: "netwatch_flows_evicted_total", labels: b, help: "Connections evicted because the flow table was full.")
        historyQueue = registry.makeGauge(name: "netwatch_history_queue_depth", labels: b, help: "Records waiting to be written to the history database.")
        historyDropped = registry.makeCounter(name: "netwatch_history_dropped_records_total", labels: b, help: "Records the history database could not take (queue full or write failed).")
        registry.makeGauge(name: "process_start_time_seconds", labels: b, help: "Start time of the process since unix epoch in seconds.").set(startTime)
    }

    /// Brings the counters up to `live` and renders them.
    public func render(_ live: LiveState.Snapshot, historyQueue depth: Int?, historyDropped lost: UInt64?) -> String {
        seen.withLock { seen in
            func advance(_ key: String, _ value: UInt64, _ counter: Counter) {
                let old = seen[key] ?? 0
                if value > old { counter.increment(by: Double(value - old)) }
                seen[key] = max(old, value)
            }
            let t = live.totals
            for (name, p, b) in [("tcp", t.tcp, t.tcpBytes), ("udp", t.udp, t.udpBytes), ("icmp", t.icmp, t.icmpBytes), ("other", t.other, t.otherBytes)] {
                advance("p." + name, p, packets[name]!)
                advance("b." + name, b, bytes[name]!)
            }
            advance("dropped", t.dropped, dropped)
            advance("opened", t.flowsOpened, flowsOpened)
            advance("ended", t.flowsEnded, flowsEnded)
            advance("evicted", t.flowsEvicted, flowsEvicted)
            flowsActive.set(Double(live.openCount))
            for (name, v) in live.interfaces {
                advance("ip." + name, v.packets, registry.makeCounter(name: "netwatch_interface_packets_total", labels: base + [("interface", name)], help: "Packets captured, by interface."))
                advance("ib." + name, v.bytes, registry.makeCounter(name: "netwatch_interface_bytes_total", labels: base + [("interface", name)], help: "Bytes on the wire captured, by interface."))
            }
            for (signature, n) in live.alertsBySignature {
                advance("a." + signature, n, registry.makeCounter(name: "netwatch_alerts_total", labels: base + [("signature", signature)], help: "Alerts raised, by signature."))
            }
            if let depth { historyQueue.set(Double(depth)) }
            if let lost { advance("hd", lost, historyDropped) }
        }
        return registry.emitToString()
    }
}
