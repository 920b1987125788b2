import Dispatch
import Logging
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix
import NIOSSL
import PostgresNIO

/// One connection to the central PostgreSQL, used from ordinary threads: each call waits
/// for postgres-nio's answer (the writer and the history commands are not async code).
/// Statements from several threads queue on it (postgres-nio answers one at a time): readers
/// that query at once (the web server's threads) each take one from `CentralConnectionPool`.
final class CentralConnection: @unchecked Sendable {
    let url: CentralURL
    private let password: String?
    private let current = NIOLockedValueBox<PostgresConnection?>(nil)
    /// Held while connecting, so two threads finding the connection lost open one.
    private let opening = NIOLock()
    private var connection: PostgresConnection? {
        get { current.withLockedValue { $0 } }
        set { current.withLockedValue { $0 = newValue } }
    }
    private let logger = Logger(label: "netwatch.central", factory: { _ in SwiftLogNoOpLogHandler() })
    private static let ids = NIOLockedValueBox(0)

    init(url: CentralURL, password: String?) {
        self.url = url
        self.password = password
    }

    deinit { close() }

    var isOpen: Bool { connection.map { !$0.isClosed } ?? false }

    /// Connects (TLS as `sslmode` asks); a refusal is one sentence naming the server.
    func open() throws(CentralError) {
        opening.lock()
        defer { opening.unlock() }
        try openLocked()
    }

    /// Connects again after `failed` was found lost, unless another thread already has.
    func reopen(replacing failed: PostgresConnection) throws(CentralError) {
        opening.lock()
        defer { opening.unlock() }
        if connection === failed { close() }
        try openLocked()
    }

    private func openLocked() throws(CentralError) {
        if isOpen { return }
        close()
        var configuration = if let path = url.socketPath {
            PostgresConnection.Configuration(unixSocketPath: path, username: url.user, password: password, database: url.database)
        } else {
            PostgresConnection.Configuration(host: url.host, port: url.port, username: url.user, password: password, database: url.database, tls: try tls())
        }
        configuration.options.connectTimeout = .seconds(5)
        if url.sslMode == .verifyFull { configuration.options.tlsServerName = url.host }
        let id = Self.ids.withLockedValue { $0 += 1; return $0 }
        let logger = self.logger
        let settings = configuration
        do {
            connection = try Self.wait {
                try await PostgresConnection.connect(on: MultiThreadedEventLoopGroup.singleton.any(), configuration: settings, id: id, logger: logger)
            }
        } catch {
            throw CentralError("cannot connect to \(url): \(Self.describe(error))")
        }
    }

    func close() {
        guard let c = current.withLockedValue({ c in defer { c = nil }; return c }) else { return }
        try? Self.wait { try await c.close() }
    }

    /// How long a reader's statement may take.
    static let readTimeout = 60.0

    /// The rows of one statement. `reconnecting`: a lost connection is opened again and the
    /// statement sent once more (a reader's; the writer keeps its batch and retries itself).
    @discardableResult
    func query(_ q: PostgresQuery, reconnecting: Bool = false) throws -> [PostgresRow] {
        // A statement sent on a connection the server has closed is never answered: a reader
        // connects again first (and after a failed attempt left none).
        if reconnecting, connection.map({ $0.isClosed }) ?? true {
            if let old = connection { try reopen(replacing: old) } else { try open() }
        }
        guard let c = connection else { throw CentralError("not connected to \(url)") }
        let logger = self.logger, sent = c
        do {
            // A reader waits a bounded time: a server gone without closing the connection
            // (a cable, a firewall) would otherwise hold the request for ever.
            return try Self.wait(timeout: reconnecting ? Self.readTimeout : nil) { try await sent.query(q, logger: logger).collect() }
        } catch is TimedOut {
            // Taken for lost: the next statement connects again.
            opening.withLock { if connection === sent { close() } }
            throw CentralError("no answer from \(url) within \(Int(Self.readTimeout)) s")
        } catch where reconnecting && Self.isConnectionLost(error) {
            try reopen(replacing: c)
            guard let again = connection else { throw CentralError("not connected to \(url)") }
            return try Self.wait(timeout: Self.readTimeout) { try await again.query(q, logger: logger).collect() }
        }
    }

