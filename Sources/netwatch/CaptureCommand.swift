import ArgumentParser
import NetwatchCapture
import NetwatchPipeline
import NetwatchGeo
import NetwatchDecode
import NetwatchDetect
import NetwatchFlow
import NetwatchView
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The main job: capture live (or read a file), decode, show, optionally write a pcap.
struct CaptureCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "capture",
        abstract: "Capture live from interfaces or read a capture file, and show each packet.",
        discussion: """
            Examples:
              netwatch -i eth0                       live, compact lines
              netwatch -i eth0 -i wlan0 tcp port 443  two interfaces, a filter
              netwatch -i any -w out.pcap -C 100      to out.pcap, out.pcap1, ... 100 MB each
              netwatch -r trace.pcapng --mode detailed
              netwatch -r trace.pcap --json | jq .dns
              netwatch -r attack.pcap --alerts-only   only the alerts
              netwatch -i eth0 --config nw.yaml --json-alerts alerts.json
            Detection (port scans, sweeps, SYN floods, block-listed contacts, watched ports, \
            invalid TCP flags, ARP spoofing) is on unless --no-detect or --no-flows; alerts go to \
            standard error (standard output with --alerts-only), --log and --json-alerts.
            """)

    @OptionGroup var capture: CaptureOptions
    @OptionGroup var alerts: AlertOptions
    @OptionGroup var historyOptions: HistoryOptions
    @OptionGroup var sensor: SensorOption
    @OptionGroup(title: "GeoIP (with --history: each end's country and AS in the conn records)") var geo: GeoOptions
    @OptionGroup(title: "Flow export") var export: ExportOptions
    @OptionGroup(title: "Running as a service") var privileges: PrivilegeOptions
    @OptionGroup var logging: LoggingOptions

    @Flag(name: .customLong("alerts-only"), help: "Print only alerts (on standard output): no packet lines, no statistics.")
    var alertsOnly = false

    @Flag(name: .customLong("no-detect"), help: "Turn the detectors off.")
    var noDetect = false

    @Flag(name: [.customShort("D"), .customLong("list-interfaces")], help: "List interfaces and exit.")
    var listInterfaces = false

    @Flag(name: [.short, .customLong("quiet")], help: "Print nothing per packet.")
    var quiet = false

    @Option(name: .customLong("mode"), help: "Display mode: compact, detailed or minimal.")
    var mode: DisplayModeArgument = .compact

    @Flag(name: [.customShort("v"), .customLong("detailed")], help: "Same as --mode detailed.")
    var detailed = false

    @Flag(name: .customLong("json"), help: "One JSON object per packet per line on standard output.")
    var json = false

    @Flag(name: .customLong("no-color"), help: "No colours (also when NO_COLOR is set or output is not a terminal).")
    var noColor = false

    @Flag(name: .customLong("no-flows"), help: "Decode and show only: no flow table, no statistics (fastest for -w or plain reading).")
    var noFlows = false

    @Option(name: .customLong("stats-interval"), help: ArgumentHelp("Seconds between live statistics blocks on standard error; 0 for none (default: 5 live, 0 for files).", valueName: "seconds"))
    var statsInterval: Double?

    @Option(name: .customLong("stats-json"), help: ArgumentHelp("Append each statistics block (live and final) as a JSON line to this file.", valueName: "file"))
    var statsJSON: String?

    func validate() throws {
        if json && quiet { throw ValidationError("--json and -q cannot be combined") }
        if let s = statsInterval, s < 0 { throw ValidationError("--stats-interval takes 0 or more seconds") }
        if alertsOnly && (noDetect || noFlows) { throw ValidationError("--alerts-only needs the detectors (not --no-detect or --no-flows)") }
        if alertsOnly && json { throw ValidationError("--alerts-only and --json cannot be combined (use --json-alerts FILE)") }
        if noFlows && historyOptions.history != nil { throw ValidationError("--history records flows, which --no-flows turns off") }
        if noFlows && export.ipfix != nil { throw ValidationError("--ipfix exports flows, which --no-flows turns off") }
        if noFlows || noDetect, let option = alerts.detectorOption {
            throw ValidationError("\(option) needs the detectors, which \(noFlows ? "need the flow table (not --no-flows)" : "--no-detect turns off")")
        }
    }

    func run() throws {
        if listInterfaces {
            try InterfacesCommand.list()
            return
        }
        // The config first: a mistake in it ends the run before any capture starts.
        let palette = Palette(enabled: Palette.wanted(noColorFlag: noColor, isTerminal: isatty(alertsOnly ? 1 : 2) == 1, environment: Environment.variables()))
        let detection = noDetect || noFlows ? nil : try alerts.open(palette: palette, terminal: OutputBuffer(fd: alertsOnly ? 1 : 2))
        try ServiceSetup.dropFirst(capture, processNames: false)
        let store = noFlows ? nil : try historyOptions.open(config: detection?.config)
        let geoDB = store == nil ? nil : try historyOptions.geo(geo)
        try PacketPipeline.runCommand {
            let (source, live, offlineFilter) = try capture.openSource()
            let pipeline = try makePipeline(source: source, live: live, filter: offlineFilter)
            try historyOptions.attach(store, config: detection?.config, geo: geoDB, sensor: sensor, to: pipeline, command: "capture", capture: capture, live: live)
            try export.attach(to: pipeline, config: detection?.config, command: "capture", capture: capture, live: live, interfaceNames: source.interfaceNames)
            if let detection { pipeline.useDetector(config: detection.config, blocklist: detection.blocklist, writer: detection.writer) }
            try ServiceSetup.finish(.init(privileges: privileges, files: [store?.path, capture.write].compactMap { $0 }), pipeline: pipeline,
                                    alerts: detection == nil ? nil : alerts, detection: detection?.config,
                                    reopen: [pipeline.statisticsPlan.json].compactMap { $0 }, status: capture.read ?? "capturing on \(source.interfaceNames.joined(separator: ","))")
            return pipeline
        }
    }

    private func makePipeline(source: PacketSource, live: LiveCapture?, filter: OfflineFilter?) throws(CaptureError) -> PacketPipeline {
        let output = OutputBuffer(fd: 1)
        let services = capture.services()
        let environment = Environment.variables()
        let palette = Palette(enabled: Palette.wanted(noColorFlag: noColor, isTerminal: isatty(1) == 1, environment: environment))
        var view: PacketPipeline.View = .none
        if json {
            view = .json(JSONPacketWriter(output: output, services: services))
        } else if !quiet && !alertsOnly {
            let chosen: DisplayMode = detailed ? .detailed : mode.value
            view = .text(PacketFormatter(mode: chosen, palette: palette, services: services, output: output))
        }
        let writer = capture.writerPlan(live: live)
        let flows = noFlows ? nil : FlowTable(capacity: capture.maxFlows ?? FlowTable.capacity(forMemory: 256 << 20))
        let pipeline = PacketPipeline(source: source, output: output, view: view, filter: filter, limit: capture.count, writerPlan: writer, palette: palette, flows: flows)
        pipeline.useServices(services)
        pipeline.statisticsPlan.live = live != nil
        pipeline.statisticsPlan.enabled = !noFlows && !alertsOnly
        pipeline.statisticsPlan.final = !noFlows && !alertsOnly
        pipeline.statisticsPlan.interval = noFlows || alertsOnly ? 0 : statsInterval ?? (live != nil ? 5 : 0)
        pipeline.alertsOnly = alertsOnly
        if let path = statsJSON { pipeline.statisticsPlan.json = try openAppend(path) }
        if let live, writer != nil {
            // Open the file now so it exists (with its header) even if nothing arrives.
            try pipeline.openWriter(linkType: live.linkTypes[0])
        }
        return pipeline
    }
}

/// `--mode` values.
struct DisplayModeArgument: ExpressibleByArgument {
    let value: DisplayMode
    init?(argument: String) {
        guard let mode = DisplayMode(rawValue: argument.lowercased()), mode != .json else { return nil }
        value = mode
    }
    init(_ value: DisplayMode) { self.value = value }
    static let compact = DisplayModeArgument(.compact)
    static var allValueStrings: [String] { ["compact", "detailed", "minimal"] }
    var defaultValueDescription: String { value.rawValue }
}

/// A file for JSON lines, created or truncated, written through an output buffer.
func openOutput(_ path: String) throws(CaptureError) -> OutputBuffer {
    let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
    guard fd >= 0 else { throw CaptureError(.writeFailed, "cannot write \(path): \(String(cString: strerror(errno)))") }
    return OutputBuffer(fd: fd, path: path)
}
