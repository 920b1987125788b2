import ArgumentParser
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

@main
struct Netwatch: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "netwatch",
        abstract: "Capture, decode and show network traffic.",
        discussion: """
            Live capture needs root, or CAP_NET_RAW and CAP_NET_ADMIN. Use netwatch only on networks \
            you own or are allowed to monitor.
            """,
        version: "0.1.0",
        subcommands: [CaptureCommand.self, ConnectionsCommand.self, SocketsCommand.self, TimelineCommand.self, GeoCommand.self, ConfigCommand.self, InterfacesCommand.self],
        defaultSubcommand: CaptureCommand.self
    )

    /// Started bare on a terminal, netwatch asks what to capture; otherwise it never prompts.
    static func main() {
        var arguments = Array(CommandLine.arguments.dropFirst())
        if arguments.isEmpty && isatty(0) == 1 && isatty(1) == 1 {
            guard let answers = InteractiveSetup.run() else { return }
            arguments = answers
        }
        main(arguments)
    }
}

/// Writes one line to standard error.
func printError(_ message: String) {
    var line = message + "\n"
    line.withUTF8 { _ = write(2, $0.baseAddress, $0.count) }
}
