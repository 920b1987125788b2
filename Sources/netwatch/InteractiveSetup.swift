import NetwatchPipeline
import NetwatchCapture

/// The short set-up netwatch offers when started bare on a terminal: interface, filter,
/// display mode. Returns the equivalent command-line arguments, or nil on end of input.
enum InteractiveSetup {
    static let filters: [(label: String, expression: String?)] = [
        ("all traffic", ""), ("TCP", "tcp"), ("UDP", "udp"), ("ICMP", "icmp or icmp6"),
        ("HTTP/HTTPS", "tcp port 80 or tcp port 443"), ("DNS", "port 53"), ("custom BPF expression", nil),
    ]
    static let modes = ["compact", "detailed", "minimal"]

    static func run() -> [String]? {
        print("netwatch: interactive set-up (Ctrl+D to quit; run 'netwatch --help' for options)\n")
        let interfaces = (try? NetworkInterface.all()) ?? []
        for (index, interface) in interfaces.enumerated() {
            print("  " + InterfacesCommand.describe(interface, number: index + 1))
        }
        var arguments: [String] = []
        while true {
            guard let answer = ask("\nInterface (number or name, blank for all): ") else { return nil }
            if answer.isEmpty {
                arguments += ["-i", "any"]
            } else if let number = Int(answer), number >= 1, number <= interfaces.count {
                arguments += ["-i", interfaces[number - 1].name]
            } else if interfaces.contains(where: { $0.name == answer }) {
                arguments += ["-i", answer]
            } else {
                print("No interface \"\(answer)\": give its number or name.")
                continue
            }
            break
        }
        print("\nFilter:")
        for (index, filter) in filters.enumerated() { print("  \(index + 1). \(filter.label)") }
        var expression = ""
        while true {
            guard let answer = ask("Choice [1]: ") else { return nil }
            let choice = answer.isEmpty ? 1 : Int(answer) ?? 0
            guard choice >= 1 && choice <= filters.count else {
                print("Give a number from 1 to \(filters.count).")
                continue
            }
            if let fixed = filters[choice - 1].expression {
                expression = fixed
            } else {
                // Asked again until it compiles: a bad one would only fail once capture starts.
                while true {
                    guard let custom = ask("BPF expression (pcap-filter(7)): ") else { return nil }
                    do {
                        if !custom.isEmpty { _ = try OfflineFilter(custom) }
                        expression = custom
                        break
                    } catch {
                        print("\(error.message). Try again (blank for all traffic).")
                    }
                }
            }
            break
        }
        print("\nDisplay mode:")
        for (index, mode) in modes.enumerated() { print("  \(index + 1). \(mode)") }
        while true {
            guard let answer = ask("Choice [1]: ") else { return nil }
            let choice = answer.isEmpty ? 1 : Int(answer) ?? 0
            guard choice >= 1 && choice <= modes.count else {
                print("Give a number from 1 to \(modes.count).")
                continue
            }
            arguments += ["--mode", modes[choice - 1]]
            break
        }
        if !expression.isEmpty { arguments.append(expression) }
        print("")
        return arguments
    }

    private static func ask(_ prompt: String) -> String? {
        print(prompt, terminator: "")
        return readLine()?.trimmingWhitespace
    }
}

extension String {
    var trimmingWhitespace: String {
        let scalars = unicodeScalars
        guard let first = scalars.firstIndex(where: { !$0.properties.isWhitespace }),
            let last = scalars.lastIndex(where: { !$0.properties.isWhitespace })
        else { return "" }
        return String(scalars[first...last])
    }
}
