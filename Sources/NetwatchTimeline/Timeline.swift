import NetwatchDecode

/// Per remote address, what happened in each time unit of the run: the model behind the
/// dashboard, the event log and the export. Sources (the socket table, the flow table) report
/// connections opening, becoming established, closing; time units in which a host has an
/// open connection are filled in as they pass.
public final class Timeline {
    public let interval: Double
    public private(set) var start: Double?
    public private(set) var now: Double = 0
    public private(set) var hosts: [TimelineHost] = []
    private var index: [IPAddress: Int] = [:]
    /// Hosts with an open connection, whose passing time units are filled in.
    private var openHosts: Set<Int> = []
    private var filledUntil = -1
    public let maxHosts: Int
    public var filter: AddressFilter
    /// Addresses hidden by the filters.
    public private(set) var hiddenAddresses: Set<IPAddress> = []
    /// Distinct addresses that found the table full (at most 100,000 remembered).
    public private(set) var droppedAddresses = 0
    private var dropped: Set<IPAddress> = []
    public private(set) var connectionsOpened = 0
    public private(set) var connectionsClosed = 0
    /// Events since the last `takeEvents()`, kept only when `keepsEvents`.
    public var keepsEvents = false
    private var events: [TimelineEvent] = []
    /// Called with the index of each host as it is first seen (names, GeoIP).
    public var onNewHost: ((Int) -> Void)?
    /// Called when hosts aged out and the rows moved: the new index of each old one (nil: gone).
    public var onRemap: (([Int?]) -> Void)?
    /// A host with nothing open, unseen this long (seconds), may give its row to a newcomer
    /// once the table is full: a long run keeps showing the hosts that appear late.
    public var idleAge: Double = 600
    /// Hosts that gave their row to newer ones.
    public private(set) var agedOut = 0
    /// Packet time of the last look for hosts to age out (at most one a time unit).
    private var lastAgeOut = -Double.infinity

    public init(interval: Double, start: Double? = nil, filter: AddressFilter = AddressFilter(), maxHosts: Int = 10_000) {
        self.interval = interval
        self.start = start
        self.filter = filter
        self.maxHosts = maxHosts
        if let start { now = start }
    }

    /// The time unit `time` falls in (0 is the first).
    public func slot(_ time: Double) -> Int {
        guard let start else { return 0 }
        return max(0, Int(((time - start) / interval).rounded(.down)))
    }

    public var currentSlot: Int { slot(now) }

    /// Seconds from the start to now.
    public var elapsed: Double { start.map { now - $0 } ?? 0 }

    /// Where `address` is in `hosts`, if it has a row.
    public func hostIndex(_ address: IPAddress) -> Int? { index[Self.normal(address)] }

    public func takeEvents() -> [TimelineEvent] {
        defer { events.removeAll(keepingCapacity: true) }
        return events
    }

    /// IPv4-mapped IPv6 addresses (dual-stack sockets) are their IPv4 address.
    static func normal(_ a: IPAddress) -> IPAddress { a.unmappedIPv4 ?? a }

    private func host(_ address: IPAddress, _ time: Double) -> Int? {
        if let i = index[address] { return i }
        if hiddenAddresses.contains(address) { return nil }
        if filter.hides(address) {
            if hiddenAddresses.count < 100_000 { hiddenAddresses.insert(address) }
            return nil
        }
        if hosts.count >= maxHosts { ageOut(time) }
        if hosts.count >= maxHosts {
            // No row free now; asked again when it shows up again (rows age out).
            if dropped.count < 100_000 && dropped.insert(address).inserted { droppedAddresses += 1 }
            return nil
        }
        hosts.append(TimelineHost(address: address, time: time, slot: slot(time)))
        index[address] = hosts.count - 1
        onNewHost?(hosts.count - 1)
        return hosts.count - 1
    }

    /// Frees the rows of the hosts idle past `idleAge` (nothing open), the longest idle first,
    /// up to an eighth of the table at a time, so that a table full of old hosts admits new
    /// ones; the rows that stay move up (`onRemap`).
    private func ageOut(_ time: Double) {
        guard time - lastAgeOut >= interval else { return }
        lastAgeOut = time
        let idle = hosts.indices.filter { hosts[$0].open == 0 && time - hosts[$0].lastSeen >= idleAge }
        guard !idle.isEmpty else { return }
        let gone = Set(idle.sorted { hosts[$0].lastSeen < hosts[$1].lastSeen }.prefix(max(1, maxHosts / 8)))
        var mapping = [Int?](repeating: nil, count: hosts.count)
        var kept: [TimelineHost] = []
        kept.reserveCapacity(hosts.count - gone.count)
        for (i, h) in hosts.enumerated() where !gone.contains(i) {
            mapping[i] = kept.count
            kept.append(h)
        }
        for i in gone { index[hosts[i].address] = nil }
        hosts = kept
        for (address, i) in index { index[address] = mapping[i] }
        openHosts = Set(openHosts.compactMap { mapping[$0] })
        agedOut += gone.count
        onRemap?(mapping)
    }

