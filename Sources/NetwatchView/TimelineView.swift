import NetwatchDecode
import NetwatchGeo
import NetwatchTimeline

/// Draws a `Timeline`: the dashboard (one row per remote address, one column per time unit),
/// the scrolling event log, and the rows of the export file.
public struct TimelineView {
    /// What is known about a host besides its traffic: its reverse DNS name and GeoIP answer.
    public struct Labels {
        public var name: String?
        public var geo: GeoInfo?
        public init(name: String? = nil, geo: GeoInfo? = nil) {
            self.name = name
            self.geo = geo
        }
    }

    public let colour: Bool
    public let width: Int
    public let showCountry: Bool
    public let showASN: Bool

    public init(colour: Bool, width: Int, showCountry: Bool, showASN: Bool) {
        self.colour = colour
        self.width = width
        self.showCountry = showCountry
        self.showASN = showASN
    }

    static let reset = "\u{1B}[0m"

    func code(_ m: TimelineMark) -> String {
        switch m {
        case .new: "\u{1B}[32m"
        case .active: "\u{1B}[34m"
        case .listening: "\u{1B}[33m"
        case .closed: "\u{1B}[31m"
        case .idle: "\u{1B}[90m"
        }
    }

    public var legend: String { legend(columns: nil) }

    /// The legend, shortened to fit `columns` (it is coloured, so it cannot be cut blindly).
    public func legend(columns: Int?) -> String {
        let long: [(TimelineMark, String)] = [(.new, "new"), (.active, "active"), (.listening, "unanswered"), (.closed, "closed"), (.idle, "idle")]
        let short: [(TimelineMark, String)] = [(.new, "new"), (.active, "active"), (.listening, "unanswered"), (.closed, "closed"), (.idle, "idle")]
        for (prefix, items) in [("Legend: ", long), ("", short), ("", long.map { ($0.0, "") })] {
            let plainWidth = prefix.count + items.map { 1 + ($0.1.isEmpty ? 0 : 1 + $0.1.count) }.reduce(0, +) + 2 * (items.count - 1)
            if let columns, plainWidth > columns, !items[0].1.isEmpty { continue }
            return prefix + items.map { (colour ? code($0.0) + $0.0.symbol + Self.reset : $0.0.symbol) + ($0.1.isEmpty ? "" : " " + $0.1) }.joined(separator: "  ")
        }
        return ""
    }

    /// `203.0.113.7 (host.example)`; the name is sanitised by whoever resolved it.
    public func label(_ h: TimelineHost, _ l: Labels) -> String {
        l.name.map { "\(h.address) (\($0))" } ?? "\(h.address)"
    }

    /// `[US | AS13335 Cloudflare, Inc. | ACTIVE | Port:443]`
    public func status(_ h: TimelineHost, _ l: Labels, active: Bool) -> String {
        var parts: [String] = []
        if showCountry { parts.append(l.geo?.country?.description ?? "??") }
        if showASN { parts.append(l.geo.flatMap { GeoText.network($0) } ?? "AS?") }
        parts.append(h.open > 0 && h.halfOpen == h.open ? "UNANSWERED" : active ? "ACTIVE" : "CLOSED")
        if !h.ports.isEmpty { parts.append("Port:" + h.ports.map(String.init).joined(separator: ",") + (h.morePorts ? ",…" : "")) }
        return "[" + parts.joined(separator: " | ") + "]"
    }

    /// The marks of `slots`, coloured when colour is on (one escape per run of equal marks).
    public func marks(_ h: TimelineHost, _ slots: Range<Int>) -> String {
        var out = ""
        out.reserveCapacity(slots.count * 4 + 16)
        var last: TimelineMark?
        for s in slots {
            let m = h.mark(at: s)
            if colour && m != last { out += code(m) }
            last = m
            out += m.symbol
        }
        if colour && last != nil { out += Self.reset }
        return out
    }

    /// `0:02:15`
    public static func duration(_ seconds: Double) -> String {
        let s = max(0, Int(seconds.rounded(.down)))
        return "\(s / 3600):\(WallTime.pad(s / 60 % 60, 2)):\(WallTime.pad(s % 60, 2))"
    }

    public static func interval(_ seconds: Double) -> String {
        seconds == seconds.rounded() ? "\(Int(seconds)).0 s" : "\(seconds) s"
    }

    public func header(_ t: Timeline, source: String) -> String {
        var h = "netwatch timeline · \(Self.duration(t.elapsed)) elapsed · \(Self.interval(t.interval)) per column · \(t.hosts.count) IPs"
        let hidden = t.hiddenAddresses.count + t.droppedAddresses
        if hidden > 0 { h += " (\(hidden) hidden)" }
        return h + " · \(t.connectionsOpened) connections · source: \(source)"
    }

