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
        /// When the alert was raised: an incident whose `last` is no later closes without a summary.
        var raised: Double
        var targets = Set<IPAddress>()
        var items = Set<UInt32>()
        /// Connections the source started towards a watched port, the alerted one included.
        var attempts = 1
        /// The detector's latest figures, for the summary.
        var latest: [Alert.Detail] = []
    }

    var idle: Double
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
        open[key] = Incident(alert: alert, first: first, last: time, raised: time)
        return true
    }

    /// Changes an open incident where it is stored (its sets are never copied).
    func touch(_ key: Key, time: Double, _ body: (inout Incident) -> Void) {
        guard !open.isEmpty, let i = open.index(forKey: key) else { return }
        if time > open.values[i].last { open.values[i].last = time }
        body(&open.values[i])
    }

    /// Summaries of the incidents quiet since `now - idle` (all of them with `everything`). An
    /// incident that did not go on past its alert (a one-off contact, a scan that stopped at
    /// the threshold) closes without one: its alert said it all.
    func close(now: Double, everything: Bool = false) -> [Alert] {
        var out: [Alert] = []
        var closed = false
        for (key, i) in open where everything || now - i.last >= idle {
            open[key] = nil
            closed = true
            if i.last > i.raised { out.append(Self.summary(key, i)) }
        }
        if closed { openListed.removeAll() }
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

    /// The incident's summary: its totals, in text and JSON alike. Figures that held only when
    /// the alert was raised (ports failed so far, hosts failed) are left out.
    static func summary(_ key: Key, _ i: Incident) -> Alert {
        var a = i.alert
        a.event = .summary
        a.time = i.last
        let stale: Set<String> = ["first_seen", "last_seen", "ports_failed", "ports_open", "hosts_failed"]
        a.details.removeAll { d in i.latest.contains { $0.key == d.key } || stale.contains(d.key) }
        a.details += i.latest
        a.details.append(Alert.Detail("first_seen", .time(i.first)))
        a.details.append(Alert.Detail("last_seen", .time(i.last)))
        if !i.targets.isEmpty && a.details.allSatisfy({ $0.key != "hosts" }) { a.details.append(Alert.Detail("targets", .int(i.targets.count))) }
        if case .suspicious = key { a.details.append(Alert.Detail("attempts", .int(i.attempts))) }
        a.reason = "ended after \(Self.seconds(i.last - i.first)): " + totals(key, i, a)
        return a
    }

    /// What the whole incident came to, in words.
    static func totals(_ key: Key, _ i: Incident, _ a: Alert) -> String {
        func int(_ name: String) -> Int? {
            for d in a.details where d.key == name { if case .int(let v) = d.value { return v } }
            return nil
        }
        func text(_ name: String) -> String? {
            for d in a.details where d.key == name { if case .text(let v) = d.value { return v } }
            return nil
        }
        func plural(_ n: Int, _ one: String, _ many: String) -> String { "\(n) \(n == 1 ? one : many)" }
        let span = seconds(i.last - i.first)
        switch key {
        case .scan(let source):
            let ports = int("ports_probed") ?? i.items.count
            let hosts = max(i.targets.count, 1)
            return "\(source) probed \(plural(ports, "port", "ports")) on \(plural(hosts, "host", "hosts")) in \(span): \(text("scan_type") ?? "port") scan"
        case .sweep(let source):
            let hosts = int("hosts") ?? i.targets.count
            switch text("method") {
            case "ARP": return "\(source) asked ARP who-has for \(plural(hosts, "address", "addresses")) in \(span)"
            case "ICMP echo": return "\(source) sent ICMP echo requests to \(plural(hosts, "host", "hosts")) in \(span)"
            default:
                let port = a.destinationPort.map { " port \($0)/\(a.transport ?? "")" } ?? ""
                return "\(source) probed\(port) on \(plural(hosts, "host", "hosts")) in \(span)"
            }
        case .flood(let victim):
            let syns = int("syns") ?? 0
            let port = a.destinationPort.map { " port \($0)" } ?? ""
            let sources = int("distinct_sources") ?? 0
            let from = a.sourceAddress.map { "from \($0)" } ?? "from about \(plural(sources, "source", "sources"))"
            return "SYN flood on \(victim)\(port): \(syns) SYNs (at most \(int("syn_rate") ?? 0)/s) \(from), \(int("completed") ?? 0) of \(syns) completed a handshake"
        case .suspicious:
            return a.reason + " (\(plural(max(i.targets.count, 1), "target", "targets")), \(plural(i.attempts, "attempt", "attempts")))"
        default:
            let more = i.items.isEmpty ? "" : ", \(plural(i.items.count, "port", "ports"))"
            let targets = i.targets.isEmpty ? "" : " (\(plural(i.targets.count, "target", "targets"))\(more))"
            return a.reason + targets
        }
    }

    static func seconds(_ s: Double) -> String {
        s < 10 ? String(Double(Int(s * 10)) / 10) + " s" : String(Int(s)) + " s"
    }
}
