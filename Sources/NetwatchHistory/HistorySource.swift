import NetwatchDetect
import NetwatchEvents

/// What `netwatch history` asks of a database: the SQLite file one sensor writes, or the
/// central PostgreSQL many write (whose rows carry their sensor).
public protocol HistorySource: AnyObject, Sendable {
    /// How messages name it (a path, or a URL without its password).
    var name: String { get }
    func runs() throws(HistoryError) -> [RunRecord]
    func flows(_ q: FlowQuery) throws(HistoryError) -> [FlowRecord]
    func alertRows(_ q: AlertQuery) throws(HistoryError) -> [(id: Int64, alert: Alert, details: String)]
    /// The signatures of the alerts raised (not summaries), most frequent first.
    func alertSignatures(since: Double?, until: Double?) throws(HistoryError) -> [(signature: String, count: UInt64)]
    func socketEvents(since: Double?, until: Double?, host: String?, process: String?, limit: Int?) throws(HistoryError) -> [SocketEventRecord]
    func top(_ kind: TopKind, byPackets: Bool, since: Double?, until: Double?, n: Int, exact: Bool) throws(HistoryError) -> [TopEntry]
    func series(resolution: Int, since: Double?, until: Double?, interface: String?) throws(HistoryError) -> [TrafficBucket]
    // What the report draws besides.
    func topPoints(_ kind: TopKind, keys: [String]?, since: Double, until: Double, hours: Bool) throws(HistoryError) -> [TopPoint]
    func alertCounts(since: Double, until: Double) throws(HistoryError) -> (bySeverity: [Int: UInt64], total: UInt64)
    func hostCount(since: Double, until: Double) throws(HistoryError) -> (count: UInt64, exact: Bool)
    func names(for addresses: [String], until: Double) throws(HistoryError) -> [String: String]
    /// The fleet: per sensor, what it recorded in the range (or, with `host`, of that address);
    /// nil for a database that holds one sensor's records.
    func sensors(since: Double?, until: Double?, host: String?) throws(HistoryError) -> [SensorSummary]?
}

extension HistorySource {
    public func sensors(since: Double?, until: Double?, host: String?) throws(HistoryError) -> [SensorSummary]? { nil }

    /// Alert rows, any filter left out.
    public func alertRows(id: Int64? = nil, since: Double? = nil, until: Double? = nil, signature: String? = nil, source: String? = nil,
                          destination: String? = nil, host: String? = nil, limit: Int? = nil, offset: Int? = nil,
                          newestFirst: Bool = false) throws(HistoryError) -> [(id: Int64, alert: Alert, details: String)] {
        try alertRows(AlertQuery(id: id, since: since, until: until, signature: signature, source: source, destination: destination,
                                 host: host, limit: limit, offset: offset, newestFirst: newestFirst))
    }

    /// Alerts, summaries and clearings in the order they were raised, each with its details'
    /// JSON members.
    public func alerts(since: Double? = nil, until: Double? = nil, signature: String? = nil, source: String? = nil,
                       destination: String? = nil, limit: Int? = nil) throws(HistoryError) -> [(alert: Alert, details: String)] {
        try alertRows(AlertQuery(since: since, until: until, signature: signature, source: source, destination: destination, limit: limit))
            .map { ($0.alert, $0.details) }
    }

    public func alertSignatures() throws(HistoryError) -> [(signature: String, count: UInt64)] {
        try alertSignatures(since: nil, until: nil)
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

extension HistoryStore: HistorySource {
    public var name: String { path }
}

extension HistorySource {
    // The requirements with their usual arguments.
    public func series(resolution: Int, since: Double?, until: Double?) throws(HistoryError) -> [TrafficBucket] {
        try series(resolution: resolution, since: since, until: until, interface: nil)
    }

    public func top(_ kind: TopKind, since: Double?, until: Double?, n: Int) throws(HistoryError) -> [TopEntry] {
        try top(kind, byPackets: false, since: since, until: until, n: n, exact: false)
    }

    public func topPoints(_ kind: TopKind, keys: [String]?, since: Double, until: Double) throws(HistoryError) -> [TopPoint] {
        try topPoints(kind, keys: keys, since: since, until: until, hours: false)
    }
}
