import Foundation
import NetwatchDecode
import NetwatchDetect
import NetwatchEvents
import NetwatchGeo
import NetwatchHistory
import NetwatchHost
import NetwatchReport
import Synchronization

/// What the pages and the API read: the history database (a SQLite file, or the central
/// PostgreSQL's fleet), and (in `monitor`) the live state of the run. The costlier history summaries are kept a few seconds, so many clients
/// refreshing once a second cost one query.
public final class WebData: Sendable {
    public let store: any HistorySource
    /// The rows carry the sensor that recorded them (the central database).
    public let fleet: Bool
    public let live: LiveState?
    public let geo: GeoDatabase?
    let historyWriter: HistoryWriter?
    public let metrics: WebMetrics
    /// The reader's distance from UTC, seconds.
    public let offset: Int64
    /// What is being served: "live on eth0", "capture x.pcap", "netwatch.db".
    public let source: String
    /// Reverse DNS for host pages (`--resolve-names`); nil: none asked.
    public let resolver: ReverseResolver?

    struct Cached<T: Sendable>: Sendable {
        var value: T
        var at: Double
        var key: Int64
    }
    let recentReport = Mutex<Cached<Report>?>(nil)
    let fragment = Mutex<Cached<String>?>(nil)
    /// Open flows per query, kept a second (a dashboard or a script asking the same again).
    let openAnswers = Mutex<[String: Cached<OpenAnswer>]>([:])
    struct OpenAnswer: Sendable {
        var records: [FlowRecord]
        var matched: Int
    }

    public init(store: any HistorySource, fleet: Bool = false, live: LiveState?, geo: GeoDatabase?, historyWriter: HistoryWriter?, metrics: WebMetrics, offset: Int64, source: String, resolver: ReverseResolver? = nil) {
        self.resolver = resolver
        self.store = store
        self.fleet = fleet
        self.live = live
        self.geo = geo
        self.historyWriter = historyWriter
        self.metrics = metrics
        self.offset = offset
        self.source = source
    }

    static func wallNow() -> Double { Date().timeIntervalSince1970 }

    /// The data's present: the run's packet clock live (a replayed capture's time), else the
    /// latest second the database holds when that is older than a day, else now.
    public func now() -> Double {
        if let s = live?.snapshot().lastSecond { return Double(s + 1) }
        let wall = Self.wallNow()
        if let last = try? store.runs().compactMap({ $0.lastData ?? $0.info.ended }).max(), last < wall - 86_400 { return last + 1 }
        return wall
    }

    /// The history's last `hours` as a report (top lists, traffic per minute, alerts), kept
    /// for `seconds`.
    func recent(now: Double, hours: Double = 6, seconds: Double = 5) throws(HistoryError) -> Report {
        let wall = Self.wallNow()
        let key = Int64(now)
        if let c = recentReport.withLock({ $0 }), wall - c.at < seconds, abs(c.key - key) < Int64(seconds) + 1 { return c.value }
        let report = try HistoryReportBuilder(store: store, top: 10, geo: geo).build(since: now - hours * 3600, until: now)
        recentReport.withLock { $0 = Cached(value: report, at: wall, key: key) }
        return report
    }

    /// The fleet's sensors over the overview's hours (nil: one sensor's database).
    func sensors(now: Double, hours: Double = 6) throws(HistoryError) -> [SensorSummary]? {
        try store.sensors(since: now - hours * 3600, until: now, host: nil)
    }

    /// The overview's live part, rendered at most once a second for all clients.
    func overviewFragment(render: () throws(HistoryError) -> String) throws(HistoryError) -> String {
        let wall = Self.wallNow()
        if let c = fragment.withLock({ $0 }), wall - c.at < 0.9 { return c.value }
        let text = try render()
        fragment.withLock { $0 = Cached(value: text, at: wall, key: 0) }
        return text
    }

    /// Per-second traffic over the last `seconds` before `now`: live from the run, else from
    /// the database's per-second series.
    func lastSeconds(now: Double, seconds: Int = 300) -> Report.Traffic {
        let until = Int64(now.rounded(.up))
        let since = until - Int64(seconds)
        if let live {
            return Report.Traffic(ticks: live.snapshot().ticks.filter { $0.second >= since }, since: since, until: until)
        }
        let buckets = (try? store.series(resolution: 1, since: Double(since), until: Double(until))) ?? []
        return Report.Traffic(ticks: buckets.map(Self.tick), since: since, until: until)
    }

