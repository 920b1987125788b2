import ArgumentParser
import NetwatchCapture
import NetwatchPipeline
import NetwatchDetect
import NetwatchHost
import NetwatchHistory
import NetwatchEvents
import NetwatchView
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// `netwatch sockets`: the host's socket table with owning processes, once or watched, with
/// block-list and connection-count checks.
struct SocketsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sockets",
        abstract: "List the host's TCP and UDP sockets with their processes; watch them for suspicious connections.",
        discussion: """
            Reads the socket table of this network namespace (/proc/net/tcp, tcp6, udp, udp6) and the \
            owning processes (/proc/PID/fd). Sockets of processes netwatch may not inspect (another \
            user's, without root) are listed with the owner "-". \
            With --watch, rescans every interval and reports the connections that opened and closed, \
            and raises an alert for a connection to a block-listed address or a process holding more \
            than --connection-limit connections; an alert is repeated only when it changes or ends.
            Examples:
              netwatch sockets --tcp --established
              netwatch sockets --process sshd --json
              netwatch sockets --watch --blocklist drop.txt --json-alerts alerts.json
            """)

    @Flag(help: "TCP sockets only.") var tcp = false
    @Flag(help: "UDP sockets only.") var udp = false
    @Flag(help: "Listening sockets only (TCP LISTEN, unconnected UDP).") var listening = false
    @Flag(help: "Established connections only.") var established = false
    @Option(help: "Sockets of this process ID only.") var pid: Int32?
    @Option(help: ArgumentHelp("Sockets of processes whose name contains NAME only.", valueName: "name")) var process: String?
    @Flag(help: "One JSON object per socket instead of the table.") var json = false

    @Flag(help: "Rescan every interval; report opened and closed connections and alerts until interrupted.") var watch = false
    @OptionGroup var historyOptions: HistoryOptions
    @OptionGroup var sensor: SensorOption
    @Option(help: ArgumentHelp("Seconds between scans with --watch.", valueName: "seconds")) var interval: Double = 10
    @OptionGroup var alerts: AlertOptions
    @OptionGroup var logging: LoggingOptions

    @Flag(name: .customLong("no-color"), help: "No colours.") var noColor = false

    @Option(name: .customLong("time-scans"), help: ArgumentHelp("Scan N times and print the fastest scan's time (for the benchmark).", visibility: .hidden))
    var timeScans: Int?

    func validate() throws {
        if interval <= 0 { throw ValidationError("--interval takes a number of seconds above 0") }
        if historyOptions.history != nil && !watch { throw ValidationError("--history records what --watch sees: add --watch") }
    }

    func run() throws {
        let source = defaultSocketSource()
        let palette = Palette(enabled: Palette.wanted(noColorFlag: noColor, isTerminal: isatty(1) == 1, environment: Environment.variables()))
        let out = OutputBuffer(fd: 1)
        if let n = timeScans {
            var best = Double.infinity
            var count = 0
            for _ in 0..<max(1, n) {
                let t = MonotonicClock.seconds()
                count = ((try? source.scan()) ?? []).count
                best = min(best, MonotonicClock.seconds() - t)
            }
            print("\(count) sockets, fastest of \(max(1, n)) scans: \(Double(Int(best * 100_000)) / 100) ms")
            return
        }
        if !watch {
            let sockets: [Socket]
            do { sockets = try source.scan() } catch {
                diagnostics.error("\(error.message)")
                throw ExitCode(1)
            }
            let shown = sockets.filter(matches)
            if json {
                for s in shown { out.string(SocketTableView.json(s) + "\n") }
            } else {
                out.string(SocketTableView.header(palette) + "\n")
                for s in shown { SocketTableView.line(s, to: out, palette: palette) }
            }
            out.flush()
            return
        }
        try watchLoop(source, out, palette)
    }

    func matches(_ s: Socket) -> Bool {
        if tcp && !udp && s.transport != .tcp { return false }
        if udp && !tcp && s.transport != .udp { return false }
        let isListening = s.state == .listen || (s.transport == .udp && !s.hasPeer)
        if listening && !established && !isListening { return false }
        if established && !listening && s.state != .established { return false }
        if let pid, s.owner?.pid != pid { return false }
        if let process, !(s.owner?.name.contains(process) ?? false) { return false }
        return true
    }

    private func watchLoop(_ source: SocketSource, _ out: OutputBuffer, _ palette: Palette) throws {
        let setup = try alerts.open(palette: palette, terminal: out)
        let limit = setup.config.connectionLimit
        var watcher = SocketWatch(blocklist: setup.blocklist, connectionLimit: limit)
        // --history: the changes and alerts of every scan, a run of their own.
        let history = try historyOptions.open(config: setup.config).map {
            SocketHistory(try historyOptions.writer($0, config: setup.config, live: true, sensor: sensor), command: "sockets --watch")
        }
        defer { history?.finish() }
        StopSignal.install()
        ReloadSignal.install()
        diagnostics.notice("watching the socket table every \(interval) s\(setup.blocklist.isEmpty ? "" : ", \(setup.blocklist.entries.count) block-list entries"), connection limit \(limit); Ctrl-C to stop")
        while !StopSignal.requested {
            if ReloadSignal.take() { reload(&watcher, writer: setup.writer) }
            let started = MonotonicClock.seconds()
            let sockets: [Socket]
            do { sockets = try source.scan() } catch {
                diagnostics.error("\(error.message)")
                throw ExitCode(1)
            }
            let now = WallTime.now()
            let report = watcher.scan(sockets.filter(matches), time: now)
            let stamp = "[\(WallTime.clockTime(now))]"
            out.string("\(palette.timestamp)\(stamp)\(palette.reset) scan: \(report.sockets) sockets, \(report.connections) connections, \(report.opened.count) opened, \(report.closed.count) closed\n")
            for s in report.opened { SocketTableView.change("OPEN ", s, to: out, palette: palette) }
            for s in report.closed { SocketTableView.change("CLOSE", s, to: out, palette: palette) }
            out.flush()
            for alert in report.alerts { setup.writer.write(alert) }
            history?.record(report, time: now)
            if report.alerts.isEmpty {
                out.string(report.ongoing == 0 ? "No anomalies detected.\n" : "No new anomalies (\(report.ongoing) still active).\n")
            }
            out.flush()
            // Sleep in short steps so Ctrl-C ends the run at once.
            let until = started + interval
            while !StopSignal.requested && MonotonicClock.seconds() < until { usleep(50_000) }
        }
        setup.writer.flush()
    }

    /// SIGHUP: the config's block lists and connection limit again (a broken config is
    /// refused and the running one kept), and the alert files reopened for logrotate.
    private func reload(_ watcher: inout SocketWatch, writer: AlertWriter) {
        do {
            let config = try alerts.readConfig()
            let list = try AlertOptions.readBlocklists(config.blocklists)
            watcher.blocklist = list
            watcher.connectionLimit = config.connectionLimit
            diagnostics.notice("reloaded \(alerts.config ?? "the command line's settings"): \(list.entries.count) block-list entries from \(config.blocklists.count) file(s), connection limit \(config.connectionLimit)")
        } catch {
            diagnostics.error("reload refused, the running configuration is kept: \(error)")
        }
        for problem in writer.reopen() { diagnostics.error("\(problem); the old file stays in use") }
    }
}

