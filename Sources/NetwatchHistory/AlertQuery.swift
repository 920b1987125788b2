/// Which alert rows `history alerts`, the report and the dashboard want. Nil: any.
public struct AlertQuery: Sendable {
    /// The row's id (a dashboard link).
    public var id: Int64?
    /// Seconds since the epoch: alerts raised in [since, until).
    public var since: Double?
    public var until: Double?
    public var signature: String?
    /// The source end (src_ip, or local_ip for host alerts).
    public var source: String?
    /// The destination end (dest_ip, or remote_ip).
    public var destination: String?
    /// Either end.
    public var host: String?
    /// One sensor's alerts (the central database).
    public var sensor: String?
    public var limit: Int?
    /// Skips this many (paging).
    public var offset: Int?
    /// Latest raised first (the dashboard's order); else the order they were raised in.
    public var newestFirst = false

    public init(id: Int64? = nil, since: Double? = nil, until: Double? = nil, signature: String? = nil, source: String? = nil,
                destination: String? = nil, host: String? = nil, limit: Int? = nil, offset: Int? = nil, newestFirst: Bool = false) {
        self.id = id
        self.since = since
        self.until = until
        self.signature = signature
        self.source = source
        self.destination = destination
        self.host = host
        self.limit = limit
        self.offset = offset
        self.newestFirst = newestFirst
    }

    /// The WHERE terms (SQLite's `?` placeholders) and their arguments; both databases use them.
    public func terms() -> ([String], [any Sendable & Equatable]) {
        var terms: [String] = []
        var args: [any Sendable & Equatable] = []
        if let id { terms.append("id = ?"); args.append(id) }
        if let host {
            terms.append("(src_ip = ? OR local_ip = ? OR dest_ip = ? OR remote_ip = ?)")
            args += [host, host, host, host]
        }
        if let since { terms.append("ts >= ?"); args.append(since) }
        if let until { terms.append("ts < ?"); args.append(until) }
        if let signature { terms.append("signature = ?"); args.append(signature) }
        if let source { terms.append("(src_ip = ? OR local_ip = ?)"); args += [source, source] }
        if let destination { terms.append("(dest_ip = ? OR remote_ip = ?)"); args += [destination, destination] }
        if let sensor { terms.append("sensor = ?"); args.append(sensor) }
        return (terms, args)
    }

    /// LIMIT and OFFSET (SQLite wants a LIMIT before an OFFSET; -1 is none there, and
    /// PostgreSQL takes LIMIT ALL).
    func page(noLimit: String) -> String {
        var s = limit.map { " LIMIT \($0)" } ?? (offset != nil ? " LIMIT \(noLimit)" : "")
        if let offset { s += " OFFSET \(offset)" }
        return s
    }

    public var postgresPage: String { page(noLimit: "ALL") }
    var sqlitePage: String { page(noLimit: "-1") }
}
