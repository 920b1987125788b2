import NetwatchDecode

/// A MaxMind DB file (GeoLite2, DB-IP and others publish this format), read into memory and
/// searched in place: a binary trie over the address bits whose leaves point into a data
/// section of typed values. Every offset read from the file is checked, so a corrupt file
/// gives a `GeoError`, never a crash.
/// Format: https://maxmind.github.io/MaxMind-DB/
public final class MaxMindDB: Sendable {
    public struct Metadata: Sendable {
        public var nodeCount: Int
        public var recordSize: Int
        public var ipVersion: Int
        public var databaseType: String
        public var buildEpoch: UInt64
        public var languages: [String]
        public var description: String
    }

    public let path: String
    public let metadata: Metadata
    let bytes: [UInt8]
    let dataStart: Int
    let dataEnd: Int
    /// The node an IPv4 address starts from in an IPv6 tree (after 96 zero bits), or a
    /// record value at or past nodeCount when the tree has no IPv4 part.
    private let ipv4Start: Int
    private let ipv4StartDepth: Int

    static let marker: [UInt8] = [0xAB, 0xCD, 0xEF] + Array("MaxMind.com".utf8)

    public convenience init(path: String) throws(GeoError) {
        try self.init(bytes: try GeoFile.contents(path), name: path)
    }

    public init(bytes: [UInt8], name: String) throws(GeoError) {
        path = name
        self.bytes = bytes
        // The metadata map follows the last marker, within the file's last 128 KiB.
        let searchFrom = max(0, bytes.count - 128 * 1024)
        var markerAt = -1
        var i = bytes.count - Self.marker.count
        while i >= searchFrom {
            if bytes[i] == 0xAB && bytes[i..<(i + Self.marker.count)].elementsEqual(Self.marker) {
                markerAt = i
                break
            }
            i -= 1
        }
        guard markerAt >= 0 else { throw GeoError("\(name): not a MaxMind DB file (no metadata marker)") }
        let metaStart = markerAt + Self.marker.count
        var decoder = MMDBDecoder(bytes: bytes, base: metaStart, end: bytes.count, name: name)
        let meta: MMDBValue
        do { meta = try decoder.value(at: metaStart).value } catch {
            throw GeoError("\(name): metadata: \(error.message)")
        }
        func number(_ key: String) throws(GeoError) -> Int {
            guard let n = meta[key]?.integer, n <= UInt64(Int32.max) else { throw GeoError("\(name): metadata has no valid \(key)") }
            return Int(n)
        }
        let nodeCount = try number("node_count")
        let recordSize = try number("record_size")
        let ipVersion = try number("ip_version")
        guard [24, 28, 32].contains(recordSize) else { throw GeoError("\(name): unsupported record size \(recordSize) (24, 28 or 32 expected)") }
        guard ipVersion == 4 || ipVersion == 6 else { throw GeoError("\(name): unsupported ip_version \(ipVersion)") }
        guard (try? number("binary_format_major_version")) == 2 else { throw GeoError("\(name): unsupported binary format (major version 2 expected)") }
        let treeSize = nodeCount * recordSize / 4
        guard nodeCount > 0, treeSize + 16 <= markerAt else {
            throw GeoError("\(name): search tree of \(nodeCount) nodes does not fit before the metadata at byte \(markerAt)")
        }
        var languages: [String] = []
        if case .array(let items)? = meta["languages"] { languages = items.compactMap(\.string) }
        metadata = Metadata(
            nodeCount: nodeCount, recordSize: recordSize, ipVersion: ipVersion,
            databaseType: meta["database_type"]?.string ?? "", buildEpoch: meta["build_epoch"]?.integer ?? 0,
            languages: languages, description: meta["description"]?["en"]?.string ?? "")
        dataStart = treeSize + 16
        dataEnd = markerAt
        // IPv4 in an IPv6 tree: ::a.b.c.d, so follow 96 zero bits first.
        var node = 0
        var depth = 0
        if ipVersion == 6 {
            while depth < 96 && node < nodeCount {
                node = Self.record(bytes, node: node, bit: 0, recordSize: recordSize)
                depth += 1
            }
        }
        ipv4Start = node
        ipv4StartDepth = depth
    }

