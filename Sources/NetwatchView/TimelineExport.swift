import NetwatchDecode
import NetwatchTimeline

/// The timeline saved to a file: the whole run (not what fitted the screen), per-address
/// statistics, the ten most active, GeoIP answers and a summary of the run.
public struct TimelineExport {
    public struct Run {
        public var started: Double
        public var ended: Double
        public var source: String
        public var filters: [String]
        public var geoFiles: [String]
        public var geoLoadSeconds: Double?
        public var namesResolved: Int?
        public init(started: Double, ended: Double, source: String, filters: [String], geoFiles: [String], geoLoadSeconds: Double?, namesResolved: Int?) {
            self.started = started
            self.ended = ended
            self.source = source
            self.filters = filters
            self.geoFiles = geoFiles
            self.geoLoadSeconds = geoLoadSeconds
            self.namesResolved = namesResolved
        }
    }

    public static func text(_ t: Timeline, view: TimelineView, run: Run, labels: (Int) -> TimelineView.Labels) -> String {
        let plain = TimelineView(colour: false, width: view.width, showCountry: view.showCountry, showASN: view.showASN)
        let slots = 0..<t.slotCount
        var out = "# netwatch timeline export\n"
        out += "Started:  \(WallTime.readable(run.started))\n"
        out += "Ended:    \(WallTime.readable(run.ended))\n"
        out += "Runtime:  \(TimelineView.duration(run.ended - run.started)) (\(slots.count) columns of \(TimelineView.interval(t.interval)))\n"
        out += "Source:   \(run.source)\n"
        out += "Filters:  \(run.filters.isEmpty ? "none" : run.filters.joined(separator: ", ")); \(t.hiddenAddresses.count) addresses hidden\n"
        if !run.geoFiles.isEmpty { out += "GeoIP:    \(run.geoFiles.joined(separator: ", "))\n" }
        out += "\n== Timeline: one column per \(TimelineView.interval(t.interval)), the whole run ==\n"
        out += plain.legend + "\n"
        let order = t.ranked(window: slots.count)
        let labelWidth = min(60, order.map { plain.label(t.hosts[$0], labels($0)).unicodeScalars.count }.max() ?? 15)
        for i in order {
            let h = t.hosts[i]
            let l = labels(i)
            let label = plain.label(h, l)
            out += label + String(repeating: " ", count: max(0, labelWidth - label.unicodeScalars.count)) + "  " + plain.marks(h, slots) + " " + plain.status(h, l, active: t.isActive(h)) + "\n"
        }
        out += "\n== Per-IP statistics ==\n"
        out += "IP\tName\tCountry\tASN\tOrganisation\tFirst seen\tLast seen\tTime active\tActive %\tConnections\tPorts\n"
        for i in order {
            let h = t.hosts[i]
            let l = labels(i)
            let active = Double(h.markedSlots) * t.interval
            let share = slots.isEmpty ? 0 : Double(h.markedSlots) * 100 / Double(slots.count)
            let cells: [String] = [
                "\(h.address)", l.name ?? "-", l.geo?.country?.description ?? "-", l.geo?.asn.map { "AS\($0)" } ?? "-",
                l.geo?.organization.map { TerminalText.safe($0) } ?? "-", WallTime.readable(h.firstSeen), WallTime.readable(h.lastSeen),
                TimelineView.duration(active), "\(Int(share.rounded()))%", "\(h.connections)",
                h.ports.map(String.init).joined(separator: ",") + (h.morePorts ? ",…" : ""),
            ]
            out += cells.joined(separator: "\t") + "\n"
        }
        out += "\n== 10 most active ==\n"
        let top = t.hosts.indices.sorted { t.hosts[$0].markedSlots != t.hosts[$1].markedSlots ? t.hosts[$0].markedSlots > t.hosts[$1].markedSlots : t.hosts[$0].connections > t.hosts[$1].connections }.prefix(10)
        for (rank, i) in top.enumerated() {
            let h = t.hosts[i]
            let share = slots.isEmpty ? 0 : Double(h.markedSlots) * 100 / Double(slots.count)
            out += "\(rank + 1). \(plain.label(h, labels(i)))  active \(TimelineView.duration(Double(h.markedSlots) * t.interval)) (\(Int(share.rounded()))% of the run), \(h.connections) connections \(plain.status(h, labels(i), active: t.isActive(h)))\n"
        }
        out += "\n== Runtime summary ==\n"
        out += "IPs shown: \(t.hosts.count); hidden by filters: \(t.hiddenAddresses.count)"
        if t.agedOut > 0 { out += "; aged out (idle, table full): \(t.agedOut)" }
        out += t.droppedAddresses > 0 ? "; not tracked (over \(t.maxHosts) IPs at once): \(t.droppedAddresses)\n" : "\n"
        out += "Connections opened: \(t.connectionsOpened); closed: \(t.connectionsClosed)\n"
        if let g = run.geoLoadSeconds { out += "GeoIP databases loaded in \(Int(g * 1000)) ms\n" }
        if let n = run.namesResolved { out += "Reverse DNS names found: \(n)\n" }
        return out
    }
}