    static func tick(_ b: TrafficBucket) -> TrafficTick {
        var t = TrafficTick(second: b.start)
        t.packets = b.packets; t.bytes = b.bytes; t.tcp = b.tcp; t.udp = b.udp; t.icmp = b.icmp; t.dropped = b.dropped
        t.tcpBytes = b.tcpBytes; t.udpBytes = b.udpBytes; t.icmpBytes = b.icmpBytes
        return t
    }

    /// Open flows matching `q` (live only), the same query answered from a second-old copy.
    func openFlows(_ q: FlowQuery) -> (records: [FlowRecord], matched: Int) {
        guard let live else { return ([], 0) }
        let key = "\(q.since ?? -1)|\(q.until ?? -1)|\(q.host ?? "")|\(q.port ?? -1)|\(q.proto ?? "")|\(q.state ?? "")|\(q.process ?? "")|\(q.communityID ?? "")|\(q.uid ?? "")|\(q.limit ?? 50)|\(q.offset ?? 0)"
        let wall = Self.wallNow()
        if let c = openAnswers.withLock({ $0[key] }), wall - c.at < 1 { return (c.value.records, c.value.matched) }
        let since = q.since.map { Int64($0 * 1e9) }, until = q.until.map { Int64($0 * 1e9) }
        let answer = live.openFlows(limit: q.limit ?? 50, offset: q.offset ?? 0) { r in
            if let since, r.start < since { return false }
            if let until, r.start >= until { return false }
            if let h = q.host, "\(r.originatorAddress)" != h && "\(r.responderAddress)" != h { return false }
            if let p = q.port, Int(r.originatorPort) != p && Int(r.responderPort) != p { return false }
            if let proto = q.proto, r.proto != proto { return false }
            if let s = q.state, r.connState != s { return false }
            if let p = q.process, r.process != p { return false }
            if let c = q.communityID, r.communityID != c { return false }
            if let u = q.uid, r.uid != u { return false }
            return true
        }
        openAnswers.withLock { cache in
            if cache.count >= 64 { cache = cache.filter { wall - $0.value.at < 1 } }
            if cache.count < 64 { cache[key] = Cached(value: OpenAnswer(records: answer.records, matched: answer.matched), at: wall, key: 0) }
        }
        return answer
    }

    /// The flows an alert concerns: recorded, and (live) those still open.
    func alertFlows(_ a: Alert) throws(HistoryError) -> [FlowRecord] {
        var flows = try AlertFlows.flows(a, store: store)
        if live != nil, var q = AlertFlows.query(a, limit: 50) {
            q.since = nil
            q.until = nil
            flows = openFlows(q).records.filter { AlertFlows.concerns(a, $0) } + flows
        }
        return Array(flows.prefix(50))
    }

    /// A flow by uid: recorded, else open.
    func flow(uid: String) throws(HistoryError) -> (record: FlowRecord, open: Bool)? {
        var q = FlowQuery()
        q.uid = uid
        q.limit = 1
        if let r = try store.flows(q).first { return (r, false) }
        if let r = live?.openFlow(uid: uid) { return (r, true) }
        return nil
    }

    /// One host's bytes per `width` seconds over [since, until) from its flows (the
    /// timeline's activity strip), and the flows read.
    func activity(_ host: String, since: Double, until: Double, width: Int64) throws(HistoryError) -> (bytes: [Double], flows: [FlowRecord]) {
        var q = FlowQuery()
        q.host = host
        q.since = since - 3600
        q.until = until
        q.limit = 20_000
        q.newestFirst = true
        var open = q
        // (Open flows whatever the clock says: the live clock trails by the second being counted.)
        open.since = nil
        open.until = nil
        let flows = openFlows(open).records + (try store.flows(q))
        let start = Int64(since.rounded(.down)) / width * width
        let count = Int(max(1, (Int64(until.rounded(.up)) - start + width - 1) / width))
        var bytes = [Double](repeating: 0, count: count)
        for r in flows {
            // Spread over the seconds the flow lasted, bucket by bucket.
            let s = Double(r.start) / 1e9, e = max(s, Double(r.end) / 1e9)
            let total = Double(r.originatorIPBytes + r.responderIPBytes)
            let span = max(e - s, 1e-9)
            var t = max(s, Double(start))
            while t <= e && t < until {
                let i = Int((Int64(t) - start) / width)
                guard i >= 0 && i < count else { break }
                let bucketEnd = Double(start + Int64(i + 1) * width)
                let part = e - s < 1e-9 ? 1 : (min(bucketEnd, e) - t) / span
                bytes[i] += total * part
                t = bucketEnd
            }
        }
        return (bytes, flows)
    }
}