/// Options every alerting command shares: the config file, block lists, limits, and where
/// alerts go. Command-line values add to (block lists) or replace (the rest) the file's.
struct AlertOptions: ParsableArguments {
    @Option(name: .customLong("config"), help: ArgumentHelp("A YAML config: thresholds, windows, home networks, watched ports, block lists, outputs (see 'netwatch config --default').", valueName: "file"))
    var config: String?

    @Option(name: .customLong("blocklist"), help: ArgumentHelp("A block list (IPs, CIDRs, FireHOL netset/ipset, Spamhaus DROP); repeatable.", valueName: "file"))
    var blocklists: [String] = []

    @Option(name: .customLong("connection-limit"), help: ArgumentHelp("Alert when a process holds more connections than this (default 20).", valueName: "n"))
    var connectionLimit: Int?

    @Option(name: .customLong("log"), help: ArgumentHelp("Append alerts, one readable line each, to this file.", valueName: "file"))
    var log: String?

    @Option(name: .customLong("json-alerts"), help: ArgumentHelp("Append alerts as JSON lines to this file.", valueName: "file"))
    var jsonAlerts: String?

    func validate() throws {
        if let n = connectionLimit, n < 1 { throw ValidationError("--connection-limit takes a number of connections of 1 or more") }
    }