    private func begin(_ time: Double) {
        if start == nil {
            start = time
            now = time
        }
        advance(to: time)
    }

    /// A connection to or from `address` opened; `halfOpen` while it is not answered yet.
    /// A `lasting` connection (TCP, a socket) counts as open, its host active in every time
    /// unit, until it closes; a datagram flow marks only the units with packets.
    public func opened(_ address: IPAddress, port: UInt16, state: String, halfOpen: Bool, lasting: Bool = true, time: Double) {
        begin(time)
        let a = Self.normal(address)
        guard let i = host(a, time) else { return }
        connectionsOpened += 1
        let s = slot(time)
        hosts[i].set(.new, at: s)
        hosts[i].connections += 1
        hosts[i].lastSeen = max(hosts[i].lastSeen, time)
        hosts[i].add(port: port)
        if lasting {
            hosts[i].open += 1
            if halfOpen { hosts[i].halfOpen += 1 }
            openHosts.insert(i)
        }
        if keepsEvents { events.append(TimelineEvent(time: time, kind: .new, address: a, port: port, state: state)) }
    }

    /// A connection that was not answered is now established.
    public func established(_ address: IPAddress, time: Double) {
        begin(time)
        guard let i = index[Self.normal(address)] else { return }
        if hosts[i].halfOpen > 0 { hosts[i].halfOpen -= 1 }
        hosts[i].set(.active, at: slot(time))
        hosts[i].lastSeen = max(hosts[i].lastSeen, time)
    }

    /// Traffic on a connection (packets, or a scan that found it still there).
    public func activity(_ address: IPAddress, time: Double) {
        begin(time)
        guard let i = index[Self.normal(address)] else { return }
        hosts[i].set(hosts[i].open > 0 && hosts[i].halfOpen == hosts[i].open ? .listening : .active, at: slot(time))
        hosts[i].lastActivity = max(hosts[i].lastActivity, time)
        hosts[i].lastSeen = max(hosts[i].lastSeen, time)
    }

    /// A lasting connection closed (or began closing: FIN, RST, TIME_WAIT, gone from the table).
    public func closed(_ address: IPAddress, port: UInt16, wasHalfOpen: Bool, time: Double) {
        begin(time)
        let a = Self.normal(address)
        guard let i = index[a], hosts[i].open > 0 else { return }
        connectionsClosed += 1
        hosts[i].set(.closed, at: slot(time))
        if hosts[i].open > 0 { hosts[i].open -= 1 }
        if wasHalfOpen && hosts[i].halfOpen > 0 { hosts[i].halfOpen -= 1 }
        hosts[i].lastSeen = max(hosts[i].lastSeen, time)
        if hosts[i].open == 0 { openHosts.remove(i) }
        if keepsEvents { events.append(TimelineEvent(time: time, kind: .closed, address: a, port: port, state: "CLOSED")) }
    }

    /// Moves the clock on; hosts with an open connection are marked active (or listening, when
    /// nothing of theirs is answered) in every time unit that passed.
    public func advance(to time: Double) {
        if start == nil {
            start = time
            now = time
        }
        if time > now { now = time }
        let current = currentSlot
        guard current > filledUntil else { return }
        let from = max(filledUntil + 1, 0)
        for i in openHosts {
            let m: TimelineMark = hosts[i].halfOpen == hosts[i].open ? .listening : .active
            for s in max(from, hosts[i].firstSlot)...current { hosts[i].set(m, at: s) }
            // Connected until now: last seen now, as its marks say (the export's "Last seen"
            // and "Time active" agree).
            hosts[i].lastSeen = max(hosts[i].lastSeen, now)
        }
        filledUntil = current
    }

    /// Hosts ordered for the dashboard: most marked time units in the last `window` units
    /// first, then the most recently seen.
    public func ranked(window: Int) -> [Int] {
        let end = currentSlot + 1
        let slots = max(0, end - window)..<end
        let scores = hosts.map { $0.marked(in: slots) }
        return hosts.indices.sorted { a, b in
            if scores[a] != scores[b] { return scores[a] > scores[b] }
            if hosts[a].lastSeen != hosts[b].lastSeen { return hosts[a].lastSeen > hosts[b].lastSeen }
            return hosts[a].address < hosts[b].address
        }
    }

    /// Open connections, or datagrams within the last ten time units (at least ten seconds).
    public func isActive(_ h: TimelineHost) -> Bool {
        h.open > 0 || now - max(h.lastActivity, h.firstSeen) < max(10, 10 * interval)
    }

    /// Time units the run has covered so far.
    public var slotCount: Int { start == nil ? 0 : currentSlot + 1 }
}
