import NetwatchPipeline
import ArgumentParser
import NetwatchCapture
import NetwatchDecode
import NetwatchGeo
import NetwatchView

/// `netwatch geo IP...`: what the GeoIP databases say about addresses.
struct GeoCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "geo",
        abstract: "Look up the country, ASN and organisation of IP addresses in the GeoIP databases.",
        discussion: """
            Reads DB-IP Lite CSV files and MaxMind-format .mmdb files (GeoLite2, DB-IP). An address no \
            database covers prints as unknown.
            Examples:
              netwatch geo 1.1.1.1 2606:4700::1111 --geo-path /usr/share/dbip
              netwatch geo 81.2.69.160 --mmdb GeoLite2-ASN.mmdb --json
            """)

    @Argument(help: ArgumentHelp("IPv4 or IPv6 addresses.", valueName: "ip")) var addresses: [String] = []
    @OptionGroup var geo: GeoOptions
    @Flag(help: "One JSON object per address: {\"ip\", \"country\", \"asn\", \"org\"}; null when unknown.") var json = false
    @Flag(help: "Each .mmdb file's whole record for each address, as JSON lines.") var raw = false
    @Option(name: .customLong("bench-lookups"), help: ArgumentHelp("Time loading the databases and N lookups of random addresses (benchmark).", visibility: .hidden))
    var benchLookups: Int?

    func validate() throws {
        if addresses.isEmpty && benchLookups == nil { throw ValidationError("give one or more IP addresses") }
    }

    func run() throws {
        let t0 = MonotonicClock.seconds()
        let db = try geo.load(required: true, what: "netwatch geo")
        if let n = benchLookups { return bench(db, lookups: n, loadSeconds: MonotonicClock.seconds() - t0) }
        let out = OutputBuffer(fd: 1)
        var failed = false
        for text in addresses {
            guard let address = IPAddress(text) else {
                diagnostics.error("'\(TerminalText.safe(text))' is not an IP address")
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
                        diagnostics.error("\(error.message)")
                        failed = true
                    }
                }
                continue
            }
            let (info, problem) = db.lookup(address)
            if let problem {
                diagnostics.error("\(problem.message)")
                failed = true
            }
            out.string((json ? GeoText.json(address, info) : GeoText.line(address, info)) + "\n")
        }
        out.flush()
        if failed { throw ExitCode(1) }
    }

    /// Load time, then lookups per second of random public IPv4 addresses: the country table
    /// alone (what the timeline asks per new host, from memory), then every source with
    /// organisation names (allocates a GeoInfo per answer), then each .mmdb file.
    private func bench(_ db: GeoDatabase, lookups n: Int, loadSeconds: Double) {
        print("GeoIP load: \(Int(loadSeconds * 1000)) ms for \(db.tables.map { "\($0.rows) rows (\($0.rangeCount) ranges) from \($0.files.count) file(s)" }.joined(separator: ", "))\(db.mmdbs.isEmpty ? "" : " + \(db.mmdbs.count) .mmdb")")
        var state: UInt64 = 0x9E37_79B9_7F4A_7C15
        var addresses: [IPAddress] = []
        addresses.reserveCapacity(1 << 16)
        for _ in 0..<(1 << 16) {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            addresses.append(IPAddress(ipv4: UInt32(truncatingIfNeeded: state >> 32)))
        }
        func rate(_ name: String, _ count: Int, _ body: (IPAddress) -> Int) {
            var best = 0.0
            var found = 0
            for _ in 0..<3 {
                found = 0
                let t = MonotonicClock.seconds()
                for i in 0..<count { found &+= body(addresses[i & 0xFFFF]) }
                let r = Double(count) / (MonotonicClock.seconds() - t)
                best = max(best, r)
            }
            print("  \(name): \(String(format2(best / 1e6))) million lookups/s (\(found * 100 / max(1, count))% found), best of 3")
        }
        if let country = db.tables.first(where: { $0.kind == .country }) {
            rate("country table (in memory)", n) { country.countryCode($0) != nil ? 1 : 0 }
        }
        rate("all sources (GeoInfo)", max(1, n / 10)) { db.lookup($0).info.isEmpty ? 0 : 1 }
        for m in db.mmdbs {
            rate(".mmdb tree walk \(m.path.split(separator: "/").last ?? "")", max(1, n / 10)) { ((try? m.find($0)) ?? nil) != nil ? 1 : 0 }
        }
    }

    private func format2(_ x: Double) -> String {
        let hundredths = Int((x * 100).rounded())
        return "\(hundredths / 100).\(hundredths % 100 < 10 ? "0" : "")\(hundredths % 100)"
    }
}