    /// The first option given that only the detectors use, for a clear error when they are off.
    var detectorOption: String? {
        if jsonAlerts != nil { return "--json-alerts" }
        if log != nil { return "--log" }
        if !blocklists.isEmpty { return "--blocklist" }
        if config != nil { return "--config" }
        if connectionLimit != nil { return "--connection-limit" }
        return nil
    }

    /// The block lists in `paths`: a bad line is reported (with `place`, the config that names
    /// the list, when there is one) and skipped; an unreadable file ends the run.
    static func loadBlocklists(_ paths: [String], place: String = "") throws -> Blocklist {
        do {
            return try readBlocklists(paths, place: place)
        } catch {
            diagnostics.error("\(error)")
            throw ExitCode(1)
        }
    }

    /// The block lists in `paths`; a bad line is reported and skipped, an unreadable file is
    /// the error (its message names the file).
    static func readBlocklists(_ paths: [String], place: String = "") throws(Problem) -> Blocklist {
        var list = Blocklist()
        for path in paths {
            do { try list.load(path: path) } catch {
                throw Problem(description: place + error.message)
            }
        }
        for problem in list.problems { diagnostics.warning("\(problem) (skipped)") }
        return list
    }

    /// A config or block list that cannot be used, in one sentence.
    struct Problem: Error, CustomStringConvertible {
        let description: String
    }

    struct Setup {
        var config: DetectionConfig
        var blocklist: Blocklist
        var writer: AlertWriter
    }

    /// The config file (a mistake in it ends the run naming file, line and key), with the
    /// command line over it.
    func loadConfig() throws -> DetectionConfig {
        do {
            return try readConfig()
        } catch {
            diagnostics.error("\(error)")
            throw ExitCode(1)
        }
    }

    /// The config file with the command line over it; a mistake in the file is the error.
    func readConfig() throws(Problem) -> DetectionConfig {
        var c = DetectionConfig()
        if let path = config {
            do { c = try DetectionConfigFile.load(path: path) } catch {
                throw Problem(description: "\(error)")
            }
        }
        c.blocklists += blocklists
        if let log { c.log = log }
        if let jsonAlerts { c.jsonAlerts = jsonAlerts }
        if let connectionLimit { c.connectionLimit = connectionLimit }
        return c
    }

    /// Loads the config and block lists (a bad line is reported and skipped; an unreadable
    /// file ends the run) and opens the alert outputs.
    func open(palette: Palette, terminal: OutputBuffer?) throws -> Setup {
        let config = try loadConfig()
        let list = try Self.loadBlocklists(config.blocklists)
        do throws(CaptureError) {
            let log = try config.log.map { path throws(CaptureError) in try openAppend(path) }
            let json = try config.jsonAlerts.map { path throws(CaptureError) in try openAppend(path) }
            return Setup(config: config, blocklist: list, writer: AlertWriter(terminal: terminal, log: log, json: json, palette: palette))
        } catch {
            diagnostics.error("\(error.message)")
            throw ExitCode(1)
        }
    }
}

func openAppend(_ path: String) throws(CaptureError) -> OutputBuffer {
    let fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o644)
    guard fd >= 0 else { throw CaptureError(.writeFailed, "cannot write \(path): \(String(cString: strerror(errno)))") }
    return OutputBuffer(fd: fd, path: path)
}
