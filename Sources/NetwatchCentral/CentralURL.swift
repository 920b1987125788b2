#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// `postgresql://user@host:port/database?sslmode=prefer`, as libpq spells it. The password is
/// never taken from the URL (a command line shows in `ps`): it comes from a file option,
/// PGPASSWORD or the password file (~/.pgpass, or PGPASSFILE), as libpq looks for it.
public struct CentralURL: Sendable, Equatable, CustomStringConvertible {
    /// libpq's sslmode values; `prefer` (libpq's default) tries TLS and goes on without it.
    public enum SSLMode: String, Sendable, CaseIterable {
        case disable, allow, prefer, require
        case verifyCA = "verify-ca"
        case verifyFull = "verify-full"
    }

    public var user: String
    public var host: String
    public var port: Int
    public var database: String
    public var sslMode: SSLMode

    /// Whether a `--history`/`--db` value names a PostgreSQL database rather than a file.
    public static func isCentral(_ text: String) -> Bool {
        text.hasPrefix("postgresql://") || text.hasPrefix("postgres://")
    }

    public init(_ text: String, environment: [String: String]) throws(CentralError) {
        guard let schemeEnd = text.range(of: "://"), Self.isCentral(text) else {
            throw CentralError("\(text) is not a PostgreSQL URL (postgresql://user@host/database)")
        }
        var rest = String(text[schemeEnd.upperBound...])
        var query = ""
        if let q = rest.firstIndex(of: "?") {
            query = String(rest[rest.index(after: q)...])
            rest = String(rest[..<q])
        }
        var path = ""
        if let slash = rest.firstIndex(of: "/") {
            path = String(rest[rest.index(after: slash)...])
            rest = String(rest[..<slash])
        }
        var authority = rest
        var user: String?
        if let at = authority.lastIndex(of: "@") {
            let userInfo = String(authority[..<at])
            authority = String(authority[authority.index(after: at)...])
            if userInfo.contains(":") {
                throw CentralError("\(Self.redacted(text)): a password in the URL would show in the process list; put it in PGPASSWORD, ~/.pgpass or --history-password-file")
            }
            user = Self.percentDecoded(userInfo)
        }
        var host = authority
        var port = Int(environment["PGPORT"] ?? "") ?? 5432
        if authority.hasPrefix("[") {
            guard let close = authority.firstIndex(of: "]") else { throw CentralError("\(text): unclosed [ in the host") }
            host = String(authority[authority.index(after: authority.startIndex)..<close])
            let after = authority[authority.index(after: close)...]
            if after.hasPrefix(":") {
                guard let p = Int(after.dropFirst()), (1...65535).contains(p) else { throw CentralError("\(text): bad port '\(after.dropFirst())'") }
                port = p
            }
        } else if let colon = authority.lastIndex(of: ":") {
            host = String(authority[..<colon])
            let p = authority[authority.index(after: colon)...]
            guard let n = Int(p), (1...65535).contains(n) else { throw CentralError("\(text): bad port '\(p)'") }
            port = n
        }
        if host.isEmpty { host = environment["PGHOST"] ?? "localhost" }
        self.host = Self.percentDecoded(host)
        self.port = port
        self.user = user ?? environment["PGUSER"] ?? Self.currentUser()
        self.database = path.isEmpty ? (environment["PGDATABASE"] ?? self.user) : Self.percentDecoded(path)
        var mode = SSLMode(rawValue: environment["PGSSLMODE"] ?? "") ?? .prefer
        for pair in query.split(separator: "&") where !pair.isEmpty {
            let parts = pair.split(separator: "=", maxSplits: 1).map(String.init)
            let key = parts[0], value = parts.count > 1 ? Self.percentDecoded(parts[1]) : ""
            switch key {
            case "sslmode":
                guard let m = SSLMode(rawValue: value) else {
                    throw CentralError("\(text): sslmode takes \(SSLMode.allCases.map(\.rawValue).joined(separator: ", ")), not '\(value)'")
                }
                mode = m
            case "password":
                throw CentralError("\(Self.redacted(text)): a password in the URL would show in the process list; put it in PGPASSWORD, ~/.pgpass or --history-password-file")
            case "host":
                self.host = value
            case "port":
                guard let n = Int(value), (1...65535).contains(n) else { throw CentralError("\(text): bad port '\(value)'") }
                self.port = n
            case "application_name", "connect_timeout":
                break
            default:
                throw CentralError("\(text): unknown parameter '\(key)' (netwatch reads sslmode)")
            }
        }
        sslMode = mode
    }

