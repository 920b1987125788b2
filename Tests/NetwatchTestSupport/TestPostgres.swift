import Foundation
import XCTest

/// A PostgreSQL server of the test's own: a fresh cluster in a temporary directory, on a Unix
/// socket there (which every network namespace reaches) and on 127.0.0.1 at a free port, with
/// password authentication, a role `netwatch` (password `nw-test`) and its database. Needs
/// root (the server runs as the `postgres` user) and Debian's `postgresql` package.
public final class TestPostgres {
    public let directory: URL
    public let port: Int
    public let password = "nw-test"
    private let bin: String

    public init() throws {
        guard isRoot else { throw XCTSkip("a test PostgreSQL server needs root (it runs as the postgres user)") }
        let versions = (try? FileManager.default.contentsOfDirectory(atPath: "/usr/lib/postgresql")) ?? []
        guard let version = versions.sorted(by: { (Int($0) ?? 0) > (Int($1) ?? 0) }).first(where: { FileManager.default.isExecutableFile(atPath: "/usr/lib/postgresql/\($0)/bin/initdb") }) else {
            throw XCTSkip("PostgreSQL is not installed (scripts/setup --test installs Debian's postgresql)")
        }
        bin = "/usr/lib/postgresql/\(version)/bin"
        directory = URL(fileURLWithPath: "/tmp/nw-pg-\(UInt32.random(in: 0..<UInt32.max))")
        port = Int.random(in: 40_000...49_000)
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        try "postgres-superuser\n".write(to: directory.appendingPathComponent("pw"), atomically: true, encoding: .utf8)
        _ = try shell("chown -R postgres \(directory.path) && chmod 755 \(directory.path)")
        _ = try shell("runuser -u postgres -- \(bin)/initdb -D \(directory.path)/data -A scram-sha-256 --pwfile=\(directory.path)/pw -U postgres >/dev/null")
        try start()
        try psql("CREATE ROLE netwatch LOGIN PASSWORD '\(password)'", database: "postgres")
        try psql("CREATE DATABASE netwatch OWNER netwatch", database: "postgres")
    }

    deinit { tearDown() }

    /// The URL sensors and queries use (the socket; the password comes separately).
    public var url: String { "postgresql://netwatch@/netwatch?host=\(directory.path)&port=\(port)" }
    /// The same server over TCP on loopback.
    public var tcpURL: String { "postgresql://netwatch@127.0.0.1:\(port)/netwatch" }

    /// By system(3), not Process: Foundation's Process never saw the `sh` that started the
    /// server exit (it stayed a zombie, waitUntilExit hung), the server having inherited it.
    public func start() throws {
        let command = "runuser -u postgres -- \(bin)/pg_ctl -D \(directory.path)/data -w -t 30 -l \(directory.path)/log -o \"-c listen_addresses=127.0.0.1 -p \(port) -k \(directory.path) -c fsync=off\" start </dev/null >/dev/null 2>&1"
        _ = system(command)
        guard FileManager.default.fileExists(atPath: directory.path + "/.s.PGSQL.\(port)") else {
            throw ShellError(description: "the test PostgreSQL did not start: \((try? String(contentsOfFile: directory.path + "/log", encoding: .utf8)) ?? "")")
        }
    }

    /// Stops it at once (open connections are cut, as when a server goes down).
    public func stop() throws {
        _ = system("runuser -u postgres -- \(bin)/pg_ctl -D \(directory.path)/data -w -m fast stop </dev/null >/dev/null 2>&1")
    }

    /// Runs SQL as the superuser in the netwatch database (or postgres before it exists); the rows, tab-separated.
    @discardableResult
    public func psql(_ sql: String, database db: String = "netwatch") throws -> String {
        let result = try runCommand("/usr/bin/psql", ["-h", directory.path, "-p", "\(port)", "-U", "postgres", "-d", db, "-At", "-F", "\t", "-v", "ON_ERROR_STOP=1", "-c", sql],
                                    environment: ["PGPASSWORD": "postgres-superuser"])
        guard result.status == 0 else { throw ShellError(description: "psql: \(result.stderr)") }
        return result.output
    }

    public func tearDown() {
        _ = system("runuser -u postgres -- \(bin)/pg_ctl -D \(directory.path)/data -m immediate stop </dev/null >/dev/null 2>&1; rm -rf \(directory.path)")
    }
}
