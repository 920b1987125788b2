import Foundation
import NetwatchDetect
import NetwatchEvents
import NetwatchHistory
import NIOPosix
import PostgresNIO

/// The central PostgreSQL read by `netwatch history`: every sensor's records, or one
/// sensor's (`sensor`). Top lists and series are summed over the sensors read.
public final class CentralStore: HistorySource, @unchecked Sendable {
    public let url: CentralURL
    /// Only this sensor's rows; nil: the whole fleet.
    public let sensor: String?
    private let pool: CentralConnectionPool

    public var name: String { url.description }

    /// As many connections as the web server answers requests at once (its blocking pool's threads).
    static var readers: Int { min(16, max(2, NIOSingletons.blockingPoolThreadCountSuggestion)) }

    public init(url: CentralURL, password: String?, sensor: String?) throws(CentralError) {
        self.url = url
        self.sensor = sensor
        pool = CentralConnectionPool(url: url, password: password, limit: Self.readers)
        do {
            let rows = try pool.withConnection { try $0.execute(unsafeSQL: "SELECT to_regclass('conn') IS NOT NULL") }
            guard try rows.first?.decode(Bool.self) == true else {
                throw CentralError("\(url) holds no netwatch history yet (no conn table); record into it with --history \(url)")
            }
        } catch let e as CentralError {
            throw e
        } catch {
            throw CentralError("cannot read \(url): \(CentralConnection.describe(error))")
        }
    }

    /// Runs a query written with SQLite's `?` placeholders (the WHERE clauses are shared with
    /// the SQLite store), with `$n` in their place.
    func rows(_ sql: String, _ arguments: [any Sendable & Equatable]) throws(HistoryError) -> [PostgresRandomAccessRow] {
        var q = PostgresQuery(unsafeSQL: "")
        var text = ""
        var n = 0
        for c in sql {
            if c == "?" {
                n += 1
                text += "$\(n)"
            } else {
                text.append(c)
            }
        }
        q.sql = text
        for a in arguments {
            switch a {
            case let d as Double: q.binds.append(d)
            case let i as Int: q.binds.append(i)
            case let i as Int64: q.binds.append(i)
            case let s as String: q.binds.append(s)
            case let list as [String]: q.binds.append(list)
            default: q.binds.appendNull()
            }
        }
        do {
            // A long-running reader (`serve`) outlives a server restart.
            return try pool.withConnection { try $0.query(q, reconnecting: true) }.map { $0.makeRandomAccess() }
        } catch let e as CentralError {
            throw HistoryError(e.message)
        } catch {
            throw HistoryError("cannot read \(url): \(CentralConnection.describe(error))")
        }
    }

    /// `WHERE` terms with the sensor's added.
    func whereClause(_ terms: [String], _ args: [any Sendable & Equatable]) -> (String, [any Sendable & Equatable]) {
        var terms = terms, args = args
        if let sensor { terms.append("sensor = ?"); args.append(sensor) }
        return (terms.isEmpty ? "" : "WHERE " + terms.joined(separator: " AND "), args)
    }

    public func runs() throws(HistoryError) -> [RunRecord] {
        let (w, args) = whereClause([], [])
        return try rows("SELECT * FROM run \(w) ORDER BY id", args).map { HistoryRecords.run(CentralRow($0)) }
    }

    public func flows(_ query: FlowQuery) throws(HistoryError) -> [FlowRecord] {
        var q = query
        // A store narrowed to one sensor answers nothing of another's.
        if let sensor, let asked = q.sensor, asked != sensor { return [] }
        q.sensor = q.sensor ?? sensor
        let (w, args) = q.clause()
        var sql = "SELECT * FROM conn \(w) ORDER BY " + (q.newestFirst ? "id DESC" : "ts, id")
        if let limit = q.limit { sql += " LIMIT \(limit)" }
        if let offset = q.offset { sql += " OFFSET \(offset)" }
        return try rows(sql, args).map { HistoryRecords.flow(CentralRow($0)) }
    }

    /// Ordered by time (ids interleave the sensors' batches), then id.
    public func alertRows(_ q: AlertQuery) throws(HistoryError) -> [(id: Int64, alert: Alert, details: String)] {
        if let sensor, let asked = q.sensor, asked != sensor { return [] }
        var q = q
        q.sensor = q.sensor ?? sensor
        let (terms, all) = q.terms()
        let w = terms.isEmpty ? "" : "WHERE " + terms.joined(separator: " AND ")
        return try rows("SELECT * FROM alert \(w) ORDER BY " + (q.newestFirst ? "ts DESC, id DESC" : "ts, id") + q.postgresPage, all).map {
            HistoryRecords.alert(CentralRow($0))
        }
    }

