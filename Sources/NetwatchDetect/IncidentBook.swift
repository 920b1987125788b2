import NetwatchDecode

/// The incidents alerted on and still going: one alert when an incident starts, nothing while
/// it goes on (its counts grow), one summary when it has been quiet for `idle` seconds or the
/// run ends. Each signature family may open at most `budget` incidents a minute; more are
/// counted and reported in one line, so a spoofed flood cannot turn into an alert flood.
final class IncidentBook {
    enum Key: Hashable {
        case scan(IPAddress)
        case sweep(IPAddress)
        case flood(IPAddress)
        case blocklisted(IPAddress)
        case suspicious(IPAddress, UInt16)
        case invalidFlags(IPAddress)
        /// Keyed by the MAC address making the false claims.
        case arpSpoofing(UInt64)

        var family: Int {
            switch self {
            case .scan: 0
            case .sweep: 1
            case .flood: 2
            case .blocklisted: 3
            case .suspicious: 4
            case .invalidFlags: 5
            case .arpSpoofing: 6
            }
        }
    }

    struct Incident {
        var alert: Alert
        var first: Double
        var last: Double
        var targets = Set<IPAddress>()
        var items = Set<UInt32>()
        /// The detector's latest figures, for the summary.
        var latest: [Alert.Detail] = []
    }

    let idle: Double
    let budget: Int
    private(set) var open: [Key: Incident] = [:]
    private var opened = [Int](repeating: 0, count: 7)
    private var refused = [Int](repeating: 0, count: 7)
    private var minute = -1.0

    init(idle: Double, budget: Int = 20) {
        self.idle = idle
        self.budget = budget
    }

    /// Block-listed addresses whose incident is open, as last looked up; emptied whenever an
    /// incident closes.
    private let openListed = OpenAddressCache()

    @inline(__always)
    func isOpen(_ key: Key) -> Bool { !open.isEmpty && open[key] != nil }

    /// `isOpen(.blocklisted(address))`, asked on every new flow of a listed host: remembered.
    @inline(__always)
    func isBlocklistedOpen(_ address: IPAddress) -> Bool {
        if openListed.contains(address) { return true }
        guard isOpen(.blocklisted(address)) else { return false }
        openListed.insert(address)
        return true
    }

    /// Whether an incident of this family may open now (checked before an alert is built).
    func mayStart(_ key: Key, time: Double) -> Bool {
        if time - minute >= 60 { return true }
        if opened[key.family] < budget { return true }
        refused[key.family] += 1
        return false
    }

    /// Opens an incident; returns false (and counts it) when its family is over budget.
    func start(_ key: Key, _ alert: Alert, first: Double, time: Double) -> Bool {
        if time - minute >= 60 {
            minute = time
            for i in opened.indices { opened[i] = 0 }
        }
        guard opened[key.family] < budget else {
            refused[key.family] += 1
            return false
        }
        opened[key.family] += 1
        open[key] = Incident(alert: alert, first: first, last: time)
        return true
    }

    /// Changes an open incident where it is stored (its sets are never copied).
    func touch(_ key: Key, time: Double, _ body: (inout Incident) -> Void) {
        guard !open.isEmpty, let i = open.index(forKey: key) else { return }
        if time > open.values[i].last { open.values[i].last = time }
        body(&open.values[i])
    }

    /// Summaries of the incidents quiet since `now - idle` (all of them with `everything`).
    func close(now: Double, everything: Bool = false) -> [Alert] {
        var out: [Alert] = []
        for (key, i) in open where everything || now - i.last >= idle {
            open[key] = nil
            out.append(Self.summary(i))
        }
        if !out.isEmpty { openListed.removeAll() }
        if everything {
            for (family, n) in refused.enumerated() where n > 0 {
                var a = Alert(time: now, signature: Alert.Signature(rawValue: "alerts suppressed"), category: "Alert rate limit", severity: 3,
                              reason: "\(n) more incidents of one kind (\(Self.familyName(family))) were not alerted: more than \(budget) a minute")
                a.event = .summary
                a.details = [Alert.Detail("suppressed", .int(n))]
                out.append(a)
                refused[family] = 0
            }
        }
        // Equal times in text order: the dictionary's order changes from process to process.
        return out.sorted { ($0.time, $0.reason) < ($1.time, $1.reason) }
    }

    static func familyName(_ family: Int) -> String {
        ["port scans", "sweeps", "SYN floods", "block-listed contacts", "watched-port attempts", "invalid TCP flags", "ARP spoofing"][family]
    }

    static func summary(_ i: Incident) -> Alert {
        var a = i.alert
        a.event = .summary
        a.time = i.last
        a.details.removeAll { d in i.latest.contains { $0.key == d.key } || d.key == "first_seen" || d.key == "last_seen" }
        a.details += i.latest
        a.details.append(Alert.Detail("first_seen", .time(i.first)))
        a.details.append(Alert.Detail("last_seen", .time(i.last)))
        if !i.targets.isEmpty { a.details.append(Alert.Detail("targets", .int(i.targets.count))) }
        let targets = i.targets.isEmpty ? "" : "; \(i.targets.count) \(i.targets.count == 1 ? "target" : "targets")"
        let ports = i.items.isEmpty ? "" : ", \(i.items.count) ports"
        a.reason = "ended after \(Self.seconds(i.last - i.first))\(targets)\(ports): " + a.reason
        return a
    }

    static func seconds(_ s: Double) -> String {
        s < 10 ? String(Double(Int(s * 10)) / 10) + " s" : String(Int(s)) + " s"
    }
}
