import NetwatchDetect
import NetwatchEvents
import NetwatchView

/// The history's rows as JSON objects, one writer for `history --json` and the web API, so a
/// field is named alike in both (and like the live JSON lines: conn records as
/// `ConnectionRecordWriter` writes them, alerts as `AlertWriter`).
public enum HistoryJSON {
    /// A conn record, as the live `conn` JSON line (without its newline).
    public static func flow(_ r: FlowRecord) -> String {
        let out = OutputBuffer(fd: -1, capacity: 4096)
        ConnectionRecordWriter(output: out).writeEnd(r)
        var s = out.takeString()
        if s.last == "\n" { s.removeLast() }
        return s
    }

    /// An alert with its row id (the API's handle for it) as the first member.
    public static func alert(id: Int64?, _ a: Alert, details: String) -> String {
        let line = AlertWriter.json(a, detailsJSON: details)
        guard let id else { return line }
        return "{\"alert_id\":\(id)," + line.dropFirst()
    }

    /// One sensor's line in the fleet view.
    public static func sensor(_ s: SensorSummary) -> String {
        "{\"sensor\":\(AlertWriter.quoted(s.sensor)),\"runs\":\(s.runs),\"flows\":\(s.flows),\"packets\":\(s.packets),\"bytes\":\(s.bytes),\"alerts\":\(s.alerts)"
            + (s.first.map { ",\"first\":\"\(WallTime.iso8601($0))\"" } ?? "") + (s.last.map { ",\"last\":\"\(WallTime.iso8601($0))\"" } ?? "") + "}"
    }

    public static func run(_ r: RunRecord) -> String {
        var f = ["\"run\":\(r.id)"]
        if let sensor = r.sensor { f.append("\"sensor\":\(AlertWriter.quoted(sensor))") }
        f.append("\"started\":\"\(WallTime.iso8601(r.info.started))\"")
        if let e = r.info.ended { f.append("\"ended\":\"\(WallTime.iso8601(e))\"") }
        f.append("\"command\":\(AlertWriter.quoted(r.info.command))")
        if let i = r.info.interfaces { f.append("\"interfaces\":\(AlertWriter.quoted(i))") }
        if let file = r.info.file { f.append("\"file\":\(AlertWriter.quoted(file))") }
        if let filter = r.info.filter { f.append("\"filter\":\(AlertWriter.quoted(filter))") }
        f.append("\"host\":\(AlertWriter.quoted(r.info.host))")
        f.append("\"version\":\(AlertWriter.quoted(r.info.version))")
        f += ["\"packets\":\(r.info.packets)", "\"bytes\":\(r.info.bytes)", "\"dropped\":\(r.info.dropped)", "\"flows\":\(r.info.flows)",
              "\"alerts\":\(r.info.alerts)", "\"records_dropped\":\(r.recordsDropped)"]
        return "{" + f.joined(separator: ",") + "}"
    }

    /// A traffic bucket of `resolution` seconds (`interface`: one interface's series).
    public static func bucket(_ b: TrafficBucket, resolution: Int, interface: String? = nil) -> String {
        "{\"timestamp\":\"\(WallTime.iso8601(Double(b.start)))\",\"interval\":\(resolution),\(interface.map { "\"interface\":" + AlertWriter.quoted($0) + "," } ?? "")\"packets\":\(b.packets),\"bytes\":\(b.bytes),\"tcp\":\(b.tcp),\"udp\":\(b.udp),\"icmp\":\(b.icmp),\"other\":\(b.other),\"dropped\":\(b.dropped),\"tcp_bytes\":\(b.tcpBytes),\"udp_bytes\":\(b.udpBytes),\"icmp_bytes\":\(b.icmpBytes)}"
    }

    /// The key's name in a top list of `kind`.
    public static func keyName(_ kind: TopKind) -> String {
        switch kind {
        case .countries: "country"
        case .processes: "process"
        case .states: "conn_state"
        case .networks: "asn"
        default: String(kind.rawValue.dropLast())
        }
    }

    public static func top(_ e: TopEntry, kind: TopKind) -> String {
        var s = "{\"\(keyName(kind))\":\(AlertWriter.quoted(e.key)),\"packets\":\(e.packets),\"bytes\":\(e.bytes),\"flows\":\(e.flows)"
        if let sent = e.sent { s += ",\"sent_bytes\":\(sent)" }
        if let received = e.received { s += ",\"received_bytes\":\(received)" }
        return s + "}"
    }
}
