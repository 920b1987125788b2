/// Where the dashboard listens and who may read it.
public struct WebConfiguration: Sendable {
    public var host: String
    public var port: Int
    /// The bearer token (the token file's first line); nil: none asked for (loopback only).
    public var token: String?
    /// Live requests (event streams) one client may hold open at once, and in all.
    public var streamsPerClient = 4
    public var streams = 64
    /// TCP connections one client may hold open at once, and in all.
    public var connectionsPerClient = 32
    public var connections = 512
    /// Requests one client may have in flight at once.
    public var requestsPerClient = 32
    /// The sensor's name, a label on every metric.
    public var sensor: String?

    public init(host: String = "127.0.0.1", port: Int = WebConfiguration.defaultPort, token: String? = nil) {
        self.host = host
        self.port = port
        self.token = token
    }

    public static let defaultPort = 9752

    /// Whether `host` is a loopback address (127.0.0.0/8, ::1, localhost).
    public static func isLoopback(_ host: String) -> Bool {
        host == "localhost" || host == "::1" || host.hasPrefix("127.")
    }

    /// Parses `ADDRESS:PORT`, `[V6]:PORT`, `:PORT` or `PORT`.
    public static func parseListen(_ text: String) -> (host: String, port: Int)? {
        var host = "127.0.0.1"
        var portText = text
        if text.hasPrefix("[") {
            guard let close = text.firstIndex(of: "]") else { return nil }
            host = String(text[text.index(after: text.startIndex)..<close])
            let rest = text[text.index(after: close)...]
            guard rest.hasPrefix(":") else { return nil }
            portText = String(rest.dropFirst())
        } else if let colon = text.lastIndex(of: ":") {
            let h = String(text[..<colon])
            if !h.isEmpty { host = h }
            portText = String(text[text.index(after: colon)...])
        }
        guard let port = Int(portText), (0...65535).contains(port), !host.isEmpty else { return nil }
        return (host, port)
    }
}
