import NetwatchDecode

/// A DB-IP Lite CSV database (`start,end,country` or `start,end,asn,org`; IPv4 and IPv6, one
/// or several files) parsed once into sorted ranges, looked up by binary search.
public struct GeoCSVTable: Sendable {
    public enum Kind: Sendable {
        case country
        case asn
    }

    public let kind: Kind
    /// The files it was read from, and how many ranges they held.
    public let files: [String]
    public let rows: Int
    private let ranges: AddressRanges
    /// For ASN tables, what a range's entry indexes.
    private let networks: [(asn: UInt32, organization: String)]

    /// Reads every file (all of one kind) and builds one table; the first malformed line ends
    /// the load with an error naming the file and line.
    public init(kind: Kind, paths: [String]) throws(GeoError) {
        var parser = GeoCSVParser(kind: kind)
        for path in paths { try parser.parse(try GeoFile.contents(path), name: path) }
        self.init(parser, files: paths)
    }

    /// Parses text as one file called `name` (tests, fuzzing).
    public init(kind: Kind, text: String, name: String) throws(GeoError) {
        var parser = GeoCSVParser(kind: kind)
        try parser.parse(Array(text.utf8), name: name)
        self.init(parser, files: [name])
    }

    private init(_ parser: GeoCSVParser, files: [String]) {
        kind = parser.kind
        self.files = files
        rows = parser.rows
        networks = parser.networks
        ranges = AddressRanges(v4: parser.v4, v6: parser.v6)
    }

    /// The number of disjoint ranges after adjacent rows with the same answer were merged.
    public var rangeCount: Int { ranges.count }

    public func lookup(_ address: IPAddress) -> GeoInfo {
        var info = GeoInfo()
        fill(&info, address)
        return info
    }

    /// Sets the fields this table knows and `info` does not have yet.
    public func fill(_ info: inout GeoInfo, _ address: IPAddress) {
        let entry = ranges.lookup(address.unmappedIPv4 ?? address)
        guard entry >= 0 else { return }
        switch kind {
        case .country:
            if info.country == nil { info.country = CountryCode(packed: UInt16(truncatingIfNeeded: entry)) }
        case .asn:
            let n = networks[Int(entry)]
            if info.asn == nil { info.asn = n.asn }
            if info.organization == nil && !n.organization.isEmpty { info.organization = n.organization }
        }
    }

    /// Only the country, with no allocation: what the benchmark counts.
    @inline(__always)
    public func countryCode(_ address: IPAddress) -> UInt16? {
        let entry = ranges.lookup(address)
        return entry >= 0 && kind == .country ? UInt16(truncatingIfNeeded: entry) : nil
    }
}
