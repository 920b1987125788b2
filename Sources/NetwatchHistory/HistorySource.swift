import NetwatchDetect
import NetwatchEvents

/// What `netwatch history` asks of a database: the SQLite file one sensor writes, or the
/// central PostgreSQL many write (whose rows carry their sensor).
public protocol HistorySource: AnyObject {
    /// How messages name it (a path, or a URL without its password).
    var name: String { get }
    func runs() throws(HistoryError) -> [RunRecord]
    func flows(_ q: FlowQuery) throws(HistoryError) -> [FlowRecord]
    func alerts(since: Double?, until: Double?, signature: String?, source: String?, destination: String?, limit: Int?) throws(HistoryError) -> [(alert: Alert, details: String)]
    func socketEvents(since: Double?, until: Double?, host: String?, process: String?, limit: Int?) throws(HistoryError) -> [SocketEventRecord]
    func top(_ kind: TopKind, byPackets: Bool, since: Double?, until: Double?, n: Int, exact: Bool) throws(HistoryError) -> [TopEntry]
    func series(resolution: Int, since: Double?, until: Double?, interface: String?) throws(HistoryError) -> [TrafficBucket]
}

extension HistoryStore: HistorySource {
    public var name: String { path }
}
