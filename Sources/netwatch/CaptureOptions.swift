import NetwatchPipeline
import ArgumentParser
import NetwatchCapture
import NetwatchDecode

/// Where packets come from and what is kept of them: shared by every command that reads packets.
struct CaptureOptions: ParsableArguments {
    @Option(name: [.short, .customLong("interface")], help: "Interface to capture on; repeat for several, 'any' for all.")
    var interface: [String] = []

    @Option(name: [.short, .customLong("read")], help: ArgumentHelp("Read packets from a pcap or pcapng file ('-' for standard input).", valueName: "file"))
    var read: String?

    @Option(name: [.short, .customLong("write")], help: ArgumentHelp("Write the packets that pass the filter to a pcap file.", valueName: "file"))
    var write: String?

    @Option(name: .customShort("C"), parsing: .unconditional, help: ArgumentHelp("With -w: start a new file every N million bytes (FILE, FILE1, FILE2, ...).", valueName: "MB"))
    var rotateSize: Int?

    @Option(name: [.short, .customLong("count")], parsing: .unconditional, help: "Stop after this many packets.")
    var count: Int?

    @Option(name: [.short, .customLong("snaplen")], parsing: .unconditional, help: "Bytes to capture of each packet.")
    var snaplen: Int = 262_144

    @Option(name: [.customShort("B"), .customLong("buffer-size")], parsing: .unconditional, help: ArgumentHelp("Kernel capture buffer in KiB.", valueName: "KiB"))
    var bufferSize: Int = 65_536

    @Flag(name: [.customShort("p"), .customLong("no-promiscuous-mode")], help: "Do not put the interface into promiscuous mode.")
    var noPromiscuous = false

    @Flag(name: .customLong("immediate"), help: "Hand over each packet at once (default: in batches, within 100 ms). Under a flood this drops packets: the kernel ring then holds one packet per snap length (use a small -s).")
    var immediate = false

    @Flag(name: .customLong("no-immediate"), help: ArgumentHelp("The default now; kept for scripts that name it.", visibility: .hidden))
    var noImmediate = false

    @Flag(name: .short, help: "No name lookups (service names by port).")
    var n = false

    @Option(name: .customLong("max-flows"), parsing: .unconditional, help: "Most flows tracked at once, 1024 or more (default: what fits in 256 MB).")
    var maxFlows: Int?

    @Flag(name: .customLong("no-processes"), help: "Live: do not name each connection's local process (from the socket table, read about once a second).")
    var noProcesses = false

    @Argument(help: ArgumentHelp("A BPF filter expression (pcap-filter(7)), e.g. 'tcp port 443'.", valueName: "expression"))
    var expression: [String] = []

    func validate() throws {
        if read != nil && !interface.isEmpty { throw ValidationError("use either -r or -i, not both") }
        if let c = count, c <= 0 { throw ValidationError("-c needs a positive count") }
        if let c = rotateSize, c <= 0 { throw ValidationError("-C needs a positive size in MB") }
        if rotateSize != nil && write == nil { throw ValidationError("-C goes with -w") }
        if snaplen <= 0 || snaplen > 262_144 { throw ValidationError("-s takes 1 to 262144 bytes") }
        if bufferSize <= 0 { throw ValidationError("-B needs a positive size in KiB") }
        if let m = maxFlows, m < 1024 { throw ValidationError("--max-flows takes 1024 flows or more") }
    }

    var filter: String { expression.joined(separator: " ") }

    /// The packet source these options name, with the filter in place: a file (filtered in
    /// user space) or live interfaces (filtered in the kernel).
    func openSource() throws(CaptureError) -> (source: PacketSource, live: LiveCapture?, offlineFilter: OfflineFilter?) {
        if let early = Self.openedAhead {
            Self.openedAhead = nil
            return early
        }
        if let path = read {
            let offline = filter.isEmpty ? nil : try OfflineFilter(filter)
            return (try Savefile.open(path), nil, offline)
        }
        var options = LiveOptions()
        options.promiscuous = !noPromiscuous
        options.snapLength = snaplen
        options.bufferSize = bufferSize * 1024
        options.immediate = immediate && !noImmediate
        options.filter = filter.isEmpty ? nil : filter
        let names = interface.isEmpty ? [try NetworkInterface.defaultName()] : interface
        let capture = try LiveCapture(interfaces: names, options: options)
        diagnostics.notice("capturing on \(names.joined(separator: ", "))\(filter.isEmpty ? "" : " with filter \"\(filter)\""); Ctrl+C to stop")
        return (capture, capture, nil)
    }

    /// Opens the source now; `openSource` hands it back later (`ServiceSetup.dropFirst`).
    func openAhead() throws(CaptureError) {
        Self.openedAhead = try openSource()
    }

    nonisolated(unsafe) private static var openedAhead: (source: PacketSource, live: LiveCapture?, offlineFilter: OfflineFilter?)?

    /// Service names unless `-n`: the seed table plus /etc/services.
    func services() -> ServiceTable? {
        guard !n else { return nil }
        let table = ServiceTable()
        if let contents = readSmallFile("/etc/services") { table.merge(servicesFile: contents) }
        return table
    }

    func writerPlan(live: LiveCapture?) -> PacketPipeline.WriterPlan? {
        write.map { PacketPipeline.WriterPlan(path: $0, rotateMegabytes: rotateSize, snapLength: live?.snapLength ?? snaplen) }
    }
}
