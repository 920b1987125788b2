/// Which conn records `history flows` (and the report and the web API) want. Nil: any.
public struct FlowQuery: Sendable {
    /// Seconds since the epoch: records that started in [since, until).
    public var since: Double?
    public var until: Double?
    /// Either end.
    public var host: String?
    public var port: Int?
    /// tcp, udp or icmp.
    public var proto: String?
    public var state: String?
    public var process: String?
    public var communityID: String?
    public var uid: String?
    /// One sensor's records (the central database).
    public var sensor: String?
    public var limit: Int?
    /// Skips this many (paging).
    public var offset: Int?
    /// Latest recorded first (the dashboard's order: the rowid, as conn has no index on ts);
    /// else start order.
    public var newestFirst = false

    public init() {}

    /// ORDER BY, LIMIT and OFFSET.
    var order: String {
        var s = newestFirst ? " ORDER BY id DESC" : " ORDER BY ts, id"
        if let limit { s += " LIMIT \(limit)" } else if offset != nil { s += " LIMIT -1" }
        if let offset { s += " OFFSET \(offset)" }
        return s
    }

    /// The WHERE clause (with its leading keyword, or empty) and its arguments.
    public func clause(time: String = "ts") -> (String, [any Sendable & Equatable]) {
        var terms: [String] = []
        var args: [any Sendable & Equatable] = []
        if let since { terms.append("\(time) >= ?"); args.append(since) }
        if let until { terms.append("\(time) < ?"); args.append(until) }
        if let host { terms.append("(orig_h = ? OR resp_h = ?)"); args.append(host); args.append(host) }
        if let port { terms.append("(orig_p = ? OR resp_p = ?)"); args.append(port); args.append(port) }
        if let proto { terms.append("proto = ?"); args.append(proto) }
        if let state { terms.append("conn_state = ?"); args.append(state) }
        if let process { terms.append("process = ?"); args.append(process) }
        if let communityID { terms.append("community_id = ?"); args.append(communityID) }
        if let uid { terms.append("uid = ?"); args.append(uid) }
        if let sensor { terms.append("sensor = ?"); args.append(sensor) }
        return (terms.isEmpty ? "" : "WHERE " + terms.joined(separator: " AND "), args)
    }
}
