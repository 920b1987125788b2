import NetwatchDecode
import NetwatchDetect

/// Writes each alert three ways: a coloured line on the terminal, a line in the human log and
/// a JSON line (Suricata EVE style: `timestamp`, `event_type`, `alert {signature, category,
/// severity}`, plus the socket fields). Every alert is flushed at once: an interrupted run
/// loses none.
public final class AlertWriter {
    let terminal: OutputBuffer?
    let log: OutputBuffer?
    let json: OutputBuffer?
    let palette: Palette

    public init(terminal: OutputBuffer?, log: OutputBuffer?, json: OutputBuffer?, palette: Palette) {
        self.terminal = terminal
        self.log = log
        self.json = json
        self.palette = palette
    }

    public func write(_ alert: Alert) {
        if let terminal {
            terminal.text(palette.timestamp)
            terminal.string("[\(WallTime.clockTime(alert.time))]")
            terminal.text(palette.reset)
            terminal.byte(32)
            switch alert.event {
            case .alert:
                terminal.text(palette.warning)
                terminal.string("ALERT")
            case .cleared:
                terminal.text(palette.tcp)
                terminal.string("CLEARED")
            case .summary:
                terminal.text(palette.tcp)
                terminal.string("SUMMARY")
            }
            terminal.text(palette.reset)
            terminal.string(" [\(alert.signature.rawValue)] ")
            Self.safe(alert.reason, to: terminal, json: false)
            terminal.byte(10)
            terminal.flush()
        }
        if let log {
            log.string("\(WallTime.readable(alert.time)) \(Self.label(alert.event)) [\(alert.signature.rawValue)] severity \(alert.severity): ")
            Self.safe(alert.reason, to: log, json: false)
            log.byte(10)
            log.flush()
        }
        if let json {
            json.string(Self.json(alert))
            json.byte(10)
            json.flush()
        }
    }

    static func label(_ e: Alert.Event) -> String {
        switch e {
        case .alert: "ALERT"
        case .cleared: "CLEARED"
        case .summary: "SUMMARY"
        }
    }

    /// Opens the log and JSON files again (logrotate moved them); the problems, if any.
    public func reopen() -> [String] {
        [log, json].compactMap { $0?.reopen() }
    }

    public func flush() {
        terminal?.flush()
        log?.flush()
        json?.flush()
    }

    /// One JSON object, no newline: Suricata EVE's alert fields first, then the socket
    /// fields (socket alerts) and the detector's details.
    public static func json(_ a: Alert, detailsJSON: String? = nil) -> String {
        var f: [String] = ["\"timestamp\":\"\(WallTime.iso8601(a.time))\"", "\"event_type\":\"\(a.event.rawValue)\""]
        if let sensor = a.sensor { f.append("\"sensor\":" + quoted(sensor)) }
        if let ip = a.sourceAddress { f.append("\"src_ip\":\"\(ip)\"") }
        if let port = a.sourcePort { f.append("\"src_port\":\(port)") }
        if let ip = a.destinationAddress { f.append("\"dest_ip\":\"\(ip)\"") }
        if let port = a.destinationPort { f.append("\"dest_port\":\(port)") }
        if let t = a.transport { f.append("\"proto\":\"\(t)\"") }
        if let id = a.communityID { f.append("\"community_id\":\(quoted(id))") }
        if isSocketAlert(a) {
            if let pid = a.pid { f.append("\"pid\":\(pid)") } else { f.append("\"pid\":null") }
            f.append("\"process\":" + (a.process.map { quoted($0) } ?? "null"))
        }
        if let ip = a.localAddress { f.append("\"local_ip\":\"\(ip)\"") }
        if let port = a.localPort { f.append("\"local_port\":\(port)") }
        if let ip = a.remoteAddress { f.append("\"remote_ip\":\"\(ip)\"") }
        if let port = a.remotePort { f.append("\"remote_port\":\(port)") }
        if let n = a.connections { f.append("\"connections\":\(n)") }
        f.append("\"alert\":{\"signature\":\(quoted(a.signature.rawValue)),\"category\":\(quoted(a.category)),\"severity\":\(a.severity)}")
        f.append("\"reason\":" + quoted(a.reason))
        let details = detailsJSON ?? Self.detailsJSON(a)
        return "{" + f.joined(separator: ",") + (details.isEmpty ? "" : "," + details) + "}"
    }

    /// Whether the alert is about a local socket (then pid and process are written, as null if unknown).
    public static func isSocketAlert(_ a: Alert) -> Bool {
        a.localAddress != nil || a.pid != nil || a.signature == .excessiveConnections
    }

    /// The detector's details as JSON members, no braces ("ports":997,"sample_ports":[21,22]).
    public static func detailsJSON(_ a: Alert) -> String {
        a.details.map { quoted($0.key) + ":" + json($0.value) }.joined(separator: ",")
    }

    static func json(_ v: Alert.Detail.Value) -> String {
        switch v {
        case .int(let n): String(n)
        case .number(let d): d.isFinite ? (d == d.rounded() && abs(d) < 1e15 ? String(Int(d)) : String(d)) : "null"
        case .text(let s): quoted(s)
        case .ints(let a): "[" + a.map(String.init).joined(separator: ",") + "]"
        case .texts(let a): "[" + a.map(quoted).joined(separator: ",") + "]"
        case .time(let t): "\"" + WallTime.iso8601(t) + "\""
        }
    }

    /// A JSON string literal; control characters and non-ASCII bytes become escapes.
    public static func quoted(_ s: String) -> String {
        let out = OutputBuffer(fd: -1, capacity: max(64, s.utf8.count * 6 + 2))
        out.byte(UInt8(ascii: "\""))
        safe(s, to: out, json: true)
        out.byte(UInt8(ascii: "\""))
        return out.takeString()
    }

    /// Text that may hold names from elsewhere (process names, command lines), escaped.
    public static func safe(_ s: String, to out: OutputBuffer, json: Bool) {
        var copy = s
        copy.withUTF8 { out.sanitized(UnsafeRawBufferPointer($0), json: json) }
    }
}
