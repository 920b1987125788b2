import ArgumentParser
import NetwatchCapture
import NetwatchDetect
import NetwatchExport
import NetwatchPipeline

/// `--ipfix HOST:PORT`: each connection to an IPFIX collector when it ends, and long-lived
/// ones every active timeout while open. The config's `outputs: ipfix:` keys when the
/// command line leaves them out.
struct ExportOptions: ParsableArguments {
    @Option(name: .customLong("ipfix"), help: ArgumentHelp("Export each connection as IPFIX (RFC 7011, bidirectional per RFC 5103) over UDP to this collector (nfcapd -p PORT, any IPFIX collector); tcp://HOST:PORT for TCP.", valueName: "host:port"))
    var ipfix: String?

    @Option(name: .customLong("ipfix-domain"), help: ArgumentHelp("The IPFIX observation domain id (default 0).", valueName: "id"))
    var domain: UInt32?

    @Option(name: .customLong("ipfix-active-timeout"), help: ArgumentHelp("Export a flow still open every this long (default 60s; e.g. 30s, 5m), as IPFIX exporters do for long-lived flows; the records carry the counts since the last one.", valueName: "age"))
    var activeTimeout: String?

    func validate() throws {
        if let t = activeTimeout, Quantity.age(t) == nil { throw ValidationError("--ipfix-active-timeout takes an age such as 60s or 5m, not '\(t)'") }
    }

    /// The exporter as a sink of `pipeline` (which then tells it when the run ends).
    func attach(to pipeline: PacketPipeline, config: DetectionConfig?, command: String, capture: CaptureOptions, live: LiveCapture?, interfaceNames: [String]) throws {
        guard let destination = ipfix ?? config?.ipfix else { return }
        let timeout = activeTimeout.flatMap(Quantity.age) ?? config?.ipfixActiveTimeout ?? DetectionConfig().ipfixActiveTimeout
        do {
            let exporter = try IPFIXExporter(destination: destination, observationDomain: domain ?? config?.ipfixDomain ?? 0, interfaceNames: interfaceNames,
                                             activeTimeout: timeout)
            exporter.finished = { sent, lost in
                let line = "IPFIX to \(destination): \(sent) records sent, \(lost) not delivered"
                if lost > 0 { diagnostics.warning("\(line) (collector down or queue full)") } else { diagnostics.notice("\(line)") }
            }
            pipeline.add(exporter)
        } catch {
            diagnostics.error("\(error.message)")
            throw ExitCode(1)
        }
        if pipeline.runInfo == nil { pipeline.runInfo = HistoryOptions.runInfo(command: command, capture: capture, live: live) }
    }
}
