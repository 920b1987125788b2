import ArgumentParser
import NetwatchCapture
import NetwatchExport
import NetwatchPipeline

/// `--ipfix HOST:PORT`: each ended connection to an IPFIX collector.
struct ExportOptions: ParsableArguments {
    @Option(name: .customLong("ipfix"), help: ArgumentHelp("Export each ended connection as IPFIX (RFC 7011, bidirectional per RFC 5103) over UDP to this collector (nfcapd -p PORT, any IPFIX collector).", valueName: "host:port"))
    var ipfix: String?

    @Option(name: .customLong("ipfix-domain"), help: ArgumentHelp("The IPFIX observation domain id (default 0).", valueName: "id"))
    var domain: UInt32 = 0

    /// The exporter as a sink of `pipeline` (which then tells it when the run ends).
    func attach(to pipeline: PacketPipeline, command: String, capture: CaptureOptions, live: LiveCapture?, interfaceNames: [String]) throws {
        guard let ipfix else { return }
        do {
            pipeline.add(try IPFIXExporter(destination: ipfix, observationDomain: domain, interfaceNames: interfaceNames))
        } catch {
            diagnostics.error("\(error.message)")
            throw ExitCode(1)
        }
        if pipeline.runInfo == nil { pipeline.runInfo = HistoryOptions.runInfo(command: command, capture: capture, live: live) }
    }
}