    public func alertSignatures(since: Double?, until: Double?) throws(HistoryError) -> [(signature: String, count: UInt64)] {
        var terms = ["event_type = 'alert'"]
        var args: [any Sendable & Equatable] = []
        if let since { terms.append("ts >= ?"); args.append(since) }
        if let until { terms.append("ts < ?"); args.append(until) }
        let (w, all) = whereClause(terms, args)
        return try rows("SELECT signature, count(*) AS n FROM alert \(w) GROUP BY signature ORDER BY n DESC, signature LIMIT 200", all).map {
            let row = CentralRow($0)
            return (row.text("signature") ?? "", UInt64(row.int("n") ?? 0))
        }
    }

    public func socketEvents(since: Double?, until: Double?, host: String?, process: String?, limit: Int?) throws(HistoryError) -> [SocketEventRecord] {
        var terms: [String] = []
        var args: [any Sendable & Equatable] = []
        if let since { terms.append("ts >= ?"); args.append(since) }
        if let until { terms.append("ts < ?"); args.append(until) }
        if let host { terms.append("(local_ip = ? OR remote_ip = ?)"); args += [host, host] }
        if let process { terms.append("process = ?"); args.append(process) }
        let (w, all) = whereClause(terms, args)
        return try rows("SELECT * FROM socket_event \(w) ORDER BY ts, id" + (limit.map { " LIMIT \($0)" } ?? ""), all).map {
            HistoryRecords.socketEvent(CentralRow($0))
        }
    }

    /// Summed over the sensors read (each sensor's own seconds are added, not merged).
    public func series(resolution: Int, since: Double?, until: Double?, interface: String?) throws(HistoryError) -> [TrafficBucket] {
        var terms = ["resolution = ?"]
        var args: [any Sendable & Equatable] = [resolution]
        if let interface { terms.append("interface = ?"); args.append(interface) }
        if let since { terms.append("t >= ?"); args.append(HistoryTime.floor(Int64(since.rounded(.down)), Int64(resolution))) }
        if let until { terms.append("t < ?"); args.append(until) }
        let (w, all) = whereClause(terms, args)
        let columns = interface == nil
            ? ["packets", "bytes", "tcp", "udp", "icmp", "other", "dropped", "tcp_bytes", "udp_bytes", "icmp_bytes"].map { "sum(\($0))::bigint AS \($0)" }.joined(separator: ", ")
            : "sum(packets)::bigint AS packets, sum(bytes)::bigint AS bytes"
        let sql = "SELECT t, \(columns) FROM \(interface == nil ? "traffic" : "traffic_interface") \(w) GROUP BY t ORDER BY t"
        return try rows(sql, all).map { HistoryRecords.bucket(CentralRow($0)) }
    }

    /// Summed from the conn records that ended in the range (PostgreSQL scans them in
    /// parallel; there are no per-minute top tables here).
    public func top(_ kind: TopKind, byPackets: Bool, since: Double?, until: Double?, n: Int, exact: Bool) throws(HistoryError) -> [TopEntry] {
        var terms: [String] = []
        var args: [any Sendable & Equatable] = []
        if let since { terms.append("ts + duration >= ?"); args.append(since) }
        if let until { terms.append("ts + duration < ?"); args.append(until) }
        let (w, all) = whereClause(terms, args)
        let and = w.isEmpty ? "WHERE" : w + " AND"
        let p = "orig_pkts + resp_pkts", b = "orig_ip_bytes + resp_ip_bytes"
        let totals = "sum(p)::bigint AS packets, sum(b)::bigint AS bytes, count(*) AS flows"
        let order = "ORDER BY \(byPackets ? "packets" : "bytes") DESC, key LIMIT \(n)"
        let rows = "\(p) AS p, \(b) AS b FROM conn"
        let sql = switch kind {
        case .hosts:
            "SELECT h AS key, \(totals), sum(s)::bigint AS sent, sum(r)::bigint AS received FROM (SELECT orig_h AS h, orig_ip_bytes AS s, resp_ip_bytes AS r, \(rows) \(w) UNION ALL SELECT resp_h, resp_ip_bytes, orig_ip_bytes, \(rows) \(and) resp_h <> orig_h) x GROUP BY h \(order)"
        case .ports: "SELECT resp_p || '/' || proto AS key, \(totals) FROM (SELECT resp_p, proto, \(rows) \(w)) x GROUP BY resp_p, proto \(order)"
        case .conversations: "SELECT orig_h || ' <-> ' || resp_h AS key, \(totals) FROM (SELECT orig_h, resp_h, \(rows) \(w)) x GROUP BY orig_h, resp_h \(order)"
        case .processes: "SELECT process AS key, \(totals) FROM (SELECT process, \(rows) \(and) process IS NOT NULL) x GROUP BY process \(order)"
        case .countries:
            "SELECT c AS key, \(totals) FROM (SELECT orig_cc AS c, \(rows) \(and) orig_cc IS NOT NULL UNION ALL SELECT resp_cc, \(rows) \(and) resp_cc IS NOT NULL AND resp_cc IS DISTINCT FROM orig_cc) x GROUP BY c \(order)"
        case .services: "SELECT coalesce(service, '-') AS key, \(totals) FROM (SELECT service, \(rows) \(w)) x GROUP BY 1 \(order)"
        case .states: "SELECT coalesce(conn_state, '') AS key, \(totals) FROM (SELECT conn_state, \(rows) \(w)) x GROUP BY 1 \(order)"
        case .networks:
            "SELECT a::text AS key, \(totals) FROM (SELECT orig_asn AS a, \(rows) \(and) orig_asn IS NOT NULL UNION ALL SELECT resp_asn, \(rows) \(and) resp_asn IS NOT NULL AND resp_asn IS DISTINCT FROM orig_asn) x GROUP BY a \(order)"
        }
        let twice = kind == .hosts || kind == .countries || kind == .networks
        return try self.rows(sql, twice ? all + all : all).map { HistoryRecords.topEntry(CentralRow($0), directions: kind == .hosts) }
    }

