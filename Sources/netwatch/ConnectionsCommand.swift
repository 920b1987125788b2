import ArgumentParser
import NetwatchCapture
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
            TCP connections are new at their SYN, UDP and ICMP flows at their first packet. A flow ends
            when it has been idle past its state's timeout (by packet time), when the flow table is full
            (the oldest idle flow is evicted), or when netwatch stops: then every open flow is written
            with the state it reached.
            Examples:
              netwatch connections -i eth0
              netwatch connections -r trace.pcap --json conn.json --ended
            """)

    @OptionGroup var capture: CaptureOptions

    @Option(name: .customLong("json"), help: ArgumentHelp("Write a 'new' record per connection and a 'conn' record when it ends to this file.", valueName: "file"))
    var json: String?

    @Flag(name: .customLong("ended"), help: "Also print a line when a connection ends (state, history, packets, bytes).")
    var ended = false

    @Flag(name: [.short, .customLong("quiet")], help: "No lines on the terminal (with --json).")
    var quiet = false

    @Flag(name: .customLong("no-color"), help: "No colours.")
    var noColor = false

    func run() throws {
        try PacketPipeline.runCommand {
            let (source, live, offlineFilter) = try capture.openSource()
            let output = OutputBuffer(fd: 1)
            let services = capture.services()
            let palette = Palette(enabled: Palette.wanted(noColorFlag: noColor, isTerminal: isatty(1) == 1, environment: Environment.variables()))
            var outputs = PacketPipeline.FlowOutputs()
            // Capturing on this host: each connection names its process.
            let processes = live != nil && !capture.noProcesses ? ProcessDirectory() : nil
            if !quiet { outputs.view = ConnectionView(output: output, palette: palette, services: services, processes: processes) }
            outputs.showEnded = ended
            if let path = json {
                let buffer = try openOutput(path)
                outputs.recordsBuffer = buffer
                outputs.records = ConnectionRecordWriter(output: buffer, services: services, processes: processes)
            }
            let table = FlowTable(capacity: capture.maxFlows ?? FlowTable.capacity(forMemory: 256 << 20))
            let pipeline = PacketPipeline(
                source: source, output: output, view: .none, filter: offlineFilter, limit: capture.count,
                writerPlan: capture.writerPlan(live: live), palette: palette, flows: table, flowOutputs: outputs)
            if let live, capture.write != nil { try pipeline.openWriter(linkType: live.linkTypes[0]) }
            pipeline.useServices(services)
            pipeline.processes = processes
            pipeline.statisticsPlan.live = live != nil
            return pipeline
        }
    }
}
