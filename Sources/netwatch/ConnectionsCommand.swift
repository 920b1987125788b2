import ArgumentParser
import NetwatchCapture
import NetwatchPipeline
import NetwatchGeo
import NetwatchDetect
import NetwatchFlow
import NetwatchHost
import NetwatchView
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// `netwatch connections`: a line per new connection the moment it is seen, and connection
/// records (Zeek conn.log fields) as JSON lines when they end.
struct ConnectionsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "connections",
        abstract: "Log every new connection; write connection records as JSON lines.",
        discussion: """
            TCP connections are new at their SYN, UDP and ICMP flows at their first packet. A flow ends \
            when it has been idle past its state's timeout (by packet time), when the flow table is full \
            (the oldest idle flow is evicted), or when netwatch stops: then every open flow is written \
            with the state it reached. Detection runs as with every capture (alerts on standard error, \
            --log, --json-alerts) unless --no-detect.
            Examples:
              netwatch connections -i eth0
              netwatch connections -r trace.pcap --json | jq .conn_state
              netwatch connections -r trace.pcap --conn-json conn.json --ended
            """)

    @OptionGroup var capture: CaptureOptions
    @OptionGroup var alerts: AlertOptions
    @OptionGroup var historyOptions: HistoryOptions
    @OptionGroup var sensor: SensorOption
    @OptionGroup(title: "GeoIP (with --history: each end's country and AS in the conn records)") var geo: GeoOptions
    @OptionGroup(title: "Flow export") var export: ExportOptions
    @OptionGroup(title: "Running as a service") var privileges: PrivilegeOptions
    @OptionGroup var logging: LoggingOptions

    @Flag(name: .customLong("json"), help: "Connection records as JSON lines on standard output instead of lines: a 'new' record per connection, a 'conn' record when it ends.")
    var json = false

    @Option(name: .customLong("conn-json"), help: ArgumentHelp("Append the same JSON records to this file.", valueName: "file"))
    var connJSON: String?

    @Flag(name: .customLong("no-detect"), help: "Turn the detectors off.")
    var noDetect = false

    @Flag(name: .customLong("ended"), help: "Also print a line when a connection ends (state, history, packets, bytes).")
    var ended = false

    @Flag(name: [.short, .customLong("quiet")], help: "No lines on the terminal (with --conn-json).")
    var quiet = false

    @Flag(name: .customLong("no-color"), help: "No colours.")
    var noColor = false

    func validate() throws {
        if json && quiet { throw ValidationError("--json and -q cannot be combined") }
        if json && ended { throw ValidationError("--json already holds a record per ended connection; --ended is for the terminal lines") }
        if noDetect, let option = alerts.detectorOption { throw ValidationError("\(option) needs the detectors, which --no-detect turns off") }
        if json && connJSON != nil { throw ValidationError("--json writes the records to standard output, --conn-json to a file: choose one") }
    }

    func run() throws {
        // The config first: a mistake in it ends the run before any capture starts.
        let alertPalette = Palette(enabled: Palette.wanted(noColorFlag: noColor, isTerminal: isatty(2) == 1, environment: Environment.variables()))
        let detection = noDetect ? nil : try alerts.open(palette: alertPalette, terminal: OutputBuffer(fd: 2))
        try ServiceSetup.dropFirst(capture, processNames: capture.read == nil && !capture.noProcesses)
        let store = try historyOptions.open(config: detection?.config)
        let geoDB = store == nil ? nil : try historyOptions.geo(geo)
        try PacketPipeline.runCommand {
            let (source, live, offlineFilter) = try capture.openSource()
            let output = OutputBuffer(fd: 1)
            let services = capture.services()
            let palette = Palette(enabled: Palette.wanted(noColorFlag: noColor, isTerminal: isatty(1) == 1, environment: Environment.variables()))
            var outputs = PacketPipeline.FlowOutputs()
            // Capturing on this host: each connection names its process.
            let processes = live != nil && !capture.noProcesses ? ProcessDirectory() : nil
            if !json && !quiet { outputs.view = ConnectionView(output: output, palette: palette, services: services, processes: processes) }
            outputs.showEnded = ended
            let file = try connJSON.map { path throws(CaptureError) in try openAppend(path) }
            if let buffer = json ? output : file {
                outputs.sinks.append(ConnectionRecordWriter(output: buffer))
            }
            let table = FlowTable(capacity: capture.maxFlows ?? FlowTable.capacity(forMemory: 256 << 20))
            let pipeline = PacketPipeline(
                source: source, output: output, view: .none, filter: offlineFilter, limit: capture.count,
                writerPlan: capture.writerPlan(live: live), palette: palette, flows: table, flowOutputs: outputs)
            if let live, capture.write != nil { try pipeline.openWriter(linkType: live.linkTypes[0]) }
            pipeline.useServices(services)
            pipeline.processes = processes
            pipeline.statisticsPlan.live = live != nil
            try historyOptions.attach(store, config: detection?.config, geo: geoDB, sensor: sensor, to: pipeline, command: "connections", capture: capture, live: live)
            try export.attach(to: pipeline, config: detection?.config, command: "connections", capture: capture, live: live, interfaceNames: source.interfaceNames)
            if let detection { pipeline.useDetector(config: detection.config, blocklist: detection.blocklist, writer: detection.writer) }
            try ServiceSetup.finish(.init(privileges: privileges, processNames: processes != nil, files: [store?.path, capture.write].compactMap { $0 }), pipeline: pipeline,
                                    alerts: detection == nil ? nil : alerts, detection: detection?.config,
                                    reopen: [file].compactMap { $0 }, status: capture.read ?? "capturing on \(source.interfaceNames.joined(separator: ","))")
            return pipeline
        }
    }
}
