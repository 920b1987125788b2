/// A mistake in a config file: where it is (file, line, key) and what is wrong, in one sentence.
public struct ConfigError: Error, Sendable, Equatable, CustomStringConvertible {
    public var file: String
    public var line: Int
    /// The key path, `detectors.port_scan.ports`; empty for a syntax error.
    public var key: String
    public var message: String

    public var description: String {
        // Line 0: the file as a whole (it cannot be read), no line to name.
        let place = line > 0 ? "\(file):\(line)" : file
        return key.isEmpty ? "\(place): \(message)" : "\(place): \(key): \(message)"
    }
}
