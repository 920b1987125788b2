import ArgumentParser
import Logging
import NetwatchPipeline

/// `--log-level`: how much of netwatch's own diagnostics reach standard error (or the journal).
struct LoggingOptions: ParsableArguments {
    @Option(name: .customLong("log-level"), help: ArgumentHelp("Diagnostics shown: trace, debug, info, notice, warning, error or critical (default info; also NETWATCH_LOG_LEVEL).", valueName: "level"))
    var level: String?

    func validate() throws {
        guard let level else { return }
        guard let l = Logger.Level(rawValue: level.lowercased()) else {
            throw ValidationError("--log-level takes trace, debug, info, notice, warning, error or critical")
        }
        DiagnosticLog.level = l
    }
}
