import NetwatchHost
import Yams
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Reads a YAML config over the defaults. Every key is checked: an unknown key, a value of the
/// wrong type or an impossible value is a `ConfigError` naming the file, the line and the key.
/// Relative paths (block lists, outputs) are taken from the config file's folder.
public enum DetectionConfigFile {
    public static func load(path: String) throws(ConfigError) -> DetectionConfig {
        guard let text = ProcFile.text(path) else {
            throw ConfigError(file: path, line: 0, key: "", message: "cannot read the config file: \(String(cString: strerror(errno)))")
        }
        var folder = ""
        if let slash = path.lastIndex(of: "/") { folder = String(path[...slash]) }
        return try parse(text, file: path, folder: folder)
    }

    public static func parse(_ text: String, file: String, folder: String = "") throws(ConfigError) -> DetectionConfig {
        let root: Node?
        do {
            root = try Yams.compose(yaml: text)
        } catch let error as YamlError {
            throw syntaxError(error, file: file, text: text)
        } catch {
            throw ConfigError(file: file, line: 1, key: "", message: "not YAML: \(error)")
        }
        var config = DetectionConfig()
        guard let root else { return config }  // empty file: all defaults
        let r = Reader(file: file, folder: folder)
        try r.mapping(root, path: "") { (key: String, value: Node, path: String) throws(ConfigError) in
            switch key {
            case "home_networks":
                config.homeNetworks = try r.list(value, path: path) { (n: Node, p: String) throws(ConfigError) in try r.network(n, path: p) }
            case "blocklists":
                config.blocklists = try r.list(value, path: path) { (n: Node, p: String) throws(ConfigError) in try r.file(n, path: p) }
            case "outputs":
                try r.mapping(value, path: path) { (key: String, value: Node, path: String) throws(ConfigError) in
                    switch key {
                    case "log": config.log = try r.optionalFile(value, path: path)
                    case "json_alerts": config.jsonAlerts = try r.optionalFile(value, path: path)
                    case "history":
                        // A central database's URL as it is; a file relative to this file's folder.
                        if case .scalar(let s) = value, s.string.hasPrefix("postgresql://") || s.string.hasPrefix("postgres://") {
                            config.history = s.string
                        } else {
                            config.history = try r.optionalFile(value, path: path)
                        }
                    case "history_password_file": config.historyPasswordFile = try r.optionalFile(value, path: path)
                    case "sensor":
                        if case .scalar(let s) = value, s.string.isEmpty || s.string == "~" || s.string == "null" { break }
                        let name = try r.scalar(value, path, "a sensor name")
                        guard DetectionConfig.isSensorName(name) else {
                            throw r.fail(value, path, "a sensor name has 1 to 64 characters, without quotes, backslashes, tabs or line breaks")
                        }
                        config.sensor = name
                    case "history_retention": config.historyRetention = try r.quantity(value, path: path, "an age such as 30d or 12h", Quantity.age)
                    case "history_max_size": config.historyMaxSize = try r.quantity(value, path: path, "a size such as 2GB or 500MB", Quantity.size)
                    case "ipfix": config.ipfix = try r.collector(value, path: path)
                    case "ipfix_domain": config.ipfixDomain = UInt32(try r.integer(value, path: path, in: 0...Int(UInt32.max)))
                    case "ipfix_active_timeout":
                        config.ipfixActiveTimeout = try r.quantity(value, path: path, "an age such as 60s or 5m", Quantity.age) ?? DetectionConfig().ipfixActiveTimeout
                    default:
                        throw r.unknown(value, path: path, known: ["log", "json_alerts", "history", "history_retention", "history_max_size", "history_password_file", "sensor",
                                                                   "ipfix", "ipfix_domain", "ipfix_active_timeout"])
                    }
                }
            case "suppress": config.suppress = try r.number(value, path: path, in: 1...86_400)
            case "connection_limit": config.connectionLimit = try r.integer(value, path: path, in: 1...1_000_000)
            case "max_tracked": config.maxTracked = try r.integer(value, path: path, in: 1024...10_000_000)
            case "detectors":
                try r.mapping(value, path: path) { (key: String, value: Node, path: String) throws(ConfigError) in
                    switch key {
                    case "port_scan":
                        try r.mapping(value, path: path) { (key: String, value: Node, path: String) throws(ConfigError) in
                            switch key {
                            case "enabled": config.portScan.enabled = try r.bool(value, path: path)
                            case "ports": config.portScan.ports = try r.integer(value, path: path, in: 2...65_536)
                            case "window": config.portScan.window = try r.number(value, path: path, in: 1...86_400)
                            default: throw r.unknown(value, path: path, known: ["enabled", "ports", "window"])
                            }
                        }
                    case "address_sweep", "ping_sweep":
                        var sweep = key == "ping_sweep" ? config.pingSweep : config.addressSweep
                        try r.mapping(value, path: path) { (key: String, value: Node, path: String) throws(ConfigError) in
                            switch key {
                            case "enabled": sweep.enabled = try r.bool(value, path: path)
                            case "hosts": sweep.hosts = try r.integer(value, path: path, in: 2...16_777_216)
                            case "window": sweep.window = try r.number(value, path: path, in: 1...86_400)
                            default: throw r.unknown(value, path: path, known: ["enabled", "hosts", "window"])
                            }
                        }
                        if key == "ping_sweep" { config.pingSweep = sweep } else { config.addressSweep = sweep }
                    case "syn_flood":
                        try r.mapping(value, path: path) { (key: String, value: Node, path: String) throws(ConfigError) in
                            switch key {
                            case "enabled": config.synFlood.enabled = try r.bool(value, path: path)
                            case "rate": config.synFlood.rate = try r.number(value, path: path, in: 1...100_000_000)
                            case "window": config.synFlood.window = try r.number(value, path: path, in: 1...3600)
                            case "completed_ratio": config.synFlood.completedRatio = try r.number(value, path: path, in: 0...1)
                            default: throw r.unknown(value, path: path, known: ["enabled", "rate", "window", "completed_ratio"])
                            }
                        }
                    case "blocklist", "arp_spoofing":
                        var toggle = key == "blocklist" ? config.blocklist : config.arpSpoofing
                        try r.mapping(value, path: path) { (key: String, value: Node, path: String) throws(ConfigError) in
                            guard key == "enabled" else { throw r.unknown(value, path: path, known: ["enabled"]) }
                            toggle.enabled = try r.bool(value, path: path)
                        }
                        if key == "blocklist" { config.blocklist = toggle } else { config.arpSpoofing = toggle }
                    case "suspicious":
                        try r.mapping(value, path: path) { (key: String, value: Node, path: String) throws(ConfigError) in
                            switch key {
                            case "enabled": config.suspicious.enabled = try r.bool(value, path: path)
                            case "invalid_flags": config.suspicious.invalidFlags = try r.bool(value, path: path)
                            case "watched_ports":
                                config.suspicious.watchedPorts = try r.list(value, path: path) { (n: Node, p: String) throws(ConfigError) in
                                    UInt16(try r.integer(n, path: p, in: 1...65_535))
                                }
                            default: throw r.unknown(value, path: path, known: ["enabled", "watched_ports", "invalid_flags"])
                            }
                        }
                    default:
                        throw r.unknown(value, path: path, known: ["port_scan", "address_sweep", "ping_sweep", "syn_flood", "blocklist", "suspicious", "arp_spoofing"])
                    }
                }
            default:
                throw r.unknown(value, path: path, known: ["home_networks", "blocklists", "outputs", "suppress", "connection_limit", "max_tracked", "detectors"])
            }
        }
        return config
    }