    /// A host that is a directory (libpq's convention) means the server's Unix socket there,
    /// which also reaches a server outside the caller's network namespace.
    public var socketPath: String? { host.hasPrefix("/") ? host + "/.s.PGSQL.\(port)" : nil }

    /// How messages name it: never with a password.
    public var description: String {
        if socketPath != nil { return "postgresql://\(user)@/\(database)?host=\(host)&port=\(port)" }
        let h = host.contains(":") ? "[\(host)]" : host
        return "postgresql://\(user)@\(h):\(port)/\(database)"
    }

    /// The password: the file named by an option, else PGPASSWORD, else the password file's
    /// first line matching host, port, database and user (`*` matches anything). nil: none
    /// (the server may trust the client).
    public func password(file: String?, environment: [String: String]) throws(CentralError) -> String? {
        if let file {
            guard let text = Self.read(file) else { throw CentralError("cannot read the password file \(file)") }
            return String(text.split(separator: "\n", omittingEmptySubsequences: false).first ?? "")
        }
        if let p = environment["PGPASSWORD"] { return p }
        let path = environment["PGPASSFILE"] ?? (environment["HOME"].map { $0 + "/.pgpass" } ?? "")
        guard !path.isEmpty, let text = Self.read(path) else { return nil }
        var st = stat()
        // As libpq: a password file others can read is ignored, with a warning.
        if stat(path, &st) == 0, st.st_mode & 0o077 != 0 {
            throw CentralError("the password file \(path) can be read by group or others; chmod 0600 it")
        }
        for line in text.split(separator: "\n") where !line.hasPrefix("#") {
            let fields = Self.pgpassFields(String(line))
            guard fields.count == 5 else { continue }
            // As libpq, a socket connection is "localhost" there.
            let wanted = [socketPath != nil ? "localhost" : host, String(port), database, user]
            if zip(fields.prefix(4), wanted).allSatisfy({ $0 == "*" || $0 == $1 || ($1 == "127.0.0.1" && $0 == "localhost") }) { return fields[4] }
        }
        return nil
    }

    /// A .pgpass line's fields: `:` separates, `\:` and `\\` escape.
    static func pgpassFields(_ line: String) -> [String] {
        var fields: [String] = [], current = "", escaped = false
        for c in line {
            if escaped { current.append(c); escaped = false }
            else if c == "\\" { escaped = true }
            else if c == ":" { fields.append(current); current = "" }
            else { current.append(c) }
        }
        fields.append(current)
        return fields
    }

    static func read(_ path: String) -> String? {
        guard let f = fopen(path, "r") else { return nil }
        defer { fclose(f) }
        var bytes: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            let n = fread(&buffer, 1, buffer.count, f)
            if n <= 0 { break }
            bytes += buffer[0..<n]
            if bytes.count > 1 << 20 { break }
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    static func percentDecoded(_ s: String) -> String {
        var out: [UInt8] = []
        var bytes = Array(s.utf8)[...]
        while let b = bytes.popFirst() {
            if b == UInt8(ascii: "%"), bytes.count >= 2, let v = UInt8(String(decoding: bytes.prefix(2), as: UTF8.self), radix: 16) {
                out.append(v)
                bytes = bytes.dropFirst(2)
            } else {
                out.append(b)
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// The URL with whatever follows a user's `:` hidden.
    static func redacted(_ text: String) -> String {
        guard let schemeEnd = text.range(of: "://"), let at = text[schemeEnd.upperBound...].firstIndex(of: "@") else { return text }
        let userInfo = text[schemeEnd.upperBound..<at]
        guard let colon = userInfo.firstIndex(of: ":") else { return text }
        return String(text[..<colon]) + ":***" + String(text[at...])
    }

    static func currentUser() -> String {
        guard let pw = getpwuid(geteuid()), let name = pw.pointee.pw_name else { return "postgres" }
        return String(cString: name)
    }
}
