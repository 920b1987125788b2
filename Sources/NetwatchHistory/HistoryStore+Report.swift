import Foundation
import GRDB
import NetwatchDecode

/// A top table's rows over time: what the report's outcome chart and activity strips draw.
public struct TopPoint: Sendable, Equatable {
    /// The minute or hour the row counts (seconds since the epoch).
    public var t: Int64
    public var key: String
    public var packets: UInt64
    public var bytes: UInt64
    public var flows: UInt64

    public init(t: Int64, key: String, packets: UInt64, bytes: UInt64, flows: UInt64) {
        self.t = t
        self.key = key
        self.packets = packets
        self.bytes = bytes
        self.flows = flows
    }
}

extension HistoryStore {
    /// The per-minute rows (per-hour with `hours`) of `kind` in [since, until), for `keys`
    /// only (nil: every key). Schema v3 and later; an older file answers nothing.
    public func topPoints(_ kind: TopKind, keys: [String]?, since: Double, until: Double, hours: Bool = false) throws(HistoryError) -> [TopPoint] {
        guard version >= 3 else { return [] }
        let (table, key) = switch kind {
        case .hosts: ("top_host", "host")
        case .ports: ("top_port", "port || '/' || proto")
        case .conversations: ("top_conversation", "orig_h || ' <-> ' || resp_h")
        case .processes: ("top_process", "process")
        case .countries: ("top_country", "country")
        case .services: ("top_service", "service")
        case .states: ("top_state", "conn_state")
        case .networks: ("top_asn", "asn")
        }
        let resolution: Int64 = hours ? 3600 : 60
        let s = HistoryTime.floor(Int64(since.rounded(.down)), resolution), u = Int64(until.rounded(.up))
        var sql = "SELECT t, \(key) AS key, packets, bytes, flows FROM \(table) WHERE resolution = ? AND t >= ? AND t < ?"
        var args: [any Sendable & Equatable] = [Int(resolution), s, u]
        if let keys {
            guard !keys.isEmpty else { return [] }
            sql += " AND \(key) IN (SELECT value FROM json_each(?))"
            args.append("[" + keys.map { "\"" + $0.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\"" }.joined(separator: ",") + "]")
        }
        return try run { db in
            try Row.fetchAll(db, sql: sql + " ORDER BY t", arguments: Self.arguments(args)).map { row in
                let e = Self.topEntry(row)
                return TopPoint(t: row["t"], key: e.key, packets: e.packets, bytes: e.bytes, flows: e.flows)
            }
        }
    }

    /// Alerts in [since, until) by severity, and summaries and clearings apart.
    public func alertCounts(since: Double, until: Double) throws(HistoryError) -> (bySeverity: [Int: UInt64], total: UInt64) {
        try run { db in
            var out: [Int: UInt64] = [:]
            var total: UInt64 = 0
            for row in try Row.fetchAll(db, sql: "SELECT severity, event_type, count(*) AS n FROM alert WHERE ts >= ? AND ts < ? GROUP BY 1, 2",
                                        arguments: [since, until]) {
                let n = UInt64(bitPattern: row["n"] ?? 0)
                total += n
                if (row["event_type"] as String) == "alert" { out[row["severity"], default: 0] += n }
            }
            return (out, total)
        }
    }

    /// Distinct addresses at either end of the conn records that ended in the range (as the
    /// top tables count them): exact up to 512 per sketch, else within about 2% (`host_sketch`:
    /// whole hours from the hourly rows, the minutes at either edge from the minute rows).
    public func hostCount(since: Double, until: Double) throws(HistoryError) -> (count: UInt64, exact: Bool) {
        if version < 3 {
            return try run { db in
                let n = try Int64.fetchOne(db, sql: "SELECT count(*) FROM (SELECT orig_h FROM conn WHERE ts + duration >= ?1 AND ts + duration < ?2 UNION SELECT resp_h FROM conn WHERE ts + duration >= ?1 AND ts + duration < ?2)",
                                           arguments: [since, until]) ?? 0
                return (UInt64(n), true)
            }
        }
        return try run { db in
            var merged = HostSketch()
            let (sql, arguments) = try Self.minutesAndHours(db, "host_sketch", columns: "sketch", since: since, until: until)
            let rows = try Data.fetchAll(db, sql: sql, arguments: arguments)
            for data in rows { if let sketch = HostSketch(bytes: [UInt8](data)) { merged.merge(sketch) } }
            return (merged.count, merged.isExact)
        }
    }
}

extension HistoryStore {
    /// The name each address was last given by a DNS answer seen before `until` (passive DNS).
    public func names(for addresses: [String], until: Double) throws(HistoryError) -> [String: String] {
        guard version >= 3, !addresses.isEmpty else { return [:] }
        return try run { db in
            var out: [String: String] = [:]
            let st = try db.cachedStatement(sql: "SELECT name FROM dns_name WHERE address = ? AND first_ts < ? ORDER BY last_ts DESC, name LIMIT 1")
            for a in addresses {
                if let name = try String.fetchOne(st, arguments: [a, until]) { out[a] = name }
            }
            return out
        }
    }
}

extension HistoryStore {
    /// The signatures of the alerts recorded (raised, not summaries), most frequent first.
    public func alertSignatures(since: Double?, until: Double?) throws(HistoryError) -> [(signature: String, count: UInt64)] {
        var terms = ["event_type = 'alert'"]
        var args: [any Sendable & Equatable] = []
        if let since { terms.append("ts >= ?"); args.append(since) }
        if let until { terms.append("ts < ?"); args.append(until) }
        return try run { db in
            try Row.fetchAll(db, sql: "SELECT signature, count(*) AS n FROM alert WHERE \(terms.joined(separator: " AND ")) GROUP BY signature ORDER BY n DESC, signature LIMIT 200",
                             arguments: Self.arguments(args)).map { ($0["signature"], UInt64(bitPattern: $0["n"] ?? 0)) }
        }
    }
}