    static func syntaxError(_ error: YamlError, file: String, text: String) -> ConfigError {
        switch error {
        case .duplicatedKeysInMapping(let duplicates, let context):
            // Yams names the mapping; the line people need is the key's second appearance.
            let key = duplicates.first ?? ""
            var seen = 0
            for (n, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
                let trimmed = line.drop { $0 == " " || $0 == "-" }
                if trimmed.hasPrefix(key + ":") {
                    seen += 1
                    if seen == 2 { return ConfigError(file: file, line: n + 1, key: key, message: "this key is given twice") }
                }
            }
            return ConfigError(file: file, line: context.mark.line, key: key, message: "this key is given twice")
        case .scanner(_, let problem, let mark, _), .parser(_, let problem, let mark, _), .composer(_, let problem, let mark, _):
            return ConfigError(file: file, line: mark.line, key: "", message: "not valid YAML: \(problem)")
        default:
            return ConfigError(file: file, line: 1, key: "", message: "not valid YAML: \(error)")
        }
    }

    /// Typed reads of nodes; each failure names the node's line and key path.
    struct Reader {
        let file: String
        let folder: String

        func fail(_ node: Node, _ path: String, _ message: String) -> ConfigError {
            ConfigError(file: file, line: node.mark?.line ?? 0, key: path, message: message)
        }

        func mapping(_ node: Node, path: String, _ each: (String, Node, String) throws(ConfigError) -> Void) throws(ConfigError) {
            if case .scalar(let s) = node, s.string.isEmpty || s.string == "~" || s.string == "null" { return }  // `key:` with nothing under it
            guard case .mapping(let m) = node else { throw fail(node, path, "expected a mapping of keys, found \(kind(node))") }
            var seen = Set<String>()
            for (k, v) in m {
                guard case .scalar(let keyScalar) = k else { throw fail(k, path, "a key must be a plain word") }
                let name = keyScalar.string
                let full = path.isEmpty ? name : path + "." + name
                guard seen.insert(name).inserted else { throw fail(k, full, "this key is given twice") }
                try each(name, v, full)
            }
        }

