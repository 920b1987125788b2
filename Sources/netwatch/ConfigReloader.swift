import Foundation
import NetwatchCapture
import NetwatchDetect
import NetwatchHost
import NetwatchPipeline
import NetwatchView

/// SIGHUP for a running capture: reads the config and block lists again the way the run
/// started (`AlertOptions`), off the packet thread; a config that does not load is refused
/// with its message and the running one kept. A good one reaches the detectors on the packet
/// thread at its next tick, and the log and JSON files are reopened there (logrotate).
/// Paths of outputs that are already open (history, log, JSON alerts) change at a restart.
final class ConfigReloader: @unchecked Sendable {
    private let alerts: AlertOptions?
    private let pipeline: PacketPipeline
    private let files: [OutputBuffer]
    private let notifier: ServiceNotifier?
    private var running: DetectionConfig?

    /// `files`: outputs besides the alert writer's to reopen (JSON lines, statistics).
    init(alerts: AlertOptions?, pipeline: PacketPipeline, running: DetectionConfig?, files: [OutputBuffer], notifier: ServiceNotifier?) {
        self.alerts = alerts
        self.pipeline = pipeline
        self.running = running
        self.files = files
        self.notifier = notifier
    }

    /// Listens for SIGHUP until the run stops.
    func start() {
        ReloadSignal.install()
        Thread.detachNewThread { [self] in
            Privileges.releaseThisThread()
            while !StopSignal.requested {
                if ReloadSignal.take() { reload() }
                usleep(100_000)
            }
        }
    }

    func reload() {
        notifier?.reloading()
        defer { notifier?.send("READY=1") }
        var loaded: (DetectionConfig, Blocklist)?
        if let old = running, let alerts {
            do {
                let config = try alerts.readConfig()
                let list = try AlertOptions.readBlocklists(config.blocklists)
                for (name, before, after) in [("log", old.log, config.log), ("json_alerts", old.jsonAlerts, config.jsonAlerts), ("history", old.history, config.history)]
                where before != after {
                    diagnostics.warning("\(name): \(after ?? "(none)") takes effect at the next start; \(before ?? "(none)") is kept until then")
                }
                loaded = (config, list)
                running = config
                diagnostics.notice("reloaded \(alerts.config ?? "the command line's settings"): \(list.entries.count) block-list entries from \(config.blocklists.count) file(s)")
            } catch {
                diagnostics.error("reload refused, the running configuration is kept: \(error)")
            }
        }
        let done = DispatchSemaphore(value: 0)
        // The pipeline and its files belong to the packet thread; only it touches them.
        nonisolated(unsafe) let pipeline = self.pipeline, files = self.files, update = loaded
        self.pipeline.packetThreadWork.submit {
            if let (config, list) = update { pipeline.detector?.reload(config: config, blocklist: list) }
            let problems = (pipeline.alertWriter?.reopen() ?? []) + files.compactMap { $0.reopen() }
            for p in problems { diagnostics.error("\(p); the old file stays in use") }
            done.signal()
        }
        // The packet thread runs it within 100 ms live; READY=1 follows once it has.
        _ = done.wait(timeout: .now() + 5)
    }
}
