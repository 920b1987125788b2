import Logging
import Synchronization
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// netwatch's own diagnostics (errors, warnings, what it is doing), through swift-log. On a
/// terminal or a pipe a line reads `netwatch: message` (`netwatch: warning: ...` for
/// warnings), as before; under systemd, whose journal reads standard error, each line
/// starts with its syslog priority instead (`<4>...`, sd-daemon(3)), so `journalctl -p`
/// filters by level. Packets, connections and alerts are output, not diagnostics: they do
/// not come this way.
public struct DiagnosticLog: LogHandler {
    /// The level set by `--log-level` (or `NETWATCH_LOG_LEVEL`); messages below it are dropped.
    private static let threshold = Atomic<UInt8>(DiagnosticLog.rank(.info))
    /// Whether standard error is the journal (systemd's JOURNAL_STREAM names its device and inode).
    public static let toJournal: Bool = {
        guard let value = getenv("JOURNAL_STREAM").map({ String(cString: $0) }) else { return false }
        var st = stat()
        guard fstat(2, &st) == 0 else { return false }
        return value == "\(st.st_dev):\(st.st_ino)"
    }()

    public var metadata: Logger.Metadata = [:]
    /// A logger's own level, when its owner sets one (libraries do); otherwise `--log-level`'s.
    private var ownLevel: Logger.Level?
    public var logLevel: Logger.Level {
        get { ownLevel ?? Self.level }
        set { ownLevel = newValue }
    }

    public init(label: String) {}

    /// Installs the handler (once, before the first message).
    public static func bootstrap() {
        if let text = getenv("NETWATCH_LOG_LEVEL").map({ String(cString: $0) }), let l = Logger.Level(rawValue: text.lowercased()) { level = l }
        LoggingSystem.bootstrap { DiagnosticLog(label: $0) }
    }

    public static var level: Logger.Level {
        get { Logger.Level.allCases.first { rank($0) == threshold.load(ordering: .relaxed) } ?? .info }
        set { threshold.store(rank(newValue), ordering: .relaxed) }
    }

    static func rank(_ l: Logger.Level) -> UInt8 { UInt8(Logger.Level.allCases.firstIndex(of: l) ?? 2) }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        guard Self.rank(event.level) >= Self.rank(logLevel) else { return }
        var line = Self.toJournal ? "<\(Self.syslogPriority(event.level))>" : "netwatch: "
        switch event.level {
        case .warning where !Self.toJournal: line += "warning: "
        case .debug, .trace: line += "debug: "
        default: break
        }
        line += "\(event.message)\n"
        line.withUTF8 { _ = write(2, $0.baseAddress, $0.count) }
    }

    /// syslog(3) priorities, as journald reads them from a `<N>` prefix.
    static func syslogPriority(_ l: Logger.Level) -> Int {
        switch l {
        case .critical: 2
        case .error: 3
        case .warning: 4
        case .notice: 5
        case .info: 6
        case .debug, .trace: 7
        }
    }
}

/// The one logger netwatch's modules and commands write their diagnostics to.
public let diagnostics = Logger(label: "netwatch")
