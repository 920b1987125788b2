import Hummingbird
import NetwatchDetect
import NetwatchEvents
import NetwatchHistory
import NetwatchReport
import NetwatchView

/// `/api/v1/`: what the pages show, as JSON with the JSON lines' field names (conn records as
/// `conn` lines, alerts as EVE alerts with their `alert_id`, series and top lists as
/// `history --json` prints them).
struct WebAPI {
    let data: WebData
    let pages: WebPages

    func flows(_ request: Request) throws -> Response {
        let q = try WebQuery(request, now: data.now()).flowQuery(fleet: data.fleet)
        let recorded = try data.store.flows(q)
        let open = data.openFlows(q)
        let body = "{\"flows\":\(WebResponses.array(recorded.map(HistoryJSON.flow))),\"open\":\(WebResponses.array(open.records.map(HistoryJSON.flow))),"
            + "\"open_matched\":\(open.matched),\"limit\":\(q.limit ?? 50),\"offset\":\(q.offset ?? 0)}\n"
        return WebResponses.json(body)
    }

    func flow(_ uid: String) throws -> Response {
        guard uid.utf8.count <= 32, let (r, open) = try data.flow(uid: uid) else { return WebResponses.error(.notFound, "no flow \(uid.prefix(32))") }
        return WebResponses.json("{\"flow\":\(HistoryJSON.flow(r)),\"open\":\(open)}\n")
    }

    func alerts(_ request: Request) throws -> Response {
        let w = WebQuery(request, now: data.now())
        let since = try w.time("since"), until = try w.time("until")
        if let since, let until, since >= until { throw BadRequest("since must be before until") }
        var q = AlertQuery(since: since, until: until, signature: try w.string("signature"), host: try w.address("host"),
                           limit: try w.int("limit", 1...1000) ?? 50, offset: try w.int("offset", 0...1_000_000), newestFirst: true)
        q.sensor = try w.sensor(data.fleet)
        let rows = try data.store.alertRows(q)
        return WebResponses.json("{\"alerts\":\(WebResponses.array(rows.map { HistoryJSON.alert(id: $0.id, $0.alert, details: $0.details) }))}\n")
    }

    func alert(_ idText: String) throws -> Response {
        guard let id = Int64(idText), id > 0 else { throw BadRequest("an alert id is a positive whole number, not '\(idText.prefix(32))'") }
        guard let row = try data.store.alertRows(id: id).first else { return WebResponses.error(.notFound, "no alert \(id)") }
        let flows = try data.alertFlows(row.alert)
        return WebResponses.json("{\"alert\":\(HistoryJSON.alert(id: id, row.alert, details: row.details)),\"flows\":\(WebResponses.array(flows.map(HistoryJSON.flow)))}\n")
    }

    func host(_ ip: String) throws -> Response {
        guard ip.utf8.count <= 64, let h = try pages.hostFacts(ip) else { throw BadRequest("a host is an IP address, not '\(ip.prefix(64))'") }
        var f = ["\"ip\":\"\(h.ip)\"", "\"names\":" + WebResponses.array(h.names.map(AlertWriter.quoted))]
        if let ptr = h.ptr, !ptr.isEmpty { f.append("\"ptr\":\(AlertWriter.quoted(ptr))") }
        if let c = h.geo?.country { f.append("\"country\":\(AlertWriter.quoted("\(c)"))") }
        if let a = h.geo?.asn { f.append("\"asn\":\(a)") }
        if let o = h.geo?.organization { f.append("\"as_org\":\(AlertWriter.quoted(o))") }
        f += ["\"since\":\"\(WallTime.iso8601(h.since))\"", "\"until\":\"\(WallTime.iso8601(h.until))\"",
              "\"flows\":\(h.activity.flows.count)", "\"sent_bytes\":\(h.sent)", "\"received_bytes\":\(h.received)",
              "\"ports\":" + WebResponses.array(h.ports.map { "{\"port\":\(AlertWriter.quoted($0.key)),\"packets\":\($0.packets),\"bytes\":\($0.bytes),\"flows\":\($0.flows)}" }),
              "\"peers\":" + WebResponses.array(h.peers.map { "{\"host\":\(AlertWriter.quoted($0.key)),\"packets\":\($0.packets),\"bytes\":\($0.bytes),\"flows\":\($0.flows)}" }),
              "\"alerts\":" + WebResponses.array(h.alerts.map { HistoryJSON.alert(id: $0.id, $0.alert, details: $0.details) }),
              "\"activity\":{\"start\":\"\(WallTime.iso8601(Double(Int64(h.since) / 600 * 600)))\",\"interval\":600,\"bytes\":[" + h.activity.bytes.map { String(UInt64($0.rounded())) }.joined(separator: ",") + "]}"]
        // Which sensors recorded it (a central database only).
        if let sensors = h.sensors { f.append("\"sensors\":" + WebResponses.array(sensors.map(HistoryJSON.sensor))) }
        return WebResponses.json("{" + f.joined(separator: ",") + "}\n")
    }

