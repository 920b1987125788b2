import NetwatchPipeline
import ArgumentParser
import NetwatchDetect
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

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

    @Option(name: .customLong("check"), help: ArgumentHelp("Read this config, load its block lists and check its output folders, as a run would; report the first mistake (file, line, key), or that it is fine.", valueName: "file"))
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
        let c: DetectionConfig
        do { c = try DetectionConfigFile.load(path: path) } catch {
            diagnostics.error("\(error)")
            throw ExitCode(1)
        }
        // Every start-up step that can fail, as a run takes it: block lists, output folders.
        let list = try AlertOptions.loadBlocklists(c.blocklists, place: "\(path): blocklists: ")
        for (key, file) in [("outputs.log", c.log), ("outputs.json_alerts", c.jsonAlerts)] {
            guard let file else { continue }
            if let problem = Self.unwritable(file) {
                diagnostics.error("\(path): \(key): cannot write \(file): \(problem)")
                throw ExitCode(1)
            }
        }
        let on = [("port_scan", c.portScan.enabled), ("address_sweep", c.addressSweep.enabled), ("ping_sweep", c.pingSweep.enabled),
                  ("syn_flood", c.synFlood.enabled), ("blocklist", c.blocklist.enabled), ("suspicious", c.suspicious.enabled),
                  ("arp_spoofing", c.arpSpoofing.enabled)].filter(\.1).map(\.0)
        print("\(path): fine; detectors on: \(on.isEmpty ? "none" : on.joined(separator: ", ")); \(c.blocklists.count) block lists (\(list.entries.count) entries)")
    }

    /// Why `file` could not be appended to, or nil: checked without creating it.
    static func unwritable(_ file: String) -> String? {
        if access(file, F_OK) == 0 { return access(file, W_OK) == 0 ? nil : String(cString: strerror(errno)) }
        let folder = file.lastIndex(of: "/").map { String(file[..<$0]) } ?? "."
        if access(folder.isEmpty ? "/" : folder, W_OK) == 0 { return nil }
        return "its folder \(folder.isEmpty ? "/" : folder): \(String(cString: strerror(errno)))"
    }
}
