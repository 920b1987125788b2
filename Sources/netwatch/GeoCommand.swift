import ArgumentParser
import NetwatchDecode
import NetwatchGeo
import NetwatchView

/// `netwatch geo IP...`: what the GeoIP databases say about addresses.
struct GeoCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "geo",
        abstract: "Look up the country, ASN and organisation of IP addresses in the GeoIP databases.",
        discussion: """
            Reads DB-IP Lite CSV files and MaxMind-format .mmdb files (GeoLite2, DB-IP). An address no
            database covers prints as unknown.
            Examples:
              netwatch geo 1.1.1.1 2606:4700::1111 --geo-path /usr/share/dbip
              netwatch geo 81.2.69.160 --mmdb GeoLite2-Country.mmdb --mmdb GeoLite2-ASN.mmdb --json
            """)

    @Argument(help: ArgumentHelp("IPv4 or IPv6 addresses.", valueName: "ip")) var addresses: [String]
    @OptionGroup var geo: GeoOptions
    @Flag(help: "One JSON object per address: {\"ip\", \"country\", \"asn\", \"org\"}; null when unknown.") var json = false
    @Flag(help: "Each .mmdb file's whole record for each address, as JSON lines.") var raw = false

    func run() throws {
        let db = try geo.load(required: true, what: "netwatch geo")
        let out = OutputBuffer(fd: 1)
        var failed = false
        for text in addresses {
            guard let address = IPAddress(text) else {
                printError("netwatch: '\(TerminalText.safe(text))' is not an IP address")
                failed = true
                continue
            }
            if raw {
                for m in db.mmdbs {
                    do {
                        let found = try m.find(address)
                        let record = try m.record(for: address)
                        out.string("{\"ip\": \"\(address)\", \"file\": \(JSONText.string(m.path)), \"prefix_length\": \(found.map { String($0.prefixLength) } ?? "null"), \"record\": \(record?.json ?? "null")}\n")
                    } catch {
                        printError("netwatch: \(error.message)")
                        failed = true
                    }
                }
                continue
            }
            let (info, problem) = db.lookup(address)
            if let problem {
                printError("netwatch: \(problem.message)")
                failed = true
            }
            out.string((json ? GeoText.json(address, info) : GeoText.line(address, info)) + "\n")
        }
        out.flush()
        if failed { throw ExitCode(1) }
    }
}