    /// One dashboard frame for a screen of `columns` x `rows` (nil: every row, full width),
    /// lines separated by "\n", without escapes for cursor movement.
    public func frame(_ t: Timeline, source: String, columns: Int?, rows: Int?, labels: (Int) -> Labels) -> [String] {
        var lines = [clip(header(t, source: source), columns), legend(columns: columns)]
        let order = t.ranked(window: width)
        let end = t.currentSlot + 1
        let maxRows = rows.map { max(0, $0 - 3) } ?? order.count
        let shown = order.count > maxRows ? Array(order.prefix(max(0, maxRows - 1))) : order
        let texts = shown.map { (label: label(t.hosts[$0], labels($0)), status: status(t.hosts[$0], labels($0), active: t.isActive(t.hosts[$0]))) }
        let labelWidth = min(48, texts.map { $0.label.unicodeScalars.count }.max() ?? 15)
        var markWidth = width
        if let columns {
            // Narrow screens give up columns of history first, then the status.
            let statusRoom = min(24, texts.map { $0.status.unicodeScalars.count }.max() ?? 0)
            markWidth = max(5, min(width, columns - labelWidth - 2 - 1 - statusRoom))
        }
        let slots = max(0, end - markWidth)..<end
        let axisLeft = "-\(Self.interval(Double(markWidth) * t.interval).replacingOccurrences(of: ".0 s", with: "s").replacingOccurrences(of: " s", with: "s"))"
        let pad = String(repeating: " ", count: max(0, markWidth - axisLeft.count - 3))
        lines.append(clip(String(repeating: " ", count: labelWidth + 2) + axisLeft + pad + "now", columns))
        for (i, index) in shown.enumerated() {
            let h = t.hosts[index]
            var l = texts[i].label
            if l.unicodeScalars.count > labelWidth { l = String(String.UnicodeScalarView(l.unicodeScalars.prefix(labelWidth - 1))) + "…" }
            let padded = l + String(repeating: " ", count: labelWidth - l.unicodeScalars.count)
            let blank = String(repeating: colour ? code(.idle) + "·" : "·", count: max(0, markWidth - slots.count)) + (colour && slots.count < markWidth ? Self.reset : "")
            var row = padded + "  " + blank + marks(h, slots) + " "
            let used = labelWidth + 2 + markWidth + 1
            var status = texts[i].status
            if let columns, used + status.unicodeScalars.count > columns {
                let room = max(0, columns - used)
                status = room > 1 ? String(String.UnicodeScalarView(status.unicodeScalars.prefix(room - 1))) + "…" : ""
            }
            row += colour ? (t.isActive(h) ? "\u{1B}[1m" : "\u{1B}[2m") + status + Self.reset : status
            lines.append(row)
        }
        if shown.count < order.count {
            lines.append(clip("… \(order.count - shown.count) more IPs not shown (enlarge the window)", columns))
        }
        return lines
    }

    private func clip(_ s: String, _ columns: Int?) -> String {
        guard let columns, s.unicodeScalars.count > columns else { return s }
        return String(String.UnicodeScalarView(s.unicodeScalars.prefix(max(0, columns - 1)))) + "…"
    }

    /// `[14:30:16] NEW → 192.168.1.100  ESTABLISHED:443`
    public func event(_ e: TimelineEvent, _ l: Labels) -> String {
        let stamp = "[\(WallTime.clockTime(e.time))] "
        let who = l.name.map { "\(e.address) (\($0))" } ?? "\(e.address)"
        var geo = ""
        if showCountry || showASN {
            var parts: [String] = []
            if showCountry { parts.append(l.geo?.country?.description ?? "??") }
            if showASN { parts.append(l.geo.flatMap { GeoText.network($0) } ?? "AS?") }
            geo = "  [" + parts.joined(separator: " | ") + "]"
        }
        switch e.kind {
        case .new:
            let text = "NEW → \(who)  \(e.state)\(e.port == 0 ? "" : ":\(e.port)")\(geo)"
            return stamp + (colour ? code(.new) + text + Self.reset : text)
        case .closed:
            let text = "CLOSED ← \(who)\(e.port == 0 ? "" : "  port \(e.port)")\(geo)"
            return stamp + (colour ? code(.closed) + text + Self.reset : text)
        }
    }

    /// The scroll mode's periodic line.
    public func statusLine(_ t: Timeline, time: Double) -> String {
        let active = t.hosts.filter { t.isActive($0) }.count
        return "[\(WallTime.clockTime(time))] STATUS \(t.hosts.count) IPs (\(active) active), \(t.connectionsOpened) connections opened, \(t.connectionsClosed) closed, \(Self.duration(t.elapsed)) elapsed"
    }
}
