import NetwatchPipeline
import ArgumentParser
import NetwatchCapture

/// `netwatch interfaces` (or `netwatch -D`): what can be captured on.
struct InterfacesCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "interfaces",
        abstract: "List the interfaces netwatch can capture on, with addresses and state.")

    func run() throws {
        try Self.list()
    }

    static func list() throws {
        let interfaces: [NetworkInterface]
        do {
            interfaces = try NetworkInterface.all()
        } catch {
            diagnostics.error("\(error.message)")
            throw ExitCode(1)
        }
        for (index, interface) in interfaces.enumerated() {
            print(describe(interface, number: index + 1))
        }
    }

    static func describe(_ interface: NetworkInterface, number: Int) -> String {
        var state = interface.isUp ? "up" : "down"
        if interface.isUp && interface.isRunning { state += ", running" }
        if interface.isLoopback { state += ", loopback" }
        var line = "\(number).\(interface.name) [\(state)]"
        if !interface.addresses.isEmpty { line += " " + interface.addresses.joined(separator: " ") }
        if let description = interface.description { line += " (\(description))" }
        return line
    }
}
