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

    /// Distinct addresses at either end of the conn records in the chunks of conn ids that
    /// the range touches (whole chunks: a chunk straddling an edge counts all its hosts).
    public func hostCount(since: Double, until: Double) throws(HistoryError) -> UInt64 {
        if version < 2 {
            return try run { db in
                UInt64(try Int64.fetchOne(db, sql: "SELECT count(*) FROM (SELECT orig_h FROM conn WHERE ts >= ?1 AND ts < ?2 UNION SELECT resp_h FROM conn WHERE ts >= ?1 AND ts < ?2)",
                                          arguments: [since, until]) ?? 0)
            }
        }
        return try run { db in
            let chunks = "SELECT chunk FROM conn_chunk WHERE last_ts >= ? AND first_ts < ?"
            var keys = Set<[UInt8]>()
            let indexed = try Int64.fetchOne(db, sql: "SELECT count(DISTINCT h) FROM conn_host WHERE chunk IN (\(chunks))", arguments: [since, until]) ?? 0
            // The tail not indexed yet: its addresses, less those the index already counted.
            let through = try Int64.fetchOne(db, sql: "SELECT through FROM conn_indexed") ?? 0
            let rows = try Row.fetchAll(db, sql: "SELECT orig_h, resp_h FROM conn WHERE id > ? AND ts >= ? AND ts < ?", arguments: [through, since, until])
            guard !rows.isEmpty else { return UInt64(indexed) }
            for row in rows {
                for c in ["orig_h", "resp_h"] { if let a = IPAddress(row[c] as String) { keys.insert(ConnHostIndex.Key(a).bytes) } }
            }
            var extra = 0
            for k in keys where try Int64.fetchOne(db, sql: "SELECT 1 FROM conn_host WHERE chunk IN (\(chunks)) AND h = ? LIMIT 1",
                                                  arguments: [since, until, Data(k)]) == nil {
                extra += 1
            }
            return UInt64(Int(indexed) + extra)
        }
    }

    /// Whether `host` is at either end of a conn record that started before `time`.
    public func seenBefore(_ host: String, _ time: Double) throws(HistoryError) -> Bool {
        var q = FlowQuery()
        q.host = host
        q.until = time
        q.limit = 1
        return try !flows(q).isEmpty
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
