import ArgumentParser
import NetwatchCapture
import NetwatchDetect
import NetwatchEvents
import NetwatchGeo
import NetwatchHistory
import NetwatchPipeline
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// `--history FILE`: record flows, alerts and traffic into a history database.
struct HistoryOptions: ParsableArguments {
    @Option(name: .customLong("history"), help: ArgumentHelp("Record conn records, alerts and traffic per second into this SQLite history database (created if missing; runs append).", valueName: "file"))
    var history: String?

    @Option(name: .customLong("retention"), help: ArgumentHelp("Drop history older than this, by the records' own times (30d, 12h, 2w).", valueName: "age"))
    var retention: String?

    @Option(name: .customLong("history-max-size"), help: ArgumentHelp("Keep the history file under this size, dropping the oldest first (2GB, 500MB).", valueName: "size"))
    var maxSize: String?

    func validate() throws {
        if let retention, Quantity.age(retention) == nil { throw ValidationError("--retention takes an age such as 30d, 12h or 2w, not '\(retention)'") }
        if let maxSize, Quantity.size(maxSize) == nil { throw ValidationError("--history-max-size takes a size such as 2GB or 500MB, not '\(maxSize)'") }
    }

    /// The bounds: the command line's, else the config file's.
    func retentionPolicy(_ config: DetectionConfig?) -> HistoryRetention {
        HistoryRetention(maxAge: retention.flatMap(Quantity.age) ?? config?.historyRetention,
                         maxBytes: maxSize.flatMap(Quantity.size) ?? config?.historyMaxSize)
    }

    /// Opens the store before any capture starts: a bad file ends the run with one sentence.
    /// `configured` is the config file's `outputs: history:`, which --history overrides.
    func open(config: DetectionConfig?) throws -> HistoryStore? {
        guard let history = history ?? config?.history else { return nil }
        do {
            return try HistoryStore.openForWriting(history, maxBytes: retentionPolicy(config).maxBytes)
        } catch {
            diagnostics.error("\(error.message)")
            throw ExitCode(1)
        }
    }

    /// The store's sink, told of this run.
    /// The store's writer, warning on standard error.
    func writer(_ store: HistoryStore, config: DetectionConfig?, live: Bool, geo: GeoDatabase? = nil) -> HistoryWriter {
        let writer = HistoryWriter(store: store, live: live, retention: retentionPolicy(config), geo: geo)
        writer.warn = { diagnostics.warning("\($0)") }
        return writer
    }

    func attach(_ store: HistoryStore?, config: DetectionConfig?, geo: GeoDatabase? = nil, to pipeline: PacketPipeline, command: String,
                capture: CaptureOptions, live: LiveCapture?) {
        guard let store else { return }
        pipeline.add(writer(store, config: config, live: live != nil, geo: geo))
        pipeline.runInfo = Self.runInfo(command: command, capture: capture, live: live)
    }

    /// This run as the history and the report record it.
    static func runInfo(command: String, capture: CaptureOptions, live: LiveCapture?) -> RunInfo {
        RunInfo(started: PacketPipeline.realTimeSeconds(), command: command,
                interfaces: live.map { $0.interfaceNames.joined(separator: ",") }, file: capture.read,
                filter: capture.expression.isEmpty ? nil : capture.expression.joined(separator: " "),
                host: hostName(), version: Netwatch.configuration.version)
    }

    /// The GeoIP databases for the conn records' country and AS columns: loaded only when
    /// --geo-path or --mmdb names them (the caller asks when there is a store: --history or
    /// the config's `outputs: history:`).
    func geo(_ options: GeoOptions) throws -> GeoDatabase? {
        guard options.geoPath != nil || !options.mmdbs.isEmpty else { return nil }
        return try options.load(required: true, what: "--history's country and AS columns")
    }

    static func hostName() -> String {
        var buffer = [CChar](repeating: 0, count: 256)
        guard gethostname(&buffer, buffer.count - 1) == 0 else { return "?" }
        return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}
