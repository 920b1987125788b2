import NetwatchDecode

/// The GeoIP sources netwatch was given (DB-IP Lite CSV tables, MaxMind DB files), asked in
/// order: the first that knows a field answers it.
public struct GeoDatabase: Sendable {
    public private(set) var tables: [GeoCSVTable] = []
    public private(set) var mmdbs: [MaxMindDB] = []

    public init() {}

    public var isEmpty: Bool { tables.isEmpty && mmdbs.isEmpty }

    public var hasCountry: Bool {
        tables.contains { $0.kind == .country } || mmdbs.contains { $0.providesCountry }
    }

    public var hasASN: Bool {
        tables.contains { $0.kind == .asn } || mmdbs.contains { $0.providesASN }
    }

    /// What the sources say; a corrupt MaxMind DB record is skipped (its error is kept in
    /// `problem`) so that one bad file does not hide the others' answers.
    public func lookup(_ address: IPAddress) -> (info: GeoInfo, problem: GeoError?) {
        var info = GeoInfo()
        var problem: GeoError?
        for t in tables { t.fill(&info, address) }
        for db in mmdbs where info.country == nil || info.asn == nil || info.organization == nil {
            do {
                let found = try db.info(for: address)
                if info.country == nil { info.country = found.country }
                if info.asn == nil { info.asn = found.asn }
                if info.organization == nil { info.organization = found.organization }
            } catch {
                problem = problem ?? error
            }
        }
        return (info, problem)
    }

    /// The DB-IP and MaxMind files in a directory: `dbip-country*.csv`, `dbip-asn*.csv`
    /// (IPv4 and IPv6 in one file or split) and `*.mmdb`. Empty when there are none.
    public static func load(directory: String, fileNames: [String]) throws(GeoError) -> GeoDatabase {
        let names = fileNames.sorted()
        let country = names.filter { $0.lowercased().hasPrefix("dbip-country") && $0.lowercased().hasSuffix(".csv") }
        let asn = names.filter { $0.lowercased().hasPrefix("dbip-asn") && $0.lowercased().hasSuffix(".csv") }
        let mmdb = names.filter { $0.lowercased().hasSuffix(".mmdb") }
        let dir = directory.hasSuffix("/") ? directory : directory + "/"
        var db = GeoDatabase()
        if !country.isEmpty { db.tables.append(try GeoCSVTable(kind: .country, paths: country.map { dir + $0 })) }
        if !asn.isEmpty { db.tables.append(try GeoCSVTable(kind: .asn, paths: asn.map { dir + $0 })) }
        for name in mmdb { db.mmdbs.append(try MaxMindDB(path: dir + name)) }
        return db
    }

    public mutating func add(mmdb path: String) throws(GeoError) {
        mmdbs.append(try MaxMindDB(path: path))
    }
}

extension MaxMindDB {
    /// Going by the database type (GeoLite2-Country, DBIP-Country-Lite, GeoLite2-ASN, ...).
    public var providesCountry: Bool {
        let t = metadata.databaseType.lowercased()
        return t.contains("country") || t.contains("city") || t.contains("location")
    }

    public var providesASN: Bool {
        let t = metadata.databaseType.lowercased()
        return t.contains("asn") || t.contains("isp")
    }
}
