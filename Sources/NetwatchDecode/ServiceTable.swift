/// Service names by port, for TCP and UDP: a seed of the ports analysts look for first,
/// then whatever `/etc/services` adds. Lookups are an array index, no hashing, no allocation.
public struct ServiceTable: Sendable {
    private var tcp: [UInt16]
    private var udp: [UInt16]
    /// Index 0 is "no name".
    private var names: [[UInt8]] = [[]]

    public static let seed: [(port: UInt16, name: String)] = [
        (20, "FTP-DATA"), (21, "FTP"), (22, "SSH"), (23, "Telnet"), (25, "SMTP"), (53, "DNS"),
        (67, "DHCP"), (68, "DHCP"), (69, "TFTP"), (80, "HTTP"), (110, "POP3"), (123, "NTP"),
        (137, "NetBIOS-NS"), (138, "NetBIOS-DGM"), (139, "NetBIOS-SSN"), (143, "IMAP"), (161, "SNMP"),
        (389, "LDAP"), (443, "HTTPS"), (445, "SMB"), (465, "SMTPS"), (514, "Syslog"), (587, "Submission"),
        (636, "LDAPS"), (853, "DNS-over-TLS"), (993, "IMAPS"), (995, "POP3S"), (1194, "OpenVPN"),
        (1433, "MSSQL"), (1900, "SSDP"), (3306, "MySQL"), (3389, "RDP"), (5353, "mDNS"), (5355, "LLMNR"),
        (5432, "PostgreSQL"), (5900, "VNC"), (6379, "Redis"), (8080, "HTTP-Proxy"), (8443, "HTTPS-Alt"),
        (9200, "Elasticsearch"), (11211, "Memcached"), (27017, "MongoDB"),
    ]

    public init() {
        tcp = Array(repeating: 0, count: 65536)
        udp = Array(repeating: 0, count: 65536)
        for (port, name) in Self.seed {
            let index = add(name)
            tcp[Int(port)] = index
            udp[Int(port)] = index
        }
    }

    /// Adds the entries of an `/etc/services` file (`name port/proto [aliases] [# comment]`)
    /// for ports the seed does not name. Lines that do not parse are skipped: the file is
    /// the system's, not the user's, so it is no reason to stop.
    public mutating func merge(servicesFile contents: [UInt8]) {
        var seen: [String: UInt16] = [:]
        for line in contents.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: true) {
            let text = line.prefix { $0 != UInt8(ascii: "#") }
            let fields = text.split(whereSeparator: { $0 == 0x20 || $0 == 0x09 || $0 == 0x0D })
            guard fields.count >= 2 else { continue }
            let portProto = fields[1].split(separator: UInt8(ascii: "/"))
            guard portProto.count == 2, let port = UInt16(String(decoding: portProto[0], as: UTF8.self)) else {
                continue
            }
            let name = String(decoding: fields[0], as: UTF8.self).uppercased()
            guard name.utf8.allSatisfy({ $0 > 0x20 && $0 < 0x7F }) else { continue }
            let index: UInt16
            if let known = seen[name] {
                index = known
            } else {
                index = add(name)
                seen[name] = index
            }
            switch String(decoding: portProto[1], as: UTF8.self) {
            case "tcp": if tcp[Int(port)] == 0 { tcp[Int(port)] = index }
            case "udp": if udp[Int(port)] == 0 { udp[Int(port)] = index }
            default: break
            }
        }
    }

    private mutating func add(_ name: String) -> UInt16 {
        names.append(Array(name.utf8))
        return UInt16(names.count - 1)
    }

    /// The service name's bytes, or nil. `tcp` picks the TCP column, else UDP.
    @inlinable public func nameBytes(port: UInt16, tcp isTCP: Bool) -> [UInt8]? {
        let index = isTCP ? tcpIndex(port) : udpIndex(port)
        return index == 0 ? nil : nameBytes(index)
    }

    @usableFromInline func tcpIndex(_ port: UInt16) -> UInt16 { tcp[Int(port)] }
    @usableFromInline func udpIndex(_ port: UInt16) -> UInt16 { udp[Int(port)] }
    @usableFromInline func nameBytes(_ index: UInt16) -> [UInt8] { names[Int(index)] }

    public func name(port: UInt16, tcp isTCP: Bool) -> String? {
        nameBytes(port: port, tcp: isTCP).map { String(decoding: $0, as: UTF8.self) }
    }
}
