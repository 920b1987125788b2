import NetwatchPipeline
import ArgumentParser
import NetwatchGeo

/// Where GeoIP data comes from, shared by `geo` and `timeline`.
struct GeoOptions: ParsableArguments {
    @Option(name: .customLong("geo-path"), help: ArgumentHelp("A directory with DB-IP Lite CSV files (dbip-country-lite*.csv, dbip-asn-lite*.csv) and .mmdb files (default: beside the netwatch binary, else the working directory).", valueName: "dir"))
    var geoPath: String?

    @Option(name: .customLong("mmdb"), help: ArgumentHelp("A MaxMind-format database (GeoLite2 or DB-IP .mmdb); repeatable.", valueName: "file"))
    var mmdbs: [String] = []

    /// The databases; with `required`, none at all is an error. A file that cannot be read or
    /// parsed ends the run with a message naming it (and the line, for CSV).
    func load(required: Bool, what: String) throws -> GeoDatabase {
        var db = GeoDatabase()
        do {
            if let dir = geoPath {
                guard let names = directoryEntries(dir) else {
                    diagnostics.error("cannot read the GeoIP directory \(dir)")
                    throw ExitCode(1)
                }
                db = try GeoDatabase.load(directory: dir, fileNames: names)
            } else if mmdbs.isEmpty {
                for dir in [executableDirectory(), "."] {
                    guard let names = directoryEntries(dir) else { continue }
                    db = try GeoDatabase.load(directory: dir, fileNames: names)
                    if !db.isEmpty { break }
                }
            }
            for path in mmdbs { try db.add(mmdb: path) }
        } catch let error as GeoError {
            diagnostics.error("\(error.message)")
            throw ExitCode(1)
        }
        if required && db.isEmpty {
            diagnostics.error("""
                \(what) needs a GeoIP database: none found in \(geoPath ?? "\(executableDirectory()) or the working directory").
                Give --geo-path DIR with dbip-country-lite.csv / dbip-asn-lite.csv (free from https://db-ip.com/db/lite.php, \
                "IP Geolocation by DB-IP", CC BY 4.0) or --mmdb FILE (GeoLite2-Country.mmdb, GeoLite2-ASN.mmdb, DB-IP .mmdb).
                """)
            throw ExitCode(1)
        }
        return db
    }
}
