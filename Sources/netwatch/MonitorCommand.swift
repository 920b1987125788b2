import ArgumentParser
import Foundation
import NetwatchCapture
import NetwatchCentral
import NetwatchDetect
import NetwatchEvents
import NetwatchFlow
import NetwatchHistory
import NetwatchHost
import NetwatchPipeline
import NetwatchView
import NetwatchWeb

/// `netwatch monitor`: the always-on mode. Live capture (or a capture replayed at its own
/// pace), detection, history and the web dashboard in one process.
struct MonitorCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "monitor",
        abstract: "Capture, detect, record history and serve the live web dashboard, JSON API and /metrics.",
        discussion: """
            Examples:
              netwatch monitor -i eth0                    dashboard at http://127.0.0.1:9752/
              netwatch monitor -r trace.pcap              replay a capture at its own pace (a demo)
              netwatch monitor -r trace.pcap --speed 0    as fast as it reads
              netwatch monitor -i eth0 --listen 0.0.0.0:9752 --web-token-file /etc/netwatch/token
            History goes to netwatch.db in the working directory unless --history or the config's \
            outputs: history: names another. A line per new connection goes to standard output \
            (-q for none), alerts to standard error. Ctrl+C stops (after a replay, the dashboard \
            stays up until then).
            """)

    @OptionGroup var capture: CaptureOptions
    @OptionGroup var alerts: AlertOptions
    @OptionGroup var historyOptions: HistoryOptions
    @OptionGroup(title: "GeoIP (countries and networks of the hosts)") var geo: GeoOptions
    @OptionGroup(title: "Web dashboard") var web: WebOptions
    @OptionGroup var sensor: SensorOption
    @OptionGroup(title: "Flow export") var export: ExportOptions
    @OptionGroup(title: "Running as a service") var privileges: PrivilegeOptions
    @OptionGroup var logging: LoggingOptions

    @Flag(name: .customLong("no-detect"), help: "Turn the detectors off.")
    var noDetect = false

    @Flag(name: [.short, .customLong("quiet")], help: "No line per connection on standard output.")
    var quiet = false

    @Flag(name: .customLong("no-color"), help: "No colours.")
    var noColor = false

    @Option(name: .customLong("speed"), help: ArgumentHelp("With -r: replay this many times faster than captured; 0 for as fast as it reads.", valueName: "factor"))
    var speed: Double = 1

    func validate() throws {
        if speed < 0 || !speed.isFinite { throw ValidationError("--speed takes 0 or more") }
        if capture.write != nil { throw ValidationError("monitor does not write packets (-w): use capture") }
    }

    func run() throws {
        let palette = Palette(enabled: Palette.wanted(noColorFlag: noColor, isTerminal: isatty(2) == 1, environment: Environment.variables()))
        let detection = noDetect ? nil : try alerts.open(palette: palette, terminal: OutputBuffer(fd: 2))
        try ServiceSetup.dropFirst(capture, processNames: capture.read == nil && !capture.noProcesses)
        var options = historyOptions
        if options.history == nil && detection?.config.history == nil { options.history = "netwatch.db" }
        if (options.history ?? detection?.config.history).map(CentralURL.isCentral) == true {
            diagnostics.error("monitor's dashboard reads a local SQLite history, not a postgresql:// one; send a sensor's records to the central database with capture or connections --history")
            throw ExitCode(2)
        }
        guard case .file(let store) = try options.open(config: detection?.config) else { return }
        let geoDB = geo.geoPath != nil || !geo.mmdbs.isEmpty ? try geo.load(required: true, what: "the dashboard's countries and networks") : nil
        let webConfiguration = try web.configuration(sensor: sensor, config: detection?.config)
        let reader: HistoryStore
        do {
            reader = try HistoryStore.openForReading(store.path)
        } catch {
            diagnostics.error("\(error.message)")
            throw ExitCode(1)
        }
        var server: WebServer?
        defer { server?.stop() }
        try PacketPipeline.runCommand(keepsRunning: capture.read != nil) {
            var (source, live, offlineFilter) = try capture.openSource()
            if live == nil && speed > 0 { source = PacedSource(source, speed: speed) }
            let output = OutputBuffer(fd: 1)
            let services = capture.services()
            var outputs = PacketPipeline.FlowOutputs()
            let processes = live != nil && !capture.noProcesses ? ProcessDirectory() : nil
            if !quiet {
                let p = Palette(enabled: Palette.wanted(noColorFlag: noColor, isTerminal: isatty(1) == 1, environment: Environment.variables()))
                outputs.view = ConnectionView(output: output, palette: p, services: services, processes: processes)
            }
            let table = FlowTable(capacity: capture.maxFlows ?? FlowTable.capacity(forMemory: 256 << 20))
            let pipeline = PacketPipeline(source: source, output: output, view: .none, filter: offlineFilter, limit: capture.count,
                                          writerPlan: nil, palette: palette, flows: table, flowOutputs: outputs)
            pipeline.useServices(services)
            pipeline.processes = processes
            pipeline.statisticsPlan.live = live != nil
            pipeline.statisticsPlan.interval = 0
            let liveState = LiveState(interfaceNames: source.interfaceNames.isEmpty ? ["capture"] : source.interfaceNames)
            pipeline.add(liveState)
            let writer = options.writer(store, config: detection?.config, live: live != nil, geo: geoDB)
            pipeline.add(writer)
            pipeline.runInfo = HistoryOptions.runInfo(command: "monitor", capture: capture, live: live)
            if let detection { pipeline.useDetector(config: detection.config, blocklist: detection.blocklist, writer: detection.writer) }
            try export.attach(to: pipeline, config: detection?.config, command: "monitor", capture: capture, live: live, interfaceNames: source.interfaceNames)
            let described = capture.read.map { "capture " + $0 } ?? "live on " + source.interfaceNames.joined(separator: ",")
            let data = WebData(store: reader, live: liveState, geo: geoDB, historyWriter: writer,
                               metrics: WebMetrics(sensor: webConfiguration.sensor, startTime: PacketPipeline.realTimeSeconds()),
                               offset: ReportCommand.localOffset(at: PacketPipeline.realTimeSeconds()), source: described,
                               resolver: web.resolveNames ? ReverseResolver() : nil)
            server = try Self.startServer(webConfiguration, data: data)
            Self.servePacketsFirst()
            try ServiceSetup.finish(.init(privileges: privileges, dropByDefault: true, web: true, processNames: processes != nil, files: [store.path]),
                                    pipeline: pipeline, alerts: noDetect ? nil : alerts, detection: detection?.config, reopen: [], status: described)
            return pipeline
        }
        if capture.read != nil && !StopSignal.requested {
            diagnostics.notice("replay finished; the dashboard stays up until Ctrl+C")
            Self.waitForStop()
        }
        // Also when the stop signal came between the replay's end and the check above.
        ServiceSetup.notifier?.stopping()
    }

    static func startServer(_ configuration: WebConfiguration, data: WebData) throws -> WebServer {
        let server = WebServer(configuration: configuration, data: data)
        do {
            // Its event loops never hold what the packet thread keeps (see Privileges).
            let port = try Privileges.onThread { try server.start() }
            diagnostics.notice("dashboard at \(WebOptions.url(host: configuration.host, port: port)) (API /api/v1/, metrics /metrics)")
            return server
        } catch {
            diagnostics.error("\((error as? WebServer.StartError)?.message ?? "\(error)")")
            throw ExitCode(1)
        }
    }

    /// The web server's threads (and any made later) at a lower priority than the packet
    /// thread and the history writer, checked twice a second: API load slows the pages
    /// before it slows capture.
    static func servePacketsFirst() {
        Thread.detachNewThread {
            while !StopSignal.requested {
                ThreadPriority.lowerOthers(keep: [HistoryWriter.threadName])
                usleep(500_000)
            }
        }
    }

    static func waitForStop() {
        while !StopSignal.requested { usleep(100_000) }
    }
}

