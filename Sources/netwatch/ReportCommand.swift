import ArgumentParser
import NetwatchCapture
import NetwatchCharts
import NetwatchDecode
import NetwatchEvents
import NetwatchFlow
import NetwatchGeo
import NetwatchHistory
import NetwatchPipeline
import NetwatchReport
import NetwatchView
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// `netwatch report`: one file that shows what happened, from the history database or from a
/// capture read through the road (nothing stored).
struct ReportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report",
        abstract: "Write a report with charts (HTML; or JSON, Markdown) from the history database or a capture.",
        discussion: """
            Examples:
              netwatch report -o today.html             the last 24 h of netwatch.db
              netwatch report --db nw.db --since 7d -o week.html
              netwatch report -r trace.pcap -o t.html   a capture, nothing stored
              netwatch report -r trace.pcap --format json
              netwatch report -i eth0 -o now.html       live, until Ctrl+C
              netwatch report --since 2h --format md --sections summary,alerts
            The HTML is one self-contained file (inline SVG and CSS, no script, nothing fetched): it \
            opens offline and prints to PDF from a browser, a section per page.
            Sections: \(ReportSection.allCases.map(\.rawValue).joined(separator: ", ")).
            """)

    @Option(name: .customLong("sensor"), help: ArgumentHelp("Only this sensor's records (a postgresql:// database; default: the whole fleet).", valueName: "name"))
    var sensor: String?

    @Option(name: .customLong("password-file"), help: ArgumentHelp("The central database's password, the file's first line (else PGPASSWORD, else ~/.pgpass).", valueName: "file"))
    var passwordFile: String?

    @Option(name: .customLong("db"), help: ArgumentHelp("The history database: a SQLite file (default netwatch.db; not with -r) or the central postgresql://user@host/database.", valueName: "file|url"))
    var db: String?

    @Option(name: .customLong("since"), help: ArgumentHelp("From this time: an age (30s, 15m, 2h, 7d) or a date (2026-12-01, 2026-12-01T10:00:00, seconds since the epoch); default 24h.", valueName: "time"))
    var since: HistoryTimeArgument?

    @Option(name: .customLong("until"), help: ArgumentHelp("Up to this time (same forms as --since); default now.", valueName: "time"))
    var until: HistoryTimeArgument?

    @OptionGroup(title: "A capture instead of the database") var capture: CaptureOptions
    @OptionGroup var alerts: AlertOptions
    @OptionGroup(title: "GeoIP (countries and networks of the hosts)") var geo: GeoOptions

    @Flag(name: .customLong("no-detect"), help: "With -r: turn the detectors off.")
    var noDetect = false

    @Option(name: [.short, .customLong("output")], help: ArgumentHelp("Write the report here (default: standard output).", valueName: "file"))
    var output: String?

    @Option(name: .customLong("format"), help: "html, json or md.")
    var format: String = "html"

    @Option(name: .customLong("sections"), help: ArgumentHelp("Which sections, in this order (comma-separated; default all).", valueName: "list"))
    var sections: String?

    @Option(name: .customLong("top"), help: "Lines in every top list (1 to 200).")
    var top = 10

    @Flag(name: .customLong("utc"), help: "Times in UTC (default: local time).")
    var utc = false

    func validate() throws {
        if !["html", "json", "md"].contains(format) { throw ValidationError("--format takes html, json or md") }
        // (Bounded so that a page stays under a megabyte.)
        if top < 1 || top > 200 { throw ValidationError("--top takes 1 to 200") }
        if capture.read != nil && db != nil { throw ValidationError("-r reads a capture and --db a database: give one") }
        if capture.read != nil && (since != nil || until != nil) { throw ValidationError("--since and --until choose a range of the database; a capture's report covers the capture") }
        if capture.write != nil { throw ValidationError("report does not write packets (-w): use capture") }
        _ = try chosenSections()
    }

    func chosenSections() throws -> [ReportSection] {
        guard let sections else { return ReportSection.allCases }
        return try sections.split(separator: ",").map { name in
            let n = name.trimmingCharacters(in: .whitespaces).lowercased()
            guard let s = ReportSection(rawValue: n) else {
                throw ValidationError("--sections: no section '\(n)' (sections: \(ReportSection.allCases.map(\.rawValue).joined(separator: ", ")))")
            }
            return s
        }
    }

    func run() throws {
        let geoDB = geo.geoPath != nil || !geo.mmdbs.isEmpty ? try geo.load(required: true, what: "the report's countries and networks") : nil
        let report: Report
        if capture.read != nil || !capture.interface.isEmpty {
            report = try fromCapture(geo: geoDB)
        } else {
            report = try fromHistory(geo: geoDB)
        }
        let offset = utc ? 0 : Self.localOffset(at: report.since)
        let text = switch format {
        case "json": ReportJSON.render(report)
        case "md": ReportMarkdown(sections: try chosenSections(), offset: offset).render(report)
        default: ReportHTML(sections: try chosenSections(), offset: offset).render(report)
        }
        try save(text)
    }

    func fromHistory(geo: GeoDatabase?) throws -> Report {
        let path = db ?? "netwatch.db"
        let store = try HistoryCommand.open(path, sensor: sensor, passwordFile: passwordFile)
        let now = WallTime.now()
        let u = until.map { $0.seconds(now: now) } ?? now
        let s = since.map { $0.seconds(now: now) } ?? u - 86_400
        guard s < u else {
            diagnostics.error("--since must be before --until")
            throw ExitCode(1)
        }
        do {
            let report = try HistoryReportBuilder(store: store, top: top, geo: geo).build(since: s, until: u)
            if report.summary.packets == 0 && report.summary.flows == 0 && report.alertsTotal == 0 {
                diagnostics.error("no traffic recorded between \(CivilTimeText.local(s)) and \(CivilTimeText.local(u)) in \(store.name)")
                throw ExitCode(1)
            }
            return report
        } catch let error as HistoryError {
            diagnostics.error("\(error.message)")
            throw ExitCode(1)
        }
    }

    func fromCapture(geo: GeoDatabase?) throws -> Report {
        let detection = noDetect ? nil : try alerts.open(palette: Palette(enabled: false), terminal: nil)
        let source = capture.read.map { "capture " + $0 } ?? "live " + capture.interface.joined(separator: ",")
        let collector = CaptureReportCollector(source: source, geo: geo)
        var built: PacketPipeline?
        try PacketPipeline.runCommand {
            let (packetSource, live, offlineFilter) = try capture.openSource()
            let flows = FlowTable(capacity: capture.maxFlows ?? FlowTable.capacity(forMemory: 256 << 20))
            let pipeline = PacketPipeline(source: packetSource, output: OutputBuffer(fd: 2), view: .none, filter: offlineFilter, limit: capture.count,
                                          writerPlan: nil, palette: Palette(enabled: false), flows: flows)
            let services = capture.services()
            pipeline.useServices(services)
            collector.services = services
            if let uids = pipeline.flowOutputs.records?.uids { collector.uids = uids }
            pipeline.statisticsPlan.live = live != nil
            // The report sums flows and seconds itself: the statistics' top lists are not needed.
            pipeline.statisticsPlan.enabled = false
            pipeline.statisticsPlan.final = false
            pipeline.statisticsPlan.interval = 0
            pipeline.alertsOnly = true
            pipeline.add(collector)
            pipeline.runInfo = HistoryOptions.runInfo(command: "report", capture: capture, live: live)
            if let detection { pipeline.useDetector(config: detection.config, blocklist: detection.blocklist, writer: detection.writer) }
            built = pipeline
            return pipeline
        }
        guard var report = collector.report(top: top) else {
            diagnostics.error("no packets in \(capture.read ?? "the capture"): nothing to report")
            throw ExitCode(1)
        }
        report.summary.malformed = built?.counters.malformed
        return report
    }

    /// Writes `text` to the output file through a temporary one renamed into place, so a
    /// failed run leaves no partial report; or to standard output.
    func save(_ text: String) throws {
        guard let output else {
            let out = OutputBuffer(fd: 1)
            out.string(text)
            out.flush()
            return
        }
        let temporary = output + ".partial-\(getpid())"
        let fd = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard fd >= 0 else {
            diagnostics.error("cannot write \(output): \(String(cString: strerror(errno)))")
            throw ExitCode(1)
        }
        var ok = true
        var bytes = Array(text.utf8)
        var offset = 0
        while offset < bytes.count {
            let n = bytes.withUnsafeMutableBytes { Glibc.write(fd, $0.baseAddress! + offset, $0.count - offset) }
            if n <= 0 { ok = false; break }
            offset += n
        }
        bytes = []
        if close(fd) != 0 { ok = false }
        if !ok || rename(temporary, output) != 0 {
            let reason = String(cString: strerror(errno))
            unlink(temporary)
            diagnostics.error("cannot write \(output): \(reason)")
            throw ExitCode(1)
        }
    }

    /// The local zone's distance from UTC at `t`, seconds.
    static func localOffset(at t: Double) -> Int64 {
        var seconds = time_t(t)
        var parts = tm()
        guard localtime_r(&seconds, &parts) != nil else { return 0 }
        return Int64(parts.tm_gmtoff)
    }
}

/// A time for a message: local date and time.
enum CivilTimeText {
    static func local(_ t: Double) -> String {
        CivilTime(Int64(t.rounded(.down)), offset: ReportCommand.localOffset(at: t)).text
    }
}
