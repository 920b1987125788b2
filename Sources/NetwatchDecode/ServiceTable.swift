/// Service names by port, for TCP and UDP: a seed of the ports analysts look for first,
/// then whatever `/etc/services` adds.
///
/// Lookups index flat tables and hand back bytes from one name pool: no hashing, no
/// allocation, no reference counting per packet. Names are fixed once the table is built.
public final class ServiceTable: @unchecked Sendable {
    /// Name index per port (0: no name), TCP then UDP.
    @usableFromInline let index: UnsafeMutablePointer<UInt16>
    /// Name bytes, back to back; `spans[i]` is where name i lies in `pool`.
    private let pool: UnsafeMutableRawBufferPointer
    private var poolUsed = 0
    private var spans: [(start: Int, count: Int)] = [(0, 0)]

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
        index = .allocate(capacity: 2 * 65536)
        index.initialize(repeating: 0, count: 2 * 65536)
        pool = .allocate(byteCount: 1 << 16, alignment: 1)
        for (port, name) in Self.seed {
            let i = add(name)
            index[Int(port)] = i
            index[65536 + Int(port)] = i
        }
    }

    deinit {
        index.deallocate()
        pool.deallocate()
    }

    /// Adds the entries of an `/etc/services` file (`name port/proto [aliases] [# comment]`)
    /// for ports the seed does not name. Lines that do not parse are skipped: the file is
    /// the system's, not the user's, so it is no reason to stop.
    public func merge(servicesFile contents: [UInt8]) {
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
            let column: Int
            switch String(decoding: portProto[1], as: UTF8.self) {
            case "tcp": column = 0
            case "udp": column = 65536
            default: continue
            }
            guard index[column + Int(port)] == 0 else { continue }
            let i: UInt16
            if let known = seen[name] {
                i = known
            } else {
                i = add(name)
                seen[name] = i
            }
            index[column + Int(port)] = i
        }
    }

    /// Appends a name to the pool; 0 (no name) once the pool is full.
    private func add(_ name: String) -> UInt16 {
        let bytes = Array(name.utf8)
        guard poolUsed + bytes.count <= pool.count, spans.count < Int(UInt16.max) else { return 0 }
        UnsafeMutableRawBufferPointer(rebasing: pool[poolUsed..<(poolUsed + bytes.count)]).copyBytes(from: bytes)
        spans.append((poolUsed, bytes.count))
        poolUsed += bytes.count
        return UInt16(spans.count - 1)
    }

    /// The service name's bytes (valid while the table lives), or nil.
    @inline(__always)
    public func nameBytes(port: UInt16, tcp isTCP: Bool) -> UnsafeRawBufferPointer? {
        nameBytes(index: nameIndex(port: port, tcp: isTCP))
    }

    /// The number of the port's name (0: none), for a caller that keys by the name without
    /// making it; `nameBytes(index:)` gives it back.
    @inlinable @inline(__always)
    public func nameIndex(port: UInt16, tcp isTCP: Bool) -> UInt16 {
        index[(isTCP ? 0 : 65536) + Int(port)]
    }

    @inline(__always)
    public func nameBytes(index i: UInt16) -> UnsafeRawBufferPointer? {
        i == 0 ? nil : spanBytes(Int(i))
    }

    private func spanBytes(_ i: Int) -> UnsafeRawBufferPointer {
        let span = spans[i]
        return UnsafeRawBufferPointer(rebasing: pool[span.start..<(span.start + span.count)])
    }

    public func name(port: UInt16, tcp isTCP: Bool) -> String? {
        nameBytes(port: port, tcp: isTCP).map { String(decoding: $0, as: UTF8.self) }
    }
}
