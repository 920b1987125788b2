import NetwatchDetect
import NetwatchEvents
import NetwatchHistory

/// The flows an alert concerns, found in the history as the report finds them (one rule:
/// `ReportAssembly.concerns`), for the dashboard's alert page.
public enum AlertFlows {
    /// Where to look: the alert's source's flows in the hour before it.
    public static func query(_ a: Alert, limit: Int = 5000) -> FlowQuery? {
        guard let source = a.sourceAddress ?? a.localAddress else { return nil }
        var q = FlowQuery()
        q.host = "\(source)"
        q.since = a.time - 3600
        q.until = a.time + 1
        q.limit = limit
        q.newestFirst = true
        return q
    }

    /// Between the alert's ends (a scan's every probe), or its Community ID's flow.
    public static func concerns(_ a: Alert, _ r: FlowRecord) -> Bool {
        (!r.communityID.isEmpty && r.communityID == a.communityID)
            || ReportAssembly.concerns(ReportAssembly.alertLine(a, id: 0), ReportAssembly.flowLine(r), communityID: nil)
    }

    public static func flows(_ a: Alert, store: any HistorySource, limit: Int = 50) throws(HistoryError) -> [FlowRecord] {
        if let c = a.communityID, !c.isEmpty, a.sourceAddress == nil && a.localAddress == nil {
            var q = FlowQuery()
            q.communityID = c
            q.limit = limit
            return try store.flows(q)
        }
        guard let q = query(a) else { return [] }
        return Array(try store.flows(q).filter { concerns(a, $0) }.prefix(limit))
    }
}

extension Report.AlertLine {
    /// An alert as the report lists it.
    public init(_ a: Alert, id: Int) {
        self = ReportAssembly.alertLine(a, id: id)
    }
}
