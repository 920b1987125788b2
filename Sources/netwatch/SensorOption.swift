import ArgumentParser
import NetwatchDetect

/// `--sensor NAME`: which sensor this is, in the central database's rows and as the label on
/// every /metrics series (default: the host name).
struct SensorOption: ParsableArguments {
    @Option(name: .customLong("sensor"), help: ArgumentHelp("This sensor's name: the central database's sensor column and a label on every /metrics series (default: the host name).", valueName: "name"))
    var sensor: String?

    func validate() throws {
        if let sensor, !DetectionConfig.isSensorName(sensor) {
            throw ValidationError("--sensor takes a name of 1 to 64 characters, without quotes, backslashes, tabs or line breaks")
        }
    }

    /// The option, else the config's `outputs: sensor:`, else the host name.
    func name(_ config: DetectionConfig?) -> String { sensor ?? config?.sensor ?? HistoryOptions.hostName() }
}
