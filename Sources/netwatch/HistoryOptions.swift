import ArgumentParser
import NetwatchCapture
import NetwatchCentral
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
    @Option(name: .customLong("history"), help: ArgumentHelp("Record conn records, alerts and traffic per second into this SQLite history database (created if missing; runs append), or into a central PostgreSQL: postgresql://user@host/database[?sslmode=require].", valueName: "file|url"))
    var history: String?

    @Option(name: .customLong("history-password-file"), help: ArgumentHelp("The central database's password, the file's first line (else PGPASSWORD, else ~/.pgpass; never in the URL).", valueName: "file"))
    var passwordFile: String?

    @Option(name: .customLong("retention"), help: ArgumentHelp("Drop history older than this, by the records' own times (30d, 12h, 2w).", valueName: "age"))
    var retention: String?

    @Option(name: .customLong("history-max-size"), help: ArgumentHelp("Keep the history file under this size, dropping the oldest first (2GB, 500MB).", valueName: "size"))
    var maxSize: String?

    @Option(name: .customLong("history-queue"), help: ArgumentHelp("Events the history writer may hold while the database is busy or (central) away; live, what does not fit is counted as dropped (default 65536).", valueName: "n"))
    var queue: Int?

    func validate() throws {
        if let queue, queue < 1 { throw ValidationError("--history-queue takes 1 or more") }
        if let retention, Quantity.age(retention) == nil { throw ValidationError("--retention takes an age such as 30d, 12h or 2w, not '\(retention)'") }
        if let maxSize, Quantity.size(maxSize) == nil { throw ValidationError("--history-max-size takes a size such as 2GB or 500MB, not '\(maxSize)'") }
    }

    /// The bounds: the command line's, else the config file's.
    func retentionPolicy(_ config: DetectionConfig?) -> HistoryRetention {
        HistoryRetention(maxAge: retention.flatMap(Quantity.age) ?? config?.historyRetention,
                         maxBytes: maxSize.flatMap(Quantity.size) ?? config?.historyMaxSize)
    }

    /// Opens the store before any capture starts: a bad file, URL, password or server ends
    /// the run with one sentence. The config file's `outputs: history:` if --history is not given.
    func open(config: DetectionConfig?) throws -> HistoryTarget? {
        guard let history = history ?? config?.history else { return nil }
        return try Self.oneSentence {
            if CentralURL.isCentral(history) {
                let environment = Environment.variables()
                let url = try CentralURL(history, environment: environment)
                let password = try url.password(file: passwordFile ?? config?.historyPasswordFile, environment: environment)
                try CentralWriter.check(url: url, password: password)
                return .central(url, password: password)
            }
            if passwordFile != nil {
                diagnostics.error("--history-password-file is for a postgresql:// history, not the file \(history)")
                throw ExitCode(1)
            }
            return .file(try HistoryStore.openForWriting(history, maxBytes: retentionPolicy(config).maxBytes))
        }
    }

    /// Runs `body`; a history or central-database error is its one sentence and exit 1.
    static func oneSentence<T>(_ body: () throws -> T) throws -> T {
        do {
            return try body()
        } catch let error as HistoryError {
            diagnostics.error("\(error.message)")
            throw ExitCode(1)
        } catch let error as CentralError {
            diagnostics.error("\(error.message)")
            throw ExitCode(1)
        }
    }

    /// The store's writer, warning on standard error.
    func writer(_ target: HistoryTarget, config: DetectionConfig?, live: Bool, geo: GeoDatabase? = nil, sensor: SensorOption) throws -> any EventSink {
        switch target {
        case .file(let store): return writer(store, config: config, live: live, geo: geo)
        case .central(let url, let password):
            do {
                let writer = try CentralWriter(url: url, password: password, sensor: sensor.name(config), live: live, retention: retentionPolicy(config), geo: geo,
                                               capacity: queue ?? 1 << 16)
                writer.warn = { diagnostics.warning("\($0)") }
                writer.report = { diagnostics.notice("\($0)") }
                return writer
            } catch {
                diagnostics.error("\(error.message)")
                throw ExitCode(1)
            }
        }
    }

    /// The SQLite store's writer, warning on standard error.
    func writer(_ store: HistoryStore, config: DetectionConfig?, live: Bool, geo: GeoDatabase? = nil) -> HistoryWriter {
        let writer = HistoryWriter(store: store, live: live, retention: retentionPolicy(config), geo: geo, capacity: queue ?? 1 << 16)
        writer.warn = { diagnostics.warning("\($0)") }
        return writer
    }

    func attach(_ target: HistoryTarget?, config: DetectionConfig?, geo: GeoDatabase? = nil, sensor: SensorOption, to pipeline: PacketPipeline, command: String,
                capture: CaptureOptions, live: LiveCapture?) throws {
        guard let target else { return }
        pipeline.add(try writer(target, config: config, live: live != nil, geo: geo, sensor: sensor))
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

/// Where --history records: a SQLite file, or the central PostgreSQL.
enum HistoryTarget {
    case file(HistoryStore)
    case central(CentralURL, password: String?)

    /// The file to hand over to the unprivileged user (none for the central database).
    var path: String? {
        if case .file(let store) = self { return store.path }
        return nil
    }
}
