import Foundation
import Mustache
import NetwatchCharts
import NetwatchDecode
import NetwatchDetect
import NetwatchEvents
import NetwatchGeo
import NetwatchHistory
import NetwatchReport
import NetwatchView

/// The dashboard's HTML: each page a template filled with text (escaped by the template) and
/// charts (the report's, drawn by NetwatchCharts).
struct WebPages {
    let data: WebData

    static func template(_ text: String) -> MustacheTemplate {
        do { return try MustacheTemplate(string: text) } catch { fatalError("dashboard template: \(error)") }
    }
    static let layout = template(WebTemplates.layout)
    static let overview = template(WebTemplates.overview)
    static let overviewFragment = template(WebTemplates.overviewFragment)
    static let topTable = template(WebTemplates.topTable)
    static let sensorTable = template(WebTemplates.sensorTable)
    static let flowTable = template(WebTemplates.flowTable)
    static let flows = template(WebTemplates.flows)
    static let fields = template(WebTemplates.fields)
    static let flow = template(WebTemplates.flow)
    static let alertTable = template(WebTemplates.alertTable)
    static let alerts = template(WebTemplates.alerts)
    static let alert = template(WebTemplates.alert)
    static let host = template(WebTemplates.host)
    static let hosts = template(WebTemplates.hosts)
    static let processes = template(WebTemplates.processes)
    static let problem = template(WebTemplates.problem)

    static let nav = [("Overview", "/"), ("Flows", "/flows"), ("Alerts", "/alerts"), ("Hosts", "/hosts"), ("Processes", "/processes"), ("API", "/api/v1/openapi.json")]

    func page(_ title: String, current: String, body: String) -> String {
        Self.layout.render([
            "title": visible(title), "source": visible(data.source), "body": body,
            "nav": Self.nav.map { ["name": $0.0, "href": $0.1, "current": $0.1 == current] as [String: Any] },
        ] as [String: Any])
    }

    func problem(_ title: String, _ message: String, current: String) -> String {
        page(title, current: current, body: Self.problem.render(["title": title, "message": visible(message)]))
    }

    // MARK: words and numbers

    func visible(_ s: String) -> String { ChartLabel.visible(s) }
    func time(_ t: Double) -> String { CivilTime(Int64(t.rounded(.down)), offset: data.offset).text }
    func count(_ n: UInt64) -> String { UnitFormat.grouped(n) }
    func bytes(_ n: UInt64) -> String { UnitFormat.bytes(Double(n)) }
    static func severityName(_ s: Int) -> String { s <= 1 ? "high" : s == 2 ? "medium" : "low" }

    // MARK: tables

    func topTable(_ list: [Report.Top], keyName: String, href: ((Report.Top) -> String?)? = nil) -> String {
        Self.topTable.render([
            "keyName": keyName,
            "rows": list.map { e -> [String: Any] in
                var row: [String: Any] = ["key": visible(e.key), "bytes": bytes(e.bytes), "packets": count(e.packets), "flows": count(e.flows)]
                if let h = href?(e) { row["href"] = h }
                return row
            },
        ] as [String: Any])
    }

    func hostTable(_ hosts: [Report.Host]) -> String {
        Self.topTable.render([
            "keyName": "host",
            "rows": hosts.map { h -> [String: Any] in
                var row: [String: Any] = ["key": h.ip, "href": "/hosts/" + h.ip, "bytes": bytes(h.bytes), "packets": count(h.packets), "flows": count(h.flows)]
                if let n = h.name { row["name"] = visible(n) }
                return row
            },
        ] as [String: Any])
    }

