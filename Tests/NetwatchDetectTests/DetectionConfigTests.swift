import NetwatchDetect
import XCTest

/// The YAML config: the default text is the default config, and each kind of mistake is named
/// by file, line and key.
final class DetectionConfigTests: XCTestCase {
    func testDefaultTextIsTheDefaultConfig() throws {
        XCTAssertEqual(try DetectionConfigFile.parse(DetectionConfig.defaultYAML, file: "default.yaml"), DetectionConfig())
        XCTAssertEqual(try DetectionConfigFile.parse("", file: "empty.yaml"), DetectionConfig())
        XCTAssertEqual(try DetectionConfigFile.parse("# only a comment\n", file: "c.yaml"), DetectionConfig())
    }

    func testValuesAreRead() throws {
        let c = try DetectionConfigFile.parse("""
            home_networks: [192.0.2.0/24, 2001:db8::/32]
            blocklists: [lists/drop.txt, /etc/netwatch/extra.netset]
            outputs:
              log: alerts.log
              json_alerts: /var/log/netwatch.json
            suppress: 60
            detectors:
              port_scan: {ports: 50, window: 30}
              ping_sweep: {enabled: false}
              syn_flood: {rate: 1000, completed_ratio: 0.25}
              suspicious:
                watched_ports: [22, 3389]
                invalid_flags: no
            """, file: "/etc/netwatch/netwatch.yaml", folder: "/etc/netwatch/")
        XCTAssertEqual(c.homeNetworks, ["192.0.2.0/24", "2001:db8::/32"])
        XCTAssertEqual(c.blocklists, ["/etc/netwatch/lists/drop.txt", "/etc/netwatch/extra.netset"])
        XCTAssertEqual(c.log, "/etc/netwatch/alerts.log")
        XCTAssertEqual(c.jsonAlerts, "/var/log/netwatch.json")
        XCTAssertEqual(c.suppress, 60)
        XCTAssertEqual(c.portScan.ports, 50)
        XCTAssertEqual(c.portScan.window, 30)
        XCTAssertTrue(c.portScan.enabled)
        XCTAssertFalse(c.pingSweep.enabled)
        XCTAssertEqual(c.synFlood.rate, 1000)
        XCTAssertEqual(c.synFlood.completedRatio, 0.25)
        XCTAssertEqual(c.suspicious.watchedPorts, [22, 3389])
        XCTAssertFalse(c.suspicious.invalidFlags)
    }

    /// One case per kind of mistake: the exact message a person sees.
    func testMistakesNameFileLineAndKey() {
        let cases: [(String, String)] = [
            // unknown key, top level and nested
            ("portscan: {}\n", "n.yaml:1: portscan: unknown key 'portscan' (known here: home_networks, blocklists, outputs, suppress, connection_limit, max_tracked, detectors)"),
            ("detectors:\n  port_scan:\n    threshold: 5\n", "n.yaml:3: detectors.port_scan.threshold: unknown key 'threshold' (known here: enabled, ports, window)"),
            // wrong type
            ("detectors:\n  port_scan:\n    ports: many\n", "n.yaml:3: detectors.port_scan.ports: expected a whole number, found 'many'"),
            ("detectors:\n  syn_flood:\n    enabled: maybe\n", "n.yaml:3: detectors.syn_flood.enabled: expected true or false, found 'maybe'"),
            ("home_networks: 10.0.0.0/8\n", "n.yaml:1: home_networks: expected a list, found '10.0.0.0/8'"),
            ("detectors: [port_scan]\n", "n.yaml:1: detectors: expected a mapping of keys, found a list"),
            // impossible values
            ("detectors:\n  port_scan:\n    window: -5\n", "n.yaml:3: detectors.port_scan.window: -5 is out of range (1 to 86400)"),
            ("detectors:\n  syn_flood:\n    completed_ratio: 1.5\n", "n.yaml:3: detectors.syn_flood.completed_ratio: 1.5 is out of range (0 to 1)"),
            ("detectors:\n  suspicious:\n    watched_ports: [22, 70000]\n", "n.yaml:3: detectors.suspicious.watched_ports[1]: 70000 is out of range (1 to 65535)"),
            ("outputs:\n  history_retention: forever\n", "n.yaml:2: outputs.history_retention: expected an age such as 30d or 12h, found 'forever'"),
            ("outputs:\n  history_max_size: 2 parsecs\n", "n.yaml:2: outputs.history_max_size: expected a size such as 2GB or 500MB, found '2 parsecs'"),
            ("home_networks:\n  - 10.0.0.0/8\n  - 10.0.0.300/24\n", "n.yaml:3: home_networks[1]: '10.0.0.300/24' is not an IP address or CIDR network"),
            // a key twice, and broken YAML
            ("suppress: 10\nsuppress: 20\n", "n.yaml:2: suppress: this key is given twice"),
            ("detectors:\n  port_scan: {ports: 5\n", "n.yaml:3: not valid YAML: did not find expected ',' or '}'"),
        ]
        for (text, message) in cases {
            XCTAssertThrowsError(try DetectionConfigFile.parse(text, file: "n.yaml")) { error in
                XCTAssertEqual("\(error)", message, "for:\n\(text)")
            }
        }
    }

    func testHistoryBoundsAreRead() throws {
        let c = try DetectionConfigFile.parse("outputs:\n  history: nw.db\n  history_retention: 30d\n  history_max_size: 2GB\n", file: "n.yaml", folder: "/etc/netwatch/")
        XCTAssertEqual(c.history, "/etc/netwatch/nw.db")
        XCTAssertEqual(c.historyRetention, 30 * 86400)
        XCTAssertEqual(c.historyMaxSize, 2 << 30)
        XCTAssertEqual(Quantity.age("12h"), 43200)
        XCTAssertEqual(Quantity.age("90"), 90)
        XCTAssertNil(Quantity.age("-3d"))
        XCTAssertEqual(Quantity.size("500MB"), 500 << 20)
        XCTAssertEqual(Quantity.size("1.5 GiB"), 3 << 29)
        XCTAssertEqual(Quantity.size("800k"), 800 << 10)
        XCTAssertNil(Quantity.size("lots"))
    }

    func testAMissingFileIsNamed() {
        XCTAssertThrowsError(try DetectionConfigFile.load(path: "/nonexistent/netwatch.yaml")) { error in
            XCTAssertEqual("\(error)", "/nonexistent/netwatch.yaml: cannot read the config file: No such file or directory")
        }
    }
}