    /// Per minute (or hour) of the conn records' end times, summed from `conn`: the report's
    /// outcome chart and activity strips.
    public func topPoints(_ kind: TopKind, keys: [String]?, since: Double, until: Double, hours: Bool) throws(HistoryError) -> [TopPoint] {
        if let keys, keys.isEmpty { return [] }
        let resolution = hours ? 3600 : 60
        let end = "ts + duration"
        let (w, args) = whereClause(["\(end) >= ?", "\(end) < ?"], [since, until])
        let t = "(floor((\(end)) / \(resolution)) * \(resolution))::bigint"
        let p = "orig_pkts + resp_pkts", b = "orig_ip_bytes + resp_ip_bytes"
        let inner: String = switch kind {
        case .hosts: "SELECT \(t) AS t, orig_h AS key, \(p) AS p, \(b) AS b FROM conn \(w) UNION ALL SELECT \(t), resp_h, \(p), \(b) FROM conn \(w) AND resp_h <> orig_h"
        case .ports: "SELECT \(t) AS t, resp_p || '/' || proto AS key, \(p) AS p, \(b) AS b FROM conn \(w)"
        case .conversations: "SELECT \(t) AS t, orig_h || ' <-> ' || resp_h AS key, \(p) AS p, \(b) AS b FROM conn \(w)"
        case .processes: "SELECT \(t) AS t, process AS key, \(p) AS p, \(b) AS b FROM conn \(w) AND process IS NOT NULL"
        case .countries: "SELECT \(t) AS t, orig_cc AS key, \(p) AS p, \(b) AS b FROM conn \(w) AND orig_cc IS NOT NULL UNION ALL SELECT \(t), resp_cc, \(p), \(b) FROM conn \(w) AND resp_cc IS NOT NULL AND resp_cc IS DISTINCT FROM orig_cc"
        case .services: "SELECT \(t) AS t, coalesce(service, '-') AS key, \(p) AS p, \(b) AS b FROM conn \(w)"
        case .states: "SELECT \(t) AS t, coalesce(conn_state, '') AS key, \(p) AS p, \(b) AS b FROM conn \(w)"
        case .networks: "SELECT \(t) AS t, orig_asn::text AS key, \(p) AS p, \(b) AS b FROM conn \(w) AND orig_asn IS NOT NULL UNION ALL SELECT \(t), resp_asn::text, \(p), \(b) FROM conn \(w) AND resp_asn IS NOT NULL AND resp_asn IS DISTINCT FROM orig_asn"
        }
        let twice = kind == .hosts || kind == .countries || kind == .networks
        var all = twice ? args + args : args
        var filter = ""
        if let keys {
            filter = " WHERE key = ANY(?)"
            all.append(keys)
        }
        let sql = "SELECT t, key, sum(p)::bigint AS packets, sum(b)::bigint AS bytes, count(*) AS flows FROM (\(inner)) x\(filter) GROUP BY t, key ORDER BY t, key"
        return try rows(sql, all).map { r in
            let row = CentralRow(r)
            let e = HistoryRecords.topEntry(row, directions: false)
            return TopPoint(t: row.int("t") ?? 0, key: e.key, packets: e.packets, bytes: e.bytes, flows: e.flows)
        }
    }