/// `netwatch serve`: the dashboard and API over a history database, capturing nothing.
struct ServeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Serve the web dashboard, JSON API and /metrics over an existing history database.",
        discussion: """
            Examples:
              netwatch serve --db netwatch.db
              netwatch serve --db /var/lib/netwatch/netwatch.db --listen 0.0.0.0:9752 --web-token-file token
              netwatch serve --db postgresql://netwatch@db.example/netwatch
            Over a central PostgreSQL the pages show the whole fleet (a sensor column, the sensors'
            table, which sensors saw a host); --sensor NAME narrows them to one sensor.
            """)

    @Option(name: .customLong("db"), help: ArgumentHelp("The history database: a SQLite file (default netwatch.db) or the central postgresql://user@host/database.", valueName: "file|url"))
    var db = "netwatch.db"

    @Option(name: .customLong("password-file"), help: ArgumentHelp("The central database's password, the file's first line (else PGPASSWORD, else ~/.pgpass).", valueName: "file"))
    var passwordFile: String?

    @OptionGroup(title: "GeoIP (countries and networks of the hosts)") var geo: GeoOptions
    @OptionGroup(title: "Web dashboard") var web: WebOptions
    @OptionGroup var sensor: SensorOption
    @OptionGroup(title: "Running as a service") var privileges: PrivilegeOptions
    @OptionGroup var logging: LoggingOptions

    func run() throws {
        try ServiceSetup.dropFirst(nil, processNames: false)
        let central = CentralURL.isCentral(db)
        // Over the central database --sensor narrows the pages to that sensor; over a file it
        // only labels /metrics.
        let store = try HistoryCommand.open(db, sensor: central ? sensor.sensor : nil, passwordFile: passwordFile)
        let geoDB = geo.geoPath != nil || !geo.mmdbs.isEmpty ? try geo.load(required: true, what: "the dashboard's countries and networks") : nil
        let configuration = try web.configuration(sensor: sensor)
        StopSignal.install()
        let now = PacketPipeline.realTimeSeconds()
        let data = WebData(store: store, fleet: central, live: nil, geo: geoDB, historyWriter: nil, metrics: WebMetrics(sensor: configuration.sensor, startTime: now),
                           offset: ReportCommand.localOffset(at: now), source: store.name + (central ? sensor.sensor.map { " (sensor \($0))" } ?? " (the fleet)" : ""), resolver: web.resolveNames ? ReverseResolver() : nil)
        let server = try MonitorCommand.startServer(configuration, data: data)
        try ServiceSetup.finish(.init(privileges: privileges, dropByDefault: true, web: true), pipeline: nil, alerts: nil, detection: nil, reopen: [], status: "serving \(store.name)")
        MonitorCommand.waitForStop()
        ServiceSetup.notifier?.stopping()
        server.stop()
    }
}