    func series(_ request: Request) throws -> Response {
        let w = WebQuery(request, now: data.now())
        let per = try w.oneOf("per", ["second", "minute", "hour"]) ?? "minute"
        let resolution = per == "second" ? 1 : per == "minute" ? 60 : 3600
        let since = try w.time("since"), until = try w.time("until")
        if let since, let until, since >= until { throw BadRequest("since must be before until") }
        let interface = try w.string("interface", max: 64)
        // A bounded answer: at most a day of seconds, else the range is cut to its end.
        var from = since
        if resolution == 1, (until ?? w.now) - (since ?? 0) > 86_400 { from = (until ?? w.now) - 86_400 }
        let buckets = try data.store.series(resolution: resolution, since: from, until: until, interface: interface)
        return WebResponses.json("{\"series\":\(WebResponses.array(buckets.suffix(100_000).map { HistoryJSON.bucket($0, resolution: resolution, interface: interface) }))}\n")
    }

    func top(_ kindText: String, _ request: Request) throws -> Response {
        guard let kind = TopKind(rawValue: kindText) else {
            throw BadRequest("top lists: \(TopKind.allCases.map(\.rawValue).joined(separator: ", ")); not '\(kindText.prefix(32))'")
        }
        let w = WebQuery(request, now: data.now())
        let since = try w.time("since"), until = try w.time("until")
        if let since, let until, since >= until { throw BadRequest("since must be before until") }
        let by = try w.oneOf("by", ["bytes", "packets"]) ?? "bytes"
        let n = try w.int("n", 1...1000) ?? 10
        let entries = try data.store.top(kind, byPackets: by == "packets", since: since, until: until, n: n, exact: false)
        return WebResponses.json("{\"top\":\(WebResponses.array(entries.map { HistoryJSON.top($0, kind: kind) }))}\n")
    }

    /// The fleet (a central database): per sensor, what it recorded in the range; `host`: of
    /// that address only (one host as each sensor saw it).
    func sensors(_ request: Request) throws -> Response {
        let w = WebQuery(request, now: data.now())
        let since = try w.time("since"), until = try w.time("until")
        if let since, let until, since >= until { throw BadRequest("since must be before until") }
        guard let sensors = try data.store.sensors(since: since, until: until, host: try w.address("host")) else {
            return WebResponses.error(.notFound, "\(data.source) holds one sensor's records; the fleet view reads a central postgresql:// database")
        }
        return WebResponses.json("{\"sensors\":\(WebResponses.array(sensors.map(HistoryJSON.sensor)))}\n")
    }

    func runs() throws -> Response {
        WebResponses.json("{\"runs\":\(WebResponses.array(try data.store.runs().map(HistoryJSON.run)))}\n")
    }

    func processes() throws -> Response {
        let now = data.now()
        let recorded = try data.store.top(.processes, since: now - 86_400, until: now, n: 100)
        var live = "null"
        if let snap = data.live?.snapshot() {
            live = WebResponses.array(snap.processes.values.sorted { $0.bytes != $1.bytes ? $0.bytes > $1.bytes : $0.name < $1.name }.prefix(100).map {
                "{\"process\":\(AlertWriter.quoted($0.name)),\"open\":\($0.open),\"flows\":\($0.flows),\"packets\":\($0.packets),\"bytes\":\($0.bytes)}"
            })
        }
        return WebResponses.json("{\"processes\":\(WebResponses.array(recorded.map { HistoryJSON.top($0, kind: .processes) })),\"live\":\(live)}\n")
    }

    /// The run's totals now (monitor), or the database's last six hours (serve).
    func live() throws -> Response {
        let now = data.now()
        var f = ["\"timestamp\":\"\(WallTime.iso8601(now))\""]
        if let snap = data.live?.snapshot() {
            let t = snap.totals
            let last = snap.ticks.last
            f += ["\"live\":true", "\"ended\":\(snap.ended)", "\"packets\":\(t.packets)", "\"bytes\":\(t.bytes)", "\"tcp\":\(t.tcp)", "\"udp\":\(t.udp)",
                  "\"icmp\":\(t.icmp)", "\"other\":\(t.other)", "\"dropped\":\(t.dropped)", "\"flows_active\":\(snap.openCount)",
                  "\"flows_opened\":\(t.flowsOpened)", "\"flows_ended\":\(t.flowsEnded)", "\"flows_evicted\":\(t.flowsEvicted)", "\"alerts\":\(t.alerts)",
                  "\"packets_per_second\":\(last?.packets ?? 0)", "\"bytes_per_second\":\(last?.bytes ?? 0)"]
        } else {
            let r = try data.recent(now: now)
            f += ["\"live\":false", "\"packets\":\(r.summary.packets)", "\"bytes\":\(r.summary.bytes)", "\"dropped\":\(r.summary.dropped)",
                  "\"flows_ended\":\(r.summary.flows)", "\"alerts\":\(r.alertsTotal)"]
        }
        return WebResponses.json("{" + f.joined(separator: ",") + "}\n")
    }
}
