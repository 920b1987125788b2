import ArgumentParser
import NetwatchCapture
import NetwatchDetect
import NetwatchHost
import NetwatchPipeline
import NetwatchView

/// The last steps before packets flow, shared by the capturing commands: give up root
/// (`-Z`), listen for SIGHUP, and tell systemd the service is ready.
enum ServiceSetup {
    /// systemd's notify socket, when started by it with `Type=notify`; connected at first use,
    /// which is before the privilege drop.
    static let notifier = ServiceNotifier(environment: Environment.variables())

    struct Plan {
        var privileges: PrivilegeOptions
        /// monitor and serve: root becomes the default user even without -Z.
        var dropByDefault = false
        /// A web server runs: never as root.
        var web = false
        /// Live with process names: keep what reading other users' /proc/PID/fd needs.
        var processNames = false
        /// Files written after the drop (history, logs): handed to the new user.
        var files: [String] = []
    }

    /// Not root (systemd's `User=` with ambient capabilities, or a binary given file
    /// capabilities with setcap): live capture is opened first and the capabilities go at
    /// once, before any other thread starts. Threads that block signals (libdispatch's
    /// workers, which closing a database can start) could not be told later. As root,
    /// `finish` drops instead: setuid reaches every thread.
    static func dropFirst(_ capture: CaptureOptions?, processNames: Bool) throws {
        guard !Privileges.isRoot, !droppedEarly else { return }
        if let capture, capture.read == nil {
            do { try capture.openAhead() } catch {
                diagnostics.error("\(error.message)")
                throw ExitCode(error.code == .badFilter ? 2 : 1)
            }
        }
        try PrivilegeOptions.drop(to: nil, keep: processNames ? .processNames : [], files: [], web: false)
        droppedEarly = true
    }

    nonisolated(unsafe) private static var droppedEarly = false

    /// Call with capture open (and the web port bound): drops privileges, starts the reload
    /// listener for `pipeline` (with the alert options when the detectors run) and says READY.
    static func finish(_ plan: Plan, pipeline: PacketPipeline?, alerts: AlertOptions?, detection: DetectionConfig?, reopen: [OutputBuffer], status: String) throws {
        _ = notifier
        let account = try plan.privileges.account(byDefault: plan.dropByDefault)
        var files = plan.files + reopen.compactMap(\.path)
        if let detection { files += [detection.log, detection.jsonAlerts].compactMap { $0 } }
        if let account, account.uid != 0, Privileges.isRoot {
            try PrivilegeOptions.drop(to: account, keep: plan.processNames ? .processNames : [], files: files, web: plan.web)
        } else if !droppedEarly && !Privileges.isRoot {
            try PrivilegeOptions.drop(to: nil, keep: plan.processNames ? .processNames : [], files: [], web: plan.web)
        } else if plan.web && Privileges.isRoot {
            // Root without a user to become (-Z root): as tcpdump without -Z, it stays root, but
            // does not serve the web as root.
            diagnostics.error("refusing to serve the web dashboard as root: give -Z USER (an unprivileged user)")
            throw ExitCode(1)
        }
        if let pipeline {
            ConfigReloader(alerts: alerts, pipeline: pipeline, running: detection, files: reopen, notifier: notifier).start()
        }
        notifier?.ready(status: status)
    }
}