    /// SQL made by netwatch itself (table names, numbers): nothing from outside in it.
    @discardableResult
    func execute(unsafeSQL sql: String) throws -> [PostgresRow] {
        try query(PostgresQuery(unsafeSQL: sql))
    }

    /// COPY table (columns) FROM STDIN, in text format, with `data` as its rows.
    func copy(table: String, columns: [String], data: ByteBuffer) throws {
        guard let c = connection else { throw CentralError("not connected to \(url)") }
        let logger = self.logger
        try Self.wait {
            try await c.copyFrom(table: table, columns: columns, logger: logger) { writer in try await writer.write(data) }
        }
    }

    private func tls() throws(CentralError) -> PostgresConnection.Configuration.TLS {
        var configuration = TLSConfiguration.makeClientConfiguration()
        switch url.sslMode {
        case .disable: return .disable
        case .allow, .prefer, .require: configuration.certificateVerification = .none
        case .verifyCA: configuration.certificateVerification = .noHostnameVerification
        case .verifyFull: configuration.certificateVerification = .fullVerification
        }
        do {
            let context = try NIOSSLContext(configuration: configuration)
            return url.sslMode == .allow || url.sslMode == .prefer ? .prefer(context) : .require(context)
        } catch {
            throw CentralError("TLS for \(url): \(error)")
        }
    }

    /// Whether an error means the connection (or the server) went away, so the same work can
    /// be tried again once it is back; anything else is the statement's own fault.
    static func isConnectionLost(_ error: any Error) -> Bool {
        guard let e = error as? PSQLError else { return true }
        guard e.code == .server else { return true }
        let state = e.serverInfo?[.sqlState] ?? ""
        // 08: connection exception; 57P01-03: shutting down, crash, cannot connect now; 53: out of resources.
        return state.hasPrefix("08") || state.hasPrefix("57P") || state.hasPrefix("53")
    }

    /// An error as one line: the server's own message when it sent one.
    static func describe(_ error: any Error) -> String {
        if let e = error as? TimedOut { return "no answer within \(Int(e.seconds)) s" }
        if let e = error as? CentralError { return e.message }
        if let e = error as? PSQLError {
            if let message = e.serverInfo?[.message] { return message }
            switch e.code {
            case .connectionError, .serverClosedConnection, .uncleanShutdown: return "connection refused or lost"
            case .sslUnsupported: return "the server does not offer TLS (sslmode=require or stricter)"
            case .authMechanismRequiresPassword: return "the server asks for a password (PGPASSWORD, ~/.pgpass or --history-password-file)"
            default: return "\(e.code)"
            }
        }
        if let e = error as? IOError { return e.description }
        return "\(error)"
    }

    /// Runs async work from a thread that is not part of Swift's concurrency pool, and waits.
    /// `timeout`: give up waiting after that many seconds (the work is cancelled).
    static func wait<T: Sendable>(timeout: Double? = nil, _ body: @escaping @Sendable () async throws -> T) throws -> T {
        let box = NIOLockedValueBox<Result<T, any Error>?>(nil)
        let done = DispatchSemaphore(value: 0)
        let task = Task {
            do { let v = try await body(); box.withLockedValue { $0 = .success(v) } } catch { box.withLockedValue { $0 = .failure(error) } }
            done.signal()
        }
        if let timeout {
            guard done.wait(timeout: .now() + timeout) == .success else {
                task.cancel()
                throw TimedOut(seconds: timeout)
            }
        } else {
            done.wait()
        }
        return try box.withLockedValue { $0! }.get()
    }

    /// No answer in time: the connection is taken for lost.
    struct TimedOut: Error {
        var seconds: Double
    }
}