    func flowRow(_ r: FlowRecord) -> [String: Any] {
        var row: [String: Any] = [
            "time": time(Double(r.start) / 1e9), "proto": r.proto, "origH": "\(r.originatorAddress)", "origP": Int(r.originatorPort),
            "respH": "\(r.responderAddress)", "respP": Int(r.responderPort), "service": visible(r.service ?? ""), "state": r.connState,
            "packets": count(r.originatorPackets + r.responderPackets), "bytes": bytes(r.originatorIPBytes + r.responderIPBytes), "uid": r.uid,
        ]
        if let p = r.process { row["process"] = visible(p) }
        if let s = r.sensor { row["sensor"] = visible(s) }
        return row
    }

    func flowTable(_ records: [FlowRecord], empty: String) -> String {
        Self.flowTable.render(["flows": records.map(flowRow), "empty": empty, "fleet": data.fleet, "columns": data.fleet ? 11 : 10] as [String: Any])
    }

    /// The search forms' sensor choice: any, or each sensor that recorded a run.
    func sensorOptions(_ chosen: String?) throws(HistoryError) -> [[String: Any]] {
        guard data.fleet else { return [] }
        let names = Set(try data.store.runs().compactMap(\.sensor)).sorted()
        return ([""] + names).map { ["value": visible($0), "label": $0.isEmpty ? "any" : visible($0), "selected": (chosen ?? "") == $0] as [String: Any] }
    }

    /// The fleet's sensors (a central database), each linking to its flows and alerts.
    func sensorTable(_ sensors: [SensorSummary], empty: String) -> String {
        Self.sensorTable.render(["empty": empty, "rows": sensors.map { s -> [String: Any] in
            ["sensor": visible(s.sensor), "href": Self.percent(s.sensor), "runs": s.runs, "flows": count(s.flows), "packets": count(s.packets),
             "bytes": bytes(s.bytes), "alerts": count(s.alerts), "last": s.last.map(time) ?? "-"]
        }] as [String: Any])
    }

    func alertRow(id: Int64, _ a: Alert) -> [String: Any] {
        var row: [String: Any] = ["id": Int(id), "time": time(a.time), "severityName": Self.severityName(a.severity), "signature": visible(a.signature.rawValue),
                                  "reason": visible(a.reason), "event": a.event.rawValue, "summary": a.event != .alert]
        if let s = a.sourceAddress ?? a.localAddress { row["src"] = "\(s)" }
        if let d = a.destinationAddress ?? a.remoteAddress { row["dst"] = "\(d)" }
        if let s = a.sensor { row["sensor"] = visible(s) }
        return row
    }

    func alertTable(_ rows: [(id: Int64, alert: Alert, details: String)], empty: String) -> String {
        Self.alertTable.render(["alerts": rows.map { alertRow(id: $0.id, $0.alert) }, "empty": empty, "fleet": data.fleet, "columns": data.fleet ? 7 : 6] as [String: Any])
    }

    func fieldTable(_ fields: [(String, String, String?)]) -> String {
        Self.fields.render(["fields": fields.map { f -> [String: Any] in
            var row: [String: Any] = ["name": f.0, "value": visible(f.1)]
            if let h = f.2 { row["href"] = h }
            return row
        }] as [String: Any])
    }

    // MARK: overview