        func unknown(_ node: Node, path: String, known: [String]) -> ConfigError {
            let name = path.split(separator: ".").last.map(String.init) ?? path
            return ConfigError(file: file, line: (node.mark?.line ?? 1), key: path,
                               message: "unknown key '\(name)' (known here: \(known.joined(separator: ", ")))")
        }

        func scalar(_ node: Node, _ path: String, _ expected: String) throws(ConfigError) -> String {
            guard case .scalar(let s) = node else { throw fail(node, path, "expected \(expected), found \(kind(node))") }
            return s.string
        }

        func bool(_ node: Node, path: String) throws(ConfigError) -> Bool {
            let s = try scalar(node, path, "true or false")
            switch s.lowercased() {
            case "true", "yes", "on": return true
            case "false", "no", "off": return false
            default: throw fail(node, path, "expected true or false, found '\(printable(s))'")
            }
        }

        func integer(_ node: Node, path: String, in range: ClosedRange<Int>) throws(ConfigError) -> Int {
            let s = try scalar(node, path, "a whole number")
            guard let n = Int(s) else { throw fail(node, path, "expected a whole number, found '\(printable(s))'") }
            guard range.contains(n) else { throw fail(node, path, "\(n) is out of range (\(range.lowerBound) to \(range.upperBound))") }
            return n
        }

        func number(_ node: Node, path: String, in range: ClosedRange<Double>) throws(ConfigError) -> Double {
            let s = try scalar(node, path, "a number")
            guard let n = Double(s), n.isFinite else { throw fail(node, path, "expected a number, found '\(printable(s))'") }
            guard range.contains(n) else { throw fail(node, path, "\(s) is out of range (\(format(range.lowerBound)) to \(format(range.upperBound)))") }
            return n
        }

        func list<T>(_ node: Node, path: String, _ item: (Node, String) throws(ConfigError) -> T) throws(ConfigError) -> [T] {
            guard case .sequence(let seq) = node else { throw fail(node, path, "expected a list, found \(kind(node))") }
            var out: [T] = []
            for (i, n) in seq.enumerated() { out.append(try item(n, "\(path)[\(i)]")) }
            return out
        }

        func network(_ node: Node, path: String) throws(ConfigError) -> String {
            let s = try scalar(node, path, "an IP network")
            guard NetworkSet.parse(s) != nil else { throw fail(node, path, "'\(printable(s))' is not an IP address or CIDR network") }
            return s
        }

        func file(_ node: Node, path: String) throws(ConfigError) -> String {
            let s = try scalar(node, path, "a file path")
            guard !s.isEmpty else { throw fail(node, path, "expected a file path, found nothing") }
            return s.hasPrefix("/") ? s : folder + s
        }

        /// An age or a size, or nothing (no bound).
        func quantity<T>(_ node: Node, path: String, _ what: String, _ parse: (String) -> T?) throws(ConfigError) -> T? {
            if case .scalar(let s) = node, s.string.isEmpty || s.string == "~" || s.string == "null" { return nil }
            let s = try scalar(node, path, what)
            guard let v = parse(s) else { throw fail(node, path, "expected \(what), found '\(printable(s))'") }
            return v
        }

        /// An IPFIX collector: HOST:PORT, [V6]:PORT, udp:// or tcp:// before it; or nothing.
        func collector(_ node: Node, path: String) throws(ConfigError) -> String? {
            if case .scalar(let s) = node, s.string.isEmpty || s.string == "~" || s.string == "null" { return nil }
            let s = try scalar(node, path, "a collector HOST:PORT")
            let target = s.hasPrefix("tcp://") || s.hasPrefix("udp://") ? String(s.dropFirst(6)) : s
            let port = target.split(separator: ":").last.flatMap { Int($0) } ?? 0
            guard target.contains(":"), (1...65_535).contains(port), !target.hasPrefix(":") else {
                throw fail(node, path, "expected a collector HOST:PORT (or tcp://HOST:PORT), found '\(printable(s))'")
            }
            return s
        }

        func optionalFile(_ node: Node, path: String) throws(ConfigError) -> String? {
            if case .scalar(let s) = node, s.string.isEmpty || s.string == "~" || s.string == "null" { return nil }
            return try file(node, path: path)
        }

        func kind(_ node: Node) -> String {
            switch node {
            case .scalar(let s): "'\(printable(s.string))'"
            case .mapping: "a mapping"
            case .sequence: "a list"
            case .alias: "an alias"
            }
        }

        func printable(_ s: String) -> String { Blocklist.quoted(s).dropFirst().dropLast().description }

        func format(_ d: Double) -> String { d == d.rounded() ? String(Int(d)) : String(d) }
    }
}