    @inline(__always)
    static func record(_ b: [UInt8], node: Int, bit: Int, recordSize: Int) -> Int {
        switch recordSize {
        case 24:
            let o = node * 6 + bit * 3
            return Int(b[o]) << 16 | Int(b[o + 1]) << 8 | Int(b[o + 2])
        case 28:
            let o = node * 7
            if bit == 0 { return Int(b[o + 3] & 0xF0) << 20 | Int(b[o]) << 16 | Int(b[o + 1]) << 8 | Int(b[o + 2]) }
            return Int(b[o + 3] & 0x0F) << 24 | Int(b[o + 4]) << 16 | Int(b[o + 5]) << 8 | Int(b[o + 6])
        default:
            let o = node * 8 + bit * 4
            return Int(b[o]) << 24 | Int(b[o + 1]) << 16 | Int(b[o + 2]) << 8 | Int(b[o + 3])
        }
    }

    /// Where the record for `address` starts in the file and the prefix length of the network
    /// it belongs to; nil when the database has no record for it.
    public func find(_ address: IPAddress) throws(GeoError) -> (offset: Int, prefixLength: Int)? {
        // An IPv6 address is looked up as such (GeoLite2 aliases ::ffff:0:0/96 to the IPv4 part).
        let v4 = address.isIPv6 ? (metadata.ipVersion == 4 ? address.unmappedIPv4 : nil) : address
        if v4 == nil && metadata.ipVersion == 4 { return nil }
        let nodeCount = metadata.nodeCount
        let recordSize = metadata.recordSize
        var node: Int
        var depth: Int
        let bitCount: Int
        if let v4 {
            node = metadata.ipVersion == 6 ? ipv4Start : 0
            depth = metadata.ipVersion == 6 ? ipv4StartDepth : 0
            bitCount = metadata.ipVersion == 6 ? 128 : 32
            let bits = UInt32(v4.ipv4)
            let skip = bitCount - 32
            while node < nodeCount && depth < bitCount {
                let bit = Int((bits >> UInt32(31 - (depth - skip))) & 1)
                node = Self.record(bytes, node: node, bit: bit, recordSize: recordSize)
                depth += 1
            }
        } else {
            node = 0
            depth = 0
            bitCount = 128
            while node < nodeCount && depth < 128 {
                let word = depth < 64 ? address.high : address.low
                let bit = Int((word >> UInt64(63 - depth % 64)) & 1)
                node = Self.record(bytes, node: node, bit: bit, recordSize: recordSize)
                depth += 1
            }
        }
        if node == nodeCount { return nil }
        guard node > nodeCount else {
            throw GeoError("\(path): corrupt search tree: no leaf after \(bitCount) bits (node \(node))")
        }
        let offset = dataStart + (node - nodeCount - 16)
        guard offset >= dataStart && offset < dataEnd else {
            throw GeoError("\(path): corrupt search tree: record \(node) points outside the data section")
        }
        return (offset, v4 != nil && metadata.ipVersion == 6 ? depth - 96 : depth)
    }

    /// The whole record for `address`, nil when there is none.
    public func record(for address: IPAddress) throws(GeoError) -> MMDBValue? {
        guard let (offset, _) = try find(address) else { return nil }
        var decoder = MMDBDecoder(bytes: bytes, base: dataStart, end: dataEnd, name: path)
        do { return try decoder.value(at: offset).value } catch {
            throw GeoError("\(path): data at byte \(offset): \(error.message)")
        }
    }

    /// Country, ASN and organisation from the usual GeoLite2 / DB-IP fields.
    public func info(for address: IPAddress) throws(GeoError) -> GeoInfo {
        guard let r = try record(for: address.unmappedIPv4 ?? address) else { return GeoInfo() }
        return Self.info(from: r)
    }

    public static func info(from r: MMDBValue) -> GeoInfo {
        var info = GeoInfo()
        let code = r["country"]?["iso_code"]?.string ?? r["registered_country"]?["iso_code"]?.string ?? r["country_code"]?.string
        info.country = code.flatMap { CountryCode($0) }
        if let asn = r["autonomous_system_number"]?.integer, asn <= UInt64(UInt32.max) { info.asn = UInt32(asn) }
        info.organization = r["autonomous_system_organization"]?.string ?? r["isp"]?.string
        return info
    }
}
