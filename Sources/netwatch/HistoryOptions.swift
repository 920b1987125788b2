import ArgumentParser
import NetwatchCapture
import NetwatchEvents
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

    /// Opens the store before any capture starts: a bad file ends the run with one sentence.
    /// `configured` is the config file's `outputs: history:`, which --history overrides.
    func open(configured: String? = nil) throws -> HistoryStore? {
        guard let history = history ?? configured else { return nil }
        do {
            return try HistoryStore.openForWriting(history)
        } catch {
            printError("netwatch: \(error.message)")
            throw ExitCode(1)
        }
    }

    /// The store's sink, told of this run.
    static func attach(_ store: HistoryStore?, to pipeline: PacketPipeline, command: String, capture: CaptureOptions, live: LiveCapture?) {
        guard let store else { return }
        let writer = HistoryWriter(store: store, live: live != nil)
        writer.warn = { printError($0) }
        pipeline.add(writer)
        pipeline.runInfo = RunInfo(
            started: PacketPipeline.realTimeSeconds(), command: command,
            interfaces: live.map { $0.interfaceNames.joined(separator: ",") }, file: capture.read,
            filter: capture.expression.isEmpty ? nil : capture.expression.joined(separator: " "),
            host: hostName(), version: Netwatch.configuration.version)
    }

    static func hostName() -> String {
        var buffer = [CChar](repeating: 0, count: 256)
        guard gethostname(&buffer, buffer.count - 1) == 0 else { return "?" }
        return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}