    public func alertCounts(since: Double, until: Double) throws(HistoryError) -> (bySeverity: [Int: UInt64], total: UInt64) {
        let (w, args) = whereClause(["ts >= ?", "ts < ?"], [since, until])
        var out: [Int: UInt64] = [:]
        var total: UInt64 = 0
        for r in try rows("SELECT severity, event_type, count(*) AS n FROM alert \(w) GROUP BY 1, 2", args) {
            let row = CentralRow(r)
            let n = UInt64(row.int("n") ?? 0)
            total += n
            if row.text("event_type") == "alert" { out[Int(row.int("severity") ?? 0), default: 0] += n }
        }
        return (out, total)
    }

    /// Distinct addresses at either end of the conn records that ended in the range: exact.
    public func hostCount(since: Double, until: Double) throws(HistoryError) -> (count: UInt64, exact: Bool) {
        let (w, args) = whereClause(["ts + duration >= ?", "ts + duration < ?"], [since, until])
        let r = try rows("SELECT count(*) AS n FROM (SELECT orig_h FROM conn \(w) UNION SELECT resp_h FROM conn \(w)) x", args + args)
        return (UInt64(r.first.map { CentralRow($0).int("n") ?? 0 } ?? 0), true)
    }

    /// The name each address was last given by a DNS answer seen before `until`, by any
    /// sensor read.
    public func names(for addresses: [String], until: Double) throws(HistoryError) -> [String: String] {
        guard !addresses.isEmpty else { return [:] }
        let (w, args) = whereClause(["address = ANY(?)", "first_ts < ?"], [addresses, until])
        var out: [String: String] = [:]
        for r in try rows("SELECT DISTINCT ON (address) address, name FROM dns_name \(w) ORDER BY address, last_ts DESC, name", args) {
            let row = CentralRow(r)
            if let a = row.text("address"), let n = row.text("name") { out[a] = n }
        }
        return out
    }

    /// The fleet at a glance: per sensor, its runs, conn records, packets, bytes and alerts,
    /// first and last seen; `host`: only the records where that address is either end (one
    /// host seen by several sensors).
    public func sensors(since: Double?, until: Double?, host: String?) throws(HistoryError) -> [SensorSummary]? {
        var terms: [String] = []
        var args: [any Sendable & Equatable] = []
        if let since { terms.append("ts >= ?"); args.append(since) }
        if let until { terms.append("ts < ?"); args.append(until) }
        if let host { terms.append("(orig_h = ? OR resp_h = ?)"); args += [host, host] }
        let (w, all) = whereClause(terms, args)
        var alertTerms: [String] = []
        var alertArgs: [any Sendable & Equatable] = []
        if let since { alertTerms.append("ts >= ?"); alertArgs.append(since) }
        if let until { alertTerms.append("ts < ?"); alertArgs.append(until) }
        if let host { alertTerms.append("(src_ip = ? OR dest_ip = ? OR local_ip = ? OR remote_ip = ?)"); alertArgs += [host, host, host, host] }
        let (aw, aall) = whereClause(alertTerms, alertArgs)
        let sql = """
            SELECT s.sensor AS sensor, coalesce(c.flows, 0) AS flows, coalesce(c.packets, 0) AS packets, coalesce(c.bytes, 0) AS bytes,
              c.first AS first, c.last AS last, coalesce(a.alerts, 0) AS alerts, s.runs AS runs
            FROM (SELECT sensor, count(*) AS runs FROM run GROUP BY sensor) s
            LEFT JOIN (SELECT sensor, count(*) AS flows, sum(orig_pkts + resp_pkts)::bigint AS packets, sum(orig_ip_bytes + resp_ip_bytes)::bigint AS bytes,
                         min(ts) AS first, max(ts + duration) AS last FROM conn \(w) GROUP BY sensor) c ON c.sensor = s.sensor
            LEFT JOIN (SELECT sensor, count(*) AS alerts FROM alert \(aw) GROUP BY sensor) a ON a.sensor = s.sensor
            \(sensor != nil ? "WHERE s.sensor = ?" : "")
            \(host != nil ? (sensor != nil ? "AND" : "WHERE") + " (c.flows IS NOT NULL OR a.alerts IS NOT NULL)" : "")
            ORDER BY s.sensor
            """
        return try rows(sql, all + aall + (sensor.map { [$0] } ?? [])).map { r in
            let row = CentralRow(r)
            return SensorSummary(sensor: row.text("sensor") ?? "", runs: Int(row.int("runs") ?? 0), flows: UInt64(row.int("flows") ?? 0),
                                 packets: UInt64(row.int("packets") ?? 0), bytes: UInt64(row.int("bytes") ?? 0), alerts: UInt64(row.int("alerts") ?? 0),
                                 first: row.double("first"), last: row.double("last"))
        }
    }
}
