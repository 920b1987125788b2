import ArgumentParser
import NetwatchCapture
import NetwatchPipeline
import NetwatchHistory
import NetwatchEvents
import NetwatchDecode
import NetwatchDetect
import NetwatchFlow
import NetwatchGeo
import NetwatchHost
import NetwatchTimeline
import NetwatchView
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// `netwatch timeline`: per remote address, when this host talked to it, as a dashboard that
/// redraws in place or as a scrolling event log.
struct TimelineCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "timeline",
        abstract: "Show each remote IP's connection activity over time, with names, countries and networks.",
        discussion: """
            One row per remote IP, one column per time unit: ▲ new connection, ■ active, ○ unanswered \
            (a SYN not answered yet), × closed, · nothing. Most active rows first. \
            The source is the host's socket table (no privileges needed), or packets with -i / -r \
            (through the flow table). --scroll prints events instead: one line per connection opened or \
            closed and a status line every 10 s.
            Examples:
              netwatch timeline
              netwatch timeline -t 5 -w 120 --filter-local --resolve-names
              netwatch timeline --lookup-country --lookup-asn --geo-path /usr/share/dbip
              netwatch timeline -r trace.pcap --scroll
              netwatch timeline --save-threshold 50 -o timeline.txt
            """)

    @Option(name: [.customShort("t"), .customLong("interval")], help: ArgumentHelp("Seconds per column.", valueName: "seconds"))
    var interval: Double = 1.0

    @Option(name: [.customShort("w"), .customLong("width")], help: ArgumentHelp("Columns of history per row.", valueName: "chars"))
    var width: Int = 80

    @Flag(help: "An event log that scrolls, instead of the dashboard.") var scroll = false

    @Option(name: [.short, .customLong("interface")], help: "Watch packets on this interface (repeatable, 'any' for all) instead of the socket table.")
    var interface: [String] = []

    @Option(name: [.short, .customLong("read")], help: ArgumentHelp("Replay a pcap or pcapng file (by packet time) instead of the socket table.", valueName: "file"))
    var read: String?

    @Flag(name: .customLong("resolve-names"), help: "Show reverse DNS names (looked up in the background, cached).")
    var resolveNames = false

    @Flag(name: .customLong("lookup-country"), help: "Show each IP's country (DB-IP Lite CSV or .mmdb).")
    var lookupCountry = false

    @Flag(name: .customLong("lookup-asn"), help: "Show each IP's autonomous system and organisation.")
    var lookupASN = false

    @OptionGroup var geo: GeoOptions

    @OptionGroup var historyOptions: HistoryOptions
    @OptionGroup var sensor: SensorOption
    @OptionGroup var logging: LoggingOptions

    @Flag(name: .customLong("filter-local"), help: "Hide private, loopback, link-local, CGNAT, unique-local, multicast and reserved addresses.")
    var filterLocal = false

    @Option(name: .customLong("filter-file"), help: ArgumentHelp("Hide the IPs and CIDRs listed in this file (# comments); repeatable.", valueName: "file"))
    var filterFiles: [String] = []

    @Option(name: .customLong("save-threshold"), help: ArgumentHelp("On exit, write the IPs connected at least PCT% of the run to frequent_ips_<PCT>pct_<YYYYMMDD_HHMMSS>.txt.", valueName: "pct"))
    var saveThreshold: Double?

    @Option(name: [.short, .customLong("output")], help: ArgumentHelp("On exit, save the whole timeline, per-IP statistics, the 10 most active and a summary to this file.", valueName: "file"))
    var output: String?

    @Option(help: ArgumentHelp("Stop after this many seconds.", valueName: "seconds"))
    var duration: Double?

    @Flag(name: .customLong("no-color"), help: "No colours (also when NO_COLOR is set).")
    var noColor = false

    @Argument(help: ArgumentHelp("With -i or -r: a BPF filter expression.", valueName: "expression"))
    var expression: [String] = []

    @Option(name: .customLong("bench-rows"), help: ArgumentHelp("Draw a synthetic dashboard of N busy IPs to /dev/null and report CPU use (benchmark).", visibility: .hidden))
    var benchRows: Int?

    func validate() throws {
        if !(interval > 0) { throw ValidationError("-t takes a number of seconds above 0") }
        if width < 5 || width > 100_000 { throw ValidationError("-w takes 5 to 100000 columns") }
        if let p = saveThreshold, !(p > 0 && p <= 100) { throw ValidationError("--save-threshold takes a percentage above 0, at most 100") }
        if read != nil && !interface.isEmpty { throw ValidationError("use either -r or -i, not both") }
        if !expression.isEmpty && read == nil && interface.isEmpty { throw ValidationError("a filter expression needs -i or -r (the socket table is not filtered by BPF)") }
        if let d = duration, !(d > 0) { throw ValidationError("--duration takes a number of seconds above 0") }
    }

    func run() throws {
        let environment = Environment.variables()
        let terminal = isatty(1) == 1
        let colour = Palette.wanted(noColorFlag: noColor, isTerminal: terminal, environment: environment)
        // Everything that can fail on bad input comes first, before the screen is taken over.
        var filter = AddressFilter(hideLocal: filterLocal)
        for path in filterFiles {
            do { try filter.lists.load(path: path) } catch {
                diagnostics.error("\(error.message)")
                throw ExitCode(1)
            }
        }
        for problem in filter.lists.problems { diagnostics.warning("\(problem) (skipped)") }
        // Ctrl+C from here on stops cleanly, also while the GeoIP databases load (seconds
        // for a full country CSV in a debug build).
        StopSignal.install()
        var db = GeoDatabase()
        var geoSeconds: Double?
        if lookupCountry || lookupASN {
            let t0 = MonotonicClock.seconds()
            db = try geo.load(required: true, what: "--lookup-country / --lookup-asn")
            geoSeconds = MonotonicClock.seconds() - t0
            if lookupCountry && !db.hasCountry { diagnostics.warning("no country database loaded; countries show as ??") }
            if lookupASN && !db.hasASN { diagnostics.warning("no ASN database loaded; networks show as AS?") }
        }
        let view = TimelineView(colour: colour, width: width, showCountry: lookupCountry, showASN: lookupASN)
        if let n = benchRows {
            // Coloured, as on a terminal: the escapes are part of the cost.
            return bench(rows: n, view: TimelineView(colour: true, width: width, showCountry: lookupCountry, showASN: lookupASN), db: db)
        }

        // Opened before the screen is taken over: a bad file is one sentence and exit 1.
        let store = try historyOptions.open(config: nil)

        let timeline = Timeline(interval: interval, filter: filter)
        timeline.keepsEvents = scroll
        let session = TimelineSession(timeline: timeline, view: view, db: db, resolver: resolveNames ? ReverseResolver() : nil,
                                      scroll: scroll, terminal: terminal, out: OutputBuffer(fd: 1))
        timeline.onNewHost = { [unowned session] i in session.annotate(i) }
        timeline.onRemap = { [unowned session] mapping in session.remap(mapping) }
        let started = WallTime.now()
        let source: String
        if read == nil && interface.isEmpty {
            source = "socket table"
            try session.begin(source: source)
            try watchSockets(session, store: store)
        } else {
            source = read.map { "packets from \($0)" } ?? "packets on \(interface.joined(separator: ", "))"
            try session.begin(source: source)
            try watchPackets(session, store: store)
        }
        session.end()
        let ended = read == nil ? WallTime.now() : (timeline.start ?? started) + timeline.elapsed
        let runStart = read == nil ? started : timeline.start ?? started
        try saveFiles(session, run: TimelineExport.Run(
            started: runStart, ended: ended, source: source,
            filters: (filterLocal ? ["--filter-local"] : []) + filterFiles.map { "--filter-file \($0)" },
            geoFiles: db.tables.flatMap(\.files) + db.mmdbs.map(\.path), geoLoadSeconds: geoSeconds,
            namesResolved: session.resolver?.resolved))
    }

    private func watchSockets(_ session: TimelineSession, store: HistoryTarget?) throws {
        let source = defaultSocketSource()
        var feed = SocketTimelineFeed()
        // --history: the scans' opened and closed connections, a run of their own.
        let history = try store.map { SocketHistory(try historyOptions.writer($0, config: nil, live: true, sensor: sensor), command: "timeline") }
        defer { history?.finish() }
        var changes = SocketWatch(blocklist: Blocklist(), connectionLimit: Int.max)
        let stopAt = duration.map { MonotonicClock.seconds() + $0 }
        // Scans at least every time unit (and every second for long units), so short
        // connections are seen; the screen is redrawn at most ten times a second.
        let scanEvery = min(interval, 1.0)
        while !StopSignal.requested {
            let started = MonotonicClock.seconds()
            if let stopAt, started >= stopAt { break }
            do {
                let sockets = try source.scan()
                let now = WallTime.now()
                feed.scan(sockets, time: now, into: session.timeline)
                if let history { history.record(changes.scan(sockets, time: now), time: now) }
            } catch {
                session.end()
                diagnostics.error("\(error.message)")
                throw ExitCode(1)
            }
            session.draw(now: WallTime.now())
            let until = started + scanEvery
            while !StopSignal.requested && MonotonicClock.seconds() < until {
                if let stopAt, MonotonicClock.seconds() >= stopAt { break }
                usleep(20_000)
                session.redrawIfResized(now: WallTime.now())
            }
        }
    }

    private func watchPackets(_ session: TimelineSession, store: HistoryTarget?) throws {
        var arguments: [String] = []
        if let read { arguments += ["-r", read] }
        for i in interface { arguments += ["-i", i] }
        let capture = try CaptureOptions.parse(arguments + (expression.isEmpty ? [] : ["--"] + expression))
        let stopAt = duration.map { MonotonicClock.seconds() + $0 }
        try PacketPipeline.runCommand {
            let (source, live, offlineFilter) = try capture.openSource()
            var local: Set<IPAddress> = []
            if live != nil { for i in (try? NetworkInterface.all()) ?? [] { for a in i.addresses { if let ip = IPAddress(a) { local.insert(ip) } } } }
            let feed = FlowTimelineFeed(timeline: session.timeline, localAddresses: local)
            var outputs = PacketPipeline.FlowOutputs()
            outputs.timeline = feed
            let table = FlowTable(capacity: capture.maxFlows ?? FlowTable.capacity(forMemory: 256 << 20))
            let pipeline = PacketPipeline(
                source: source, output: OutputBuffer(fd: -1), view: .none, filter: offlineFilter, limit: nil,
                writerPlan: nil, palette: Palette(enabled: false), flows: table, flowOutputs: outputs)
            pipeline.statisticsPlan.enabled = false
            pipeline.statisticsPlan.final = false
            pipeline.statisticsPlan.live = live != nil
            // Service names for the conn records, as the other commands name them.
            pipeline.useServices(capture.services())
            try historyOptions.attach(store, config: nil, geo: session.db, sensor: sensor, to: pipeline, command: "timeline", capture: capture, live: live)
            let isLive = live != nil
            pipeline.onTick = {
                if isLive {
                    session.timeline.advance(to: WallTime.now())
                    session.draw(now: WallTime.now())
                } else {
                    session.drainEvents()
                }
                if let stopAt, MonotonicClock.seconds() >= stopAt { StopSignal.request() }
            }
            return pipeline
        }
        if read != nil, let start = session.timeline.start { session.timeline.advance(to: start + session.timeline.elapsed) }
    }

    private func saveFiles(_ session: TimelineSession, run: TimelineExport.Run) throws {
        let t = session.timeline
        var failed = false
        if let pct = saveThreshold {
            let pctText = pct == pct.rounded() ? String(Int(pct)) : String(pct)
            let name = "frequent_ips_\(pctText)pct_\(WallTime.fileStamp(WallTime.now())).txt"
            let total = max(1, t.slotCount)
            let frequent = t.hosts.filter { Double($0.markedSlots) * 100 >= pct * Double(total) }.sorted { $0.markedSlots > $1.markedSlots }
            var text = "# netwatch timeline: IPs connected at least \(pctText)% of the run\n"
            text += "# run: \(WallTime.readable(run.started)) to \(WallTime.readable(run.ended)), \(total) columns of \(TimelineView.interval(t.interval)), source: \(run.source)\n"
            text += "# usable as: netwatch timeline --filter-file \(name)\n"
            for h in frequent { text += "\(h.address)\n" }
            if writeFile(name, text) {
                diagnostics.notice("\(frequent.count) IPs connected at least \(pctText)% of the run written to \(name)")
            } else { failed = true }
        }
        var path = output
        if path == nil && !scroll && isatty(0) == 1 && isatty(1) == 1 && !t.hosts.isEmpty {
            path = askForFile()
        }
        if let path {
            if writeFile(path, TimelineExport.text(t, view: session.view, run: run, labels: session.labels)) {
                diagnostics.notice("timeline of \(t.hosts.count) IPs saved to \(path)")
            } else { failed = true }
        }
        if failed { throw ExitCode(1) }
    }

    private func askForFile() -> String? {
        let suggested = "timeline_\(WallTime.fileStamp(WallTime.now())).txt"
        var prompt = "Save the timeline to a file? [y/N] "
        prompt.withUTF8 { _ = write(1, $0.baseAddress, $0.count) }
        guard let answer = readLine(), answer.lowercased().hasPrefix("y") else { return nil }
        prompt = "File name [\(suggested)]: "
        prompt.withUTF8 { _ = write(1, $0.baseAddress, $0.count) }
        let name = String((readLine() ?? "").filter { $0 != " " && $0 != "\t" })
        return name.isEmpty ? suggested : name
    }

    private func writeFile(_ path: String, _ text: String) -> Bool {
        do throws(CaptureError) {
            let out = try openOutput(path)
            out.string(text)
            out.flush()
            return true
        } catch {
            diagnostics.error("\(error.message)")
            return false
        }
    }

    /// The dashboard's own cost: N hosts, each with a connection that opens, stays and closes,
    /// drawn once per time unit for --duration seconds (default 10) on a screen tall enough for
    /// every row, to /dev/null.
    /// User plus system CPU time of this process so far.
    private func cpuSeconds() -> Double {
        var usage = rusage()
        #if canImport(Glibc)
        getrusage(__rusage_who_t(RUSAGE_SELF.rawValue), &usage)
        #else
        getrusage(RUSAGE_SELF, &usage)
        #endif
        return Double(usage.ru_utime.tv_sec) + Double(usage.ru_utime.tv_usec) / 1e6 + Double(usage.ru_stime.tv_sec) + Double(usage.ru_stime.tv_usec) / 1e6
    }

    private func bench(rows: Int, view: TimelineView, db: GeoDatabase) {
        let timeline = Timeline(interval: interval, maxHosts: rows + 1)
        let session = TimelineSession(timeline: timeline, view: view, db: db, resolver: nil, scroll: false, terminal: true,
                                      out: OutputBuffer(fd: open("/dev/null", O_WRONLY)))
        session.screenOverride = (columns: 250, rows: rows + 5)
        timeline.onNewHost = { [unowned session] i in session.annotate(i) }
        timeline.onRemap = { [unowned session] mapping in session.remap(mapping) }
        let seconds = duration ?? 10
        let cpu0 = cpuSeconds()
        let wall0 = MonotonicClock.seconds()
        var frames = 0
        var tick = 0
        while MonotonicClock.seconds() - wall0 < seconds {
            let now = WallTime.now()
            for r in 0..<rows {
                let address = IPAddress(ipv4: 0x0B00_0000 | UInt32(r))  // 11.0.0.0/8, made up
                switch (r + tick) % 7 {
                case 0: timeline.opened(address, port: UInt16(443 + r % 5), state: "ESTABLISHED", halfOpen: false, time: now)
                case 5: timeline.closed(address, port: UInt16(443 + r % 5), wasHalfOpen: false, time: now)
                default: timeline.activity(address, time: now)
                }
            }
            session.draw(now: now)
            frames += 1
            tick += 1
            let next = wall0 + Double(tick) * interval
            while MonotonicClock.seconds() < next { usleep(5_000) }
        }
        let cpu1 = cpuSeconds()
        let wall = MonotonicClock.seconds() - wall0
        print("dashboard: \(rows) rows, \(frames) frames in \(Int(wall)) s, CPU \(String(Int((cpu1 - cpu0) / wall * 1000) / 10)).\(Int((cpu1 - cpu0) / wall * 1000) % 10)% of one core (updating the model and drawing)")
    }
}