    func overviewFragment() throws(HistoryError) -> String {
        let now = data.now()
        let recent = try data.recent(now: now)
        let alerts = try data.store.alertRows(limit: 10, newestFirst: true).filter { $0.alert.event == .alert }
        let lastFive = data.lastSeconds(now: now)
        var liveReport = Report(source: data.source, since: now - 300, until: now)
        liveReport.traffic = lastFive
        liveReport.alerts = alerts.filter { $0.alert.time >= now - 300 }.map { Report.AlertLine($0.alert, id: Int($0.id)) }
        var cards: [(String, String, String)] = []
        let live = data.live?.snapshot()
        if let snap = live {
            let last = snap.ticks.last
            let t = snap.totals
            cards = [("packets", "Packets", count(t.packets)), ("bytes", "Bytes", bytes(t.bytes)),
                     ("pps", "Packets/s", count(last?.packets ?? 0)), ("bps", "Bytes/s", bytes(last?.bytes ?? 0)),
                     ("active", "Active connections", count(UInt64(snap.openCount))), ("flows", "Connections ended", count(t.flowsEnded)),
                     ("alerts", "Alerts", count(t.alerts)), ("drops", "Capture drops", count(t.dropped))]
        } else {
            let s = recent.summary
            cards = [("packets", "Packets (\(6) h)", count(s.packets)), ("bytes", "Bytes (6 h)", bytes(s.bytes)), ("flows", "Connections (6 h)", count(s.flows)),
                     ("alerts", "Alerts (6 h)", count(recent.alertsTotal)), ("drops", "Capture drops (6 h)", count(s.dropped)), ("hosts", "Hosts seen (6 h)", count(s.hosts))]
        }
        let view: [String: Any] = [
            "now": time(now), "ended": live?.ended ?? false, "hours": 6,
            "cards": cards.map { ["key": $0.0, "name": $0.1, "value": $0.2] },
            "livePackets": ReportCharts.packets(liveReport, offset: data.offset), "liveBytes": ReportCharts.bytes(liveReport, offset: data.offset),
            "hourPackets": ReportCharts.packets(recent, offset: data.offset),
            "topHosts": hostTable(recent.topHosts), "topPorts": topTable(recent.topPorts, keyName: "port"),
            "protocols": recent.protocols.isEmpty ? "" : ReportCharts.protocols(recent),
            "hasAlerts": !alerts.isEmpty, "alerts": alerts.map { alertRow(id: $0.id, $0.alert) },
            "fleet": data.fleet,
            "sensors": data.fleet ? sensorTable(try data.sensors(now: now) ?? [], empty: "no sensor recorded in these hours") : "",
        ]
        return Self.overviewFragment.render(view)
    }

    func overview() throws(HistoryError) -> String {
        let fragment = try data.overviewFragment { () throws(HistoryError) in try overviewFragment() }
        return page("Overview", current: "/", body: Self.overview.render(["fragment": fragment]))
    }

    // MARK: flows

    func flows(_ q: FlowQuery, raw: [String: String], error: String?) throws(HistoryError) -> String {
        let records = error == nil ? try data.store.flows(q) : []
        let open = error == nil ? data.openFlows(q) : ([], 0)
        let limit = q.limit ?? 50, offset = q.offset ?? 0
        func link(_ o: Int) -> String {
            var params = raw
            params["offset"] = o > 0 ? "\(o)" : nil
            return "/flows" + WebPages.queryString(params)
        }
        let view: [String: Any] = [
            "q": raw, "error": error.map(visible) ?? false, "fleet": data.fleet, "sensorOptions": try sensorOptions(raw["sensor"]),
            "protos": [("", "any"), ("tcp", "tcp"), ("udp", "udp"), ("icmp", "icmp")].map { ["value": $0.0, "label": $0.1, "selected": raw["proto"] == $0.0] as [String: Any] },
            "showLive": data.live != nil, "liveCount": count(UInt64(open.1)),
            "liveTable": flowTable(open.0, empty: "no open connection matches"),
            "table": flowTable(records, empty: "no recorded connection matches"),
            "prev": offset > 0 ? link(max(0, offset - limit)) as Any : false, "next": records.count == limit ? link(offset + limit) as Any : false,
        ]
        return page("Flows", current: "/flows", body: Self.flows.render(view))
    }

    static func queryString(_ params: [String: String]) -> String {
        let pairs = params.filter { !$0.value.isEmpty }.sorted { $0.key < $1.key }.map { "\(percent($0.key))=\(percent($0.value))" }
        return pairs.isEmpty ? "" : "?" + pairs.joined(separator: "&")
    }

