import ArgumentParser
import NetwatchPipeline
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

@main
struct Netwatch: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "netwatch",
        abstract: "Network traffic and connection monitor: capture, decode, track, detect, remember, report.",
        discussion: """
            Live capture needs root, or CAP_NET_RAW and CAP_NET_ADMIN; started as root, monitor and serve \
            run as the 'netwatch' user (or -Z USER) once capture is open. Use netwatch only on networks \
            you own or are allowed to monitor. Without a command, netwatch runs 'capture'.
            """,
        version: "1.1.0",
        subcommands: [CaptureCommand.self, MonitorCommand.self, ServeCommand.self, ConnectionsCommand.self, SocketsCommand.self, TimelineCommand.self, HistoryCommand.self, ReportCommand.self, GeoCommand.self, ConfigCommand.self, InterfacesCommand.self],
        defaultSubcommand: CaptureCommand.self
    )

    /// Started bare on a terminal, netwatch asks what to capture; otherwise it never prompts.
    static func main() {
        DiagnosticLog.bootstrap()
        var arguments = Array(CommandLine.arguments.dropFirst())
        if arguments.isEmpty && isatty(0) == 1 && isatty(1) == 1 {
            guard let answers = InteractiveSetup.run() else { return }
            arguments = answers
        }
        if let mistake = commandMistake(arguments) {
            diagnostics.error("\(mistake)")
            Netwatch.exit(withError: ExitCode(2))
        }
        main(arguments)
    }

    /// Words of pcap-filter(7) that can open an expression: never read as a mistyped command.
    static let filterWords: Set<String> = [
        "host", "net", "port", "portrange", "src", "dst", "ether", "fddi", "tr", "wlan", "ip", "ip6", "arp", "rarp",
        "tcp", "udp", "icmp", "icmp6", "sctp", "proto", "not", "and", "or", "vlan", "mpls", "pppoed", "pppoes", "geneve",
        "less", "greater", "gateway", "broadcast", "multicast", "inbound", "outbound", "ifname", "on", "rnr", "rulenum",
        "reason", "rset", "ruleset", "srnr", "subrulenum", "action", "type", "subtype", "dir", "iso", "clnp", "esis", "isis",
        "decnet", "lat", "moprc", "mopdl", "atalk", "aarp", "ipx", "netbeui", "stp", "sca", "llc", "len", "igmp", "igrp",
        "pim", "ah", "esp", "vrrp", "carp",
    ]

    /// A first word that is neither a command nor a filter but is close to a command
    /// (`conections`), or `help` with a command that does not exist: what to say, or nil.
    static func commandMistake(_ arguments: [String]) -> String? {
        let names = configuration.subcommands.map { $0.configuration.commandName ?? "" }
        guard let first = arguments.first, !first.hasPrefix("-") else { return nil }
        if first == "help" {
            guard arguments.count > 1, !arguments[1].hasPrefix("-"), !names.contains(arguments[1]) else { return nil }
            return "no command \"\(arguments[1])\"; the commands are \(names.joined(separator: ", "))"
        }
        let word = first.lowercased()
        guard !names.contains(first), !filterWords.contains(word), word.allSatisfy(\.isLetter) else { return nil }
        let near = names.map { ($0, editDistance(word, $0)) }.min { $0.1 < $1.1 }
        guard let (name, distance) = near, distance <= (name.count >= 8 ? 2 : 1) else { return nil }
        return "unknown command \"\(first)\"; did you mean \"\(name)\"? (a filter starts with a pcap-filter(7) word such as host, port, tcp)"
    }

    /// Levenshtein distance: edits (insert, delete, replace) from `a` to `b`.
    static func editDistance(_ a: String, _ b: String) -> Int {
        let x = Array(a), y = Array(b)
        var row = Array(0...y.count)
        for i in 1...max(x.count, 1) where !x.isEmpty {
            var previous = row[0]
            row[0] = i
            for j in 1...max(y.count, 1) where !y.isEmpty {
                let old = row[j]
                row[j] = min(row[j] + 1, row[j - 1] + 1, previous + (x[i - 1] == y[j - 1] ? 0 : 1))
                previous = old
            }
        }
        return row[y.count]
    }
}

