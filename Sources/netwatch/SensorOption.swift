import ArgumentParser

/// `--sensor NAME`: which sensor this is, in the central database's rows and as the label on
/// every /metrics series (default: the host name).
struct SensorOption: ParsableArguments {
    @Option(name: .customLong("sensor"), help: ArgumentHelp("This sensor's name: the central database's sensor column and a label on every /metrics series (default: the host name).", valueName: "name"))
    var sensor: String?

    func validate() throws {
        if let sensor, sensor.isEmpty || sensor.count > 64 || sensor.contains(where: { $0.isNewline || $0 == "\"" || $0 == "\\" || $0 == "\t" }) {
            throw ValidationError("--sensor takes a name of 1 to 64 characters, without quotes, backslashes, tabs or line breaks")
        }
    }

    var name: String { sensor ?? HistoryOptions.hostName() }
}