    static func percent(_ s: String) -> String {
        var out = ""
        for b in s.utf8 {
            switch b {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
                 UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "~"), UInt8(ascii: ":"):
                out.unicodeScalars.append(Unicode.Scalar(b))
            default:
                let hex = Array("0123456789ABCDEF")
                out += "%" + String(hex[Int(b >> 4)]) + String(hex[Int(b & 15)])
            }
        }
        return out
    }

    static func flowFields(_ r: FlowRecord) -> [(String, String, String?)] {
        func secs(_ ns: Int64) -> String {
            let s = Double(ns) / 1e9
            return String(Int64(s)) + "." + String(String(Int64((s - Double(Int64(s))) * 1e6 + 1e6)).dropFirst())
        }
        var f: [(String, String, String?)] = [
            ("ts", secs(r.start), nil), ("uid", r.uid, nil), ("community_id", r.communityID, "/flows?community_id=" + percent(r.communityID)),
            ("id.orig_h", "\(r.originatorAddress)", "/hosts/\(r.originatorAddress)"), ("id.orig_p", "\(r.originatorPort)", nil),
            ("id.resp_h", "\(r.responderAddress)", "/hosts/\(r.responderAddress)"), ("id.resp_p", "\(r.responderPort)", nil),
            ("proto", r.proto, nil), ("service", r.service ?? "-", nil), ("duration", secs(r.duration), nil),
            ("orig_bytes", "\(r.originatorBytes)", nil), ("resp_bytes", "\(r.responderBytes)", nil),
            ("conn_state", r.connState, nil), ("history", r.history, nil),
            ("orig_pkts", "\(r.originatorPackets)", nil), ("orig_ip_bytes", "\(r.originatorIPBytes)", nil),
            ("resp_pkts", "\(r.responderPackets)", nil), ("resp_ip_bytes", "\(r.responderIPBytes)", nil),
        ]
        if let v = r.vlan { f.append(("vlan", "\(v)", nil)) }
        if let i = r.interface { f.append(("interface", i, nil)) }
        if let e = r.encapsulation { f.append(("encapsulation", e, nil)) }
        if !r.tunnelParents.isEmpty { f.append(("tunnel_parents", r.tunnelParents.joined(separator: ", "), nil)) }
        if r.processesKnown || r.process != nil { f.append(("pid", r.pid.map { "\($0)" } ?? "-", nil)); f.append(("process", r.process ?? "-", r.process.map { "/flows?process=" + percent($0) })) }
        if let c = r.originatorCountry { f.append(("orig_cc", c, nil)) }
        if let c = r.responderCountry { f.append(("resp_cc", c, nil)) }
        if let a = r.originatorASN { f.append(("orig_asn", "\(a)", nil)) }
        if let a = r.responderASN { f.append(("resp_asn", "\(a)", nil)) }
        if let e = r.endReason { f.append(("end_reason", e, nil)) }
        return f
    }

    func flow(uid: String) throws(HistoryError) -> String? {
        guard let (r, open) = try data.flow(uid: uid) else { return nil }
        var alerts: [(id: Int64, alert: Alert, details: String)] = []
        if !r.communityID.isEmpty {
            alerts = try data.store.alertRows(since: Double(r.start) / 1e9 - 1, until: Double(r.end) / 1e9 + 600, host: "\(r.originatorAddress)", limit: 200)
                .filter { AlertFlows.concerns($0.alert, r) }
        }
        let view: [String: Any] = ["uid": r.uid, "open": open, "fields": fieldTable(Self.flowFields(r)),
                                   "hasAlerts": !alerts.isEmpty, "alertTable": alertTable(alerts, empty: "")]
        return page("Flow " + r.uid, current: "/flows", body: Self.flow.render(view))
    }

    // MARK: alerts

    func alerts(since: Double?, until: Double?, signature: String?, host: String?, sensor: String?, limit: Int, offset: Int, raw: [String: String],
                error: String?) throws(HistoryError) -> String {
        var q = AlertQuery(since: since, until: until, signature: signature, host: host, limit: limit, offset: offset, newestFirst: true)
        q.sensor = sensor
        let rows = error == nil ? try data.store.alertRows(q) : []
        func link(_ o: Int) -> String {
            var params = raw
            params["offset"] = o > 0 ? "\(o)" : nil
            return "/alerts" + WebPages.queryString(params)
        }
        // The signatures' strips over the range the page shows.
        var timeline = ""
        if let newest = rows.first?.alert.time, let oldest = rows.last?.alert.time {
            var r = Report(source: data.source, since: oldest, until: newest + 1)
            r.outcomes.resolution = ReportBuckets.width(since: Int64(oldest), until: Int64(newest) + 1, floor: 60)
            let grid = ReportBuckets.grid(since: Int64(oldest), until: Int64(newest) + 1, width: r.outcomes.resolution)
            r.outcomes.start = grid.start
            r.outcomes.completed = [UInt64](repeating: 0, count: grid.count)
            r.alerts = rows.map { Report.AlertLine($0.alert, id: Int($0.id)) }
            timeline = ReportCharts.alertTimeline(r, offset: data.offset)
        }
        let known = try data.store.alertSignatures().map(\.signature)
        let view: [String: Any] = [
            "q": raw, "error": error.map(visible) ?? false, "fleet": data.fleet, "sensorOptions": try sensorOptions(raw["sensor"]),
            "signatures": ([""] + known).map { ["value": $0, "label": $0.isEmpty ? "any" : $0, "selected": (raw["signature"] ?? "") == $0] as [String: Any] },
            "timeline": timeline, "table": alertTable(rows, empty: "no alert matches"),
            "prev": offset > 0 ? link(max(0, offset - limit)) as Any : false, "next": rows.count == limit ? link(offset + limit) as Any : false,
        ]
        return page("Alerts", current: "/alerts", body: Self.alerts.render(view))
    }

    static func alertFields(_ a: Alert, details: String) -> [(String, String, String?)] {
        var f: [(String, String, String?)] = [("timestamp", WallTime.iso8601(a.time), nil), ("event_type", a.event.rawValue, nil), ("signature", a.signature.rawValue, nil),
                                               ("category", a.category, nil), ("severity", "\(a.severity)", nil)]
        if let s = a.sourceAddress { f.append(("src_ip", "\(s)", "/hosts/\(s)")) }
        if let p = a.sourcePort { f.append(("src_port", "\(p)", nil)) }
        if let d = a.destinationAddress { f.append(("dest_ip", "\(d)", "/hosts/\(d)")) }
        if let p = a.destinationPort { f.append(("dest_port", "\(p)", nil)) }
        if let t = a.transport { f.append(("proto", t, nil)) }
        if let c = a.communityID { f.append(("community_id", c, "/flows?community_id=" + percent(c))) }
        if let l = a.localAddress { f.append(("local_ip", "\(l)", "/hosts/\(l)")) }
        if let r = a.remoteAddress { f.append(("remote_ip", "\(r)", "/hosts/\(r)")) }
        if let p = a.process { f.append(("process", p, nil)) }
        if let p = a.pid { f.append(("pid", "\(p)", nil)) }
        if let c = a.connections { f.append(("connections", "\(c)", nil)) }
        // The details as the database keeps them: the JSON members, in their order.
        if let object = try? JSONSerialization.jsonObject(with: Data(("{" + details + "}").utf8)) as? [String: Any] {
            let order = details.split(separator: ",").compactMap { m -> String? in
                guard m.hasPrefix("\""), let end = m.dropFirst().firstIndex(of: "\"") else { return nil }
                return String(m[m.index(after: m.startIndex)..<end])
            }
            let keys = order.filter { object[$0] != nil } + object.keys.filter { !order.contains($0) }.sorted()
            for k in keys { f.append((k, WebPages.detailText(object[k]!), nil)) }
        }
        return f
    }

    static func detailText(_ v: Any) -> String {
        if let list = v as? [Any] { return list.map(detailText).joined(separator: ", ") }
        if let n = v as? NSNumber { return n.stringValue }
        if let s = v as? String { return s }
        return "\(v)"
    }

    func alert(id: Int64) throws(HistoryError) -> String? {
        guard let row = try data.store.alertRows(id: id).first else { return nil }
        let a = row.alert
        let flows = try data.alertFlows(a)
        // Source's and target's bytes per minute, half an hour either side.
        var rows: [ChartSeries] = []
        let since = (a.time / 60).rounded(.down) * 60 - 1800, until = since + 3660
        for address in [a.sourceAddress ?? a.localAddress, a.destinationAddress ?? a.remoteAddress].compactMap({ $0 }) {
            let act = try data.activity("\(address)", since: since, until: until, width: 60)
            rows.append(ChartSeries(name: "\(address)", values: act.bytes))
        }
        var strips = ActivityStrips(title: "Bytes per minute (darker is busier)", unit: "bytes", start: Int64(since), bucketSeconds: 60, rows: rows)
        strips.offset = data.offset
        let view: [String: Any] = [
            "id": Int(id), "signature": visible(a.signature.rawValue), "severityName": Self.severityName(a.severity), "time": time(a.time),
            "event": a.event.rawValue, "reason": visible(a.reason), "fields": fieldTable(Self.alertFields(a, details: row.details)),
            "flows": flowTable(flows, empty: "no recorded flow found for it"), "activity": rows.isEmpty ? "" : strips.svg(),
        ]
        return page(a.signature.rawValue, current: "/alerts", body: Self.alert.render(view))
    }

    // MARK: hosts

    struct HostFacts {
        var ip: String
        var names: [String]
        /// Reverse DNS: the PTR name, "" while it is looked up, nil when not asked or none.
        var ptr: String?
        var geo: GeoInfo?
        var activity: (bytes: [Double], flows: [FlowRecord])
        var since: Double
        var until: Double
        var alerts: [(id: Int64, alert: Alert, details: String)]
        var ports: [Report.Top]
        var peers: [Report.Top]
        var sent: UInt64
        var received: UInt64
        /// The sensors that recorded it (a central database).
        var sensors: [SensorSummary]?
    }

    func hostFacts(_ ip: String, hours: Double = 24) throws(HistoryError) -> HostFacts? {
        guard let address = IPAddress(ip) else { return nil }
        let now = data.now()
        let until = now.rounded(.up), since = until - hours * 3600
        let activity = try data.activity(ip, since: since, until: until, width: 600)
        let names = try data.store.names(for: [ip], until: until)[ip].map { [$0] } ?? []
        var ptr: String?
        switch data.resolver?.name(for: address) {
        case .name(let n): ptr = n
        case .pending: ptr = ""
        default: ptr = nil
        }
        var geo = data.geo.map { $0.lookup(address).info }
        if geo == nil || geo!.isEmpty, let r = activity.flows.first {
            let mine = "\(r.originatorAddress)" == ip
            geo = GeoInfo(country: (mine ? r.originatorCountry : r.responderCountry).flatMap(CountryCode.init), asn: mine ? r.originatorASN : r.responderASN)
        }
        let alerts = try data.store.alertRows(since: since, until: until, host: ip, limit: 20, newestFirst: true)
        var ports: [String: Report.Top] = [:], peers: [String: Report.Top] = [:]
        var sent: UInt64 = 0, received: UInt64 = 0
        for r in activity.flows {
            let mine = "\(r.originatorAddress)" == ip
            let port = "\(r.responderPort)/\(r.proto)"
            let peer = mine ? "\(r.responderAddress)" : "\(r.originatorAddress)"
            let b = r.originatorIPBytes + r.responderIPBytes, p = r.originatorPackets + r.responderPackets
            ports[port, default: Report.Top(key: port, packets: 0, bytes: 0, flows: 0)].add(packets: p, bytes: b)
            peers[peer, default: Report.Top(key: peer, packets: 0, bytes: 0, flows: 0)].add(packets: p, bytes: b)
            sent += mine ? r.originatorIPBytes : r.responderIPBytes
            received += mine ? r.responderIPBytes : r.originatorIPBytes
        }
        func ranked(_ d: [String: Report.Top]) -> [Report.Top] {
            Array(d.values.sorted { $0.bytes != $1.bytes ? $0.bytes > $1.bytes : $0.key < $1.key }.prefix(10))
        }
        let sensors = data.fleet ? try data.store.sensors(since: since, until: until, host: address.description) : nil
        return HostFacts(ip: address.description, names: names, ptr: ptr, geo: geo, activity: activity, since: since, until: until, alerts: alerts,
                         ports: ranked(ports), peers: ranked(peers), sent: sent, received: received, sensors: sensors)
    }

    func host(_ ip: String) throws(HistoryError) -> String? {
        guard let h = try hostFacts(ip) else { return nil }
        var strips = ActivityStrips(title: "Bytes per 10 minutes (darker is busier)", unit: "bytes", start: Int64(h.since) / 600 * 600, bucketSeconds: 600,
                                    rows: [ChartSeries(name: h.ip, values: h.activity.bytes)])
        strips.offset = data.offset
        let view: [String: Any] = [
            "ip": h.ip, "names": h.names.map(visible), "ptr": h.ptr.map { $0.isEmpty ? "(looking it up; reload)" : visible($0) } ?? false, "country": h.geo?.country.map { "\($0)" } ?? false, "asn": h.geo?.asn.map { "\($0)" } ?? false,
            "org": h.geo?.organization.map(visible) ?? false, "hours": 24,
            "cards": [("Connections", count(UInt64(h.activity.flows.count))), ("Sent", bytes(h.sent)), ("Received", bytes(h.received)), ("Alerts", count(UInt64(h.alerts.count)))]
                .map { ["name": $0.0, "value": $0.1] },
            "strip": strips.svg(),
            "ports": topTable(h.ports, keyName: "port"),
            "peers": topTable(h.peers, keyName: "peer") { "/hosts/" + $0.key },
            "alerts": alertTable(h.alerts, empty: "no alert names it"),
            "fleet": data.fleet, "sensors": h.sensors.map { sensorTable($0, empty: "no sensor recorded it in these hours") } ?? "",
            "flows": flowTable(Array(h.activity.flows.prefix(50)), empty: "no connection recorded"),
        ]
        return page(h.ip, current: "/hosts", body: Self.host.render(view))
    }

    func hosts(error: String?) throws(HistoryError) -> String {
        let recent = try data.recent(now: data.now())
        let view: [String: Any] = ["hours": 6, "error": error.map(visible) ?? false, "talkers": recent.topHosts.isEmpty ? "" : ReportCharts.talkers(recent),
                                   "table": hostTable(recent.topHosts)]
        return page("Hosts", current: "/hosts", body: Self.hosts.render(view))
    }

    // MARK: processes

    func processes() throws(HistoryError) -> String {
        let now = data.now()
        let recorded = try data.store.top(.processes, since: now - 86_400, until: now, n: 50)
        var view: [String: Any] = ["hours": 24, "table": topTable(recorded.map { Report.Top(key: $0.key, packets: $0.packets, bytes: $0.bytes, flows: $0.flows) },
                                                                  keyName: "process") { "/flows?process=" + WebPages.percent($0.key) }]
        if let snap = data.live?.snapshot() {
            view["live"] = true
            view["rows"] = snap.processes.values.sorted { $0.bytes != $1.bytes ? $0.bytes > $1.bytes : $0.name < $1.name }.prefix(100).map {
                ["name": visible($0.name), "open": $0.open, "flows": count($0.flows), "packets": count($0.packets), "bytes": bytes($0.bytes)] as [String: Any]
            }
        }
        return page("Processes", current: "/processes", body: Self.processes.render(view))
    }
}

extension Report.Top {
    mutating func add(packets p: UInt64, bytes b: UInt64) {
        packets += p
        bytes += b
        flows += 1
    }
}
