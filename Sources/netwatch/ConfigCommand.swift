import ArgumentParser
import NetwatchDetect

/// `netwatch config`: print the commented default config, or check a config file.
struct ConfigCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "config",
        abstract: "Print the default detection config, or check a config file.",
        discussion: """
            Examples:
              netwatch config --default > netwatch.yaml
              netwatch config --check netwatch.yaml
              netwatch -i eth0 --config netwatch.yaml
            """)

    @Flag(name: .customLong("default"), help: "Print the default config, with a comment on every setting.")
    var printDefault = false

    @Option(name: .customLong("check"), help: ArgumentHelp("Read this config and report the first mistake (file, line, key), or that it is fine.", valueName: "file"))
    var check: String?

    func validate() throws {
        if printDefault == (check != nil) { throw ValidationError("give either --default or --check FILE") }
    }

    func run() throws {
        if printDefault {
            print(DetectionConfig.defaultYAML, terminator: "")
            return
        }
        guard let path = check else { return }
        do {
            let c = try DetectionConfigFile.load(path: path)
            let on = [("port_scan", c.portScan.enabled), ("address_sweep", c.addressSweep.enabled), ("ping_sweep", c.pingSweep.enabled),
                      ("syn_flood", c.synFlood.enabled), ("blocklist", c.blocklist.enabled), ("suspicious", c.suspicious.enabled),
                      ("arp_spoofing", c.arpSpoofing.enabled)].filter(\.1).map(\.0)
            print("\(path): fine; detectors on: \(on.isEmpty ? "none" : on.joined(separator: ", ")); \(c.blocklists.count) block lists")
        } catch {
            printError("netwatch: \(error)")
            throw ExitCode(1)
        }
    }
}
