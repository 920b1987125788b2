import ArgumentParser
import NetwatchCapture
import NetwatchDecode
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
              netwatch -i eth0 -i wlan0 tcp port 443  two interfaces, BPF filter
              netwatch -i any -w out.pcap -C 100      all interfaces, to out.pcap, out.pcap1, ... (100 MB each)
              netwatch -r trace.pcapng --mode detailed
              netwatch -r trace.pcap --json | jq .dns
            """)

    @Option(name: [.short, .customLong("interface")], help: "Interface to capture on; repeat for several, 'any' for all.")
    var interface: [String] = []

    @Flag(name: [.customShort("D"), .customLong("list-interfaces")], help: "List interfaces and exit.")
    var listInterfaces = false

    @Option(name: [.short, .customLong("read")], help: ArgumentHelp("Read packets from a pcap or pcapng file ('-' for standard input).", valueName: "file"))
    var read: String?

    @Option(name: [.short, .customLong("write")], help: ArgumentHelp("Write the packets that pass the filter to a pcap file.", valueName: "file"))
    var write: String?

    @Option(name: .customShort("C"), help: ArgumentHelp("With -w: start a new file every N million bytes (FILE, FILE1, FILE2, ...).", valueName: "MB"))
    var rotateSize: Int?

    @Option(name: [.short, .customLong("count")], help: "Stop after this many packets.")
    var count: Int?

    @Option(name: [.short, .customLong("snaplen")], help: "Bytes to capture of each packet.")
    var snaplen: Int = 262_144

    @Option(name: [.customShort("B"), .customLong("buffer-size")], help: ArgumentHelp("Kernel capture buffer in KiB.", valueName: "KiB"))
    var bufferSize: Int = 65_536

    @Flag(name: [.customShort("p"), .customLong("no-promiscuous-mode")], help: "Do not put the interface into promiscuous mode.")
    var noPromiscuous = false

    @Flag(name: .customLong("no-immediate"), help: "Let the kernel batch packets (fewer wake-ups, later display).")
    var noImmediate = false

    @Flag(name: .short, help: "No name lookups (service names by port).")
    var n = false

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

    @Argument(help: ArgumentHelp("A BPF filter expression (pcap-filter(7)), e.g. 'tcp port 443'.", valueName: "expression"))
    var expression: [String] = []

    func validate() throws {
        if read != nil && !interface.isEmpty { throw ValidationError("use either -r or -i, not both") }
        if let c = count, c <= 0 { throw ValidationError("-c needs a positive count") }
        if let c = rotateSize, c <= 0 { throw ValidationError("-C needs a positive size in MB") }
        if rotateSize != nil && write == nil { throw ValidationError("-C goes with -w") }
        if snaplen <= 0 || snaplen > 262_144 { throw ValidationError("-s takes 1 to 262144 bytes") }
        if bufferSize <= 0 { throw ValidationError("-B needs a positive size in KiB") }
        if json && quiet { throw ValidationError("--json and -q cannot be combined") }
    }

    func run() throws {
        if listInterfaces {
            try InterfacesCommand.list()
            return
        }
        StopSignal.install()
        let filter = expression.joined(separator: " ")
        do {
            let source: PacketSource
            var offlineFilter: OfflineFilter? = nil
            var live: LiveCapture? = nil
            if let path = read {
                if !filter.isEmpty { offlineFilter = try OfflineFilter(filter) }
                source = try Savefile.open(path)
            } else {
                var options = LiveOptions()
                options.promiscuous = !noPromiscuous
                options.snapLength = snaplen
                options.bufferSize = bufferSize * 1024
                options.immediate = !noImmediate
                options.filter = filter.isEmpty ? nil : filter
                let names = interface.isEmpty ? [try NetworkInterface.defaultName()] : interface
                let capture = try LiveCapture(interfaces: names, options: options)
                live = capture
                source = capture
                printError("netwatch: capturing on \(names.joined(separator: ", "))\(filter.isEmpty ? "" : " with filter \"\(filter)\""); Ctrl+C to stop")
            }
            let pipeline = try makePipeline(source: source, live: live, filter: offlineFilter)
            let end = try pipeline.run()
            pipeline.finish(end: end)
            if case .corrupt = end { throw ExitCode(1) }
        } catch let error as CaptureError {
            printError("netwatch: \(error.message)")
            throw ExitCode(error.code == .badFilter ? 2 : 1)
        }
    }

    private func makePipeline(source: PacketSource, live: LiveCapture?, filter: OfflineFilter?) throws(CaptureError) -> PacketPipeline {
        let output = OutputBuffer(fd: 1)
        var services: ServiceTable? = nil
        if !n {
            let table = ServiceTable()
            if let contents = readSmallFile("/etc/services") { table.merge(servicesFile: contents) }
            services = table
        }
        let environment = Environment.variables()
        let palette = Palette(enabled: Palette.wanted(noColorFlag: noColor, isTerminal: isatty(1) == 1, environment: environment))
        var view: PacketPipeline.View = .none
        if json {
            view = .json(JSONPacketWriter(output: output, services: services))
        } else if !quiet {
            let chosen: DisplayMode = detailed ? .detailed : mode.value
            view = .text(PacketFormatter(mode: chosen, palette: palette, services: services, output: output))
        }
        var writer: PacketPipeline.WriterPlan? = nil
        if let path = write {
            writer = PacketPipeline.WriterPlan(path: path, rotateMegabytes: rotateSize, snapLength: live?.snapLength ?? snaplen)
        }
        let pipeline = PacketPipeline(source: source, output: output, view: view, filter: filter, limit: count, writerPlan: writer, palette: palette)
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
