import CSQLiteConfig
import GRDB
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A netwatch history database (SQLite in WAL mode): opened to record, or read-only to answer
/// questions while another netwatch may be writing it.
public final class HistoryStore: @unchecked Sendable {
    public let path: String
    let queue: DatabaseQueue
    /// The file's schema (PRAGMA user_version): a v1 file read as it is has no host index,
    /// top tables, socket events or per-interface series, and is answered by scans.
    let version: Int

    private init(path: String, queue: DatabaseQueue, version: Int = HistorySchema.version) {
        self.path = path
        self.queue = queue
        self.version = version
    }

    /// SQLite in multi-thread mode, set once before its first connection.
    private static let sqliteConfigured: Int32 = netwatch_sqlite_multithread()

    /// Opens `path` to record into, creating it (and its schema) if it does not exist.
    /// `maxBytes` (retention's bound) keeps the WAL to an eighth of it after each checkpoint.
    public static func openForWriting(_ path: String, maxBytes: Int64? = nil) throws(HistoryError) -> HistoryStore {
        _ = sqliteConfigured
        let walLimit = min(64 << 20, max(1 << 20, (maxBytes ?? .max) / 8))
        var config = Configuration()
        config.journalMode = .wal
        // Another netwatch writing the same file holds the lock a commit at a time.
        config.busyMode = .timeout(5)
        config.prepareDatabase { db in
            try db.execute(sql: "PRAGMA synchronous = NORMAL; PRAGMA cache_size = -131072; PRAGMA temp_store = MEMORY; PRAGMA journal_size_limit = \(walLimit)")
        }
        let existed = access(path, F_OK) == 0
        var recover = false
        if existed {
            // Looked at read-only first: a file that is not ours is left exactly as it was
            // (opening it in WAL mode would already rewrite its header).
            var look = Configuration()
            look.readonly = true
            do {
                let q = try DatabaseQueue(path: path, configuration: look)
                try q.read { db in
                    try check(db, path: path, allowEmpty: true)
                    // A file a run did not close (killed, or another netwatch writing it) or a
                    // small one is checked through before it is touched; a large one that was
                    // closed cleanly is trusted (6.6 s for 10 million flows).
                    let small = (try Int64.fetchOne(db, sql: "PRAGMA page_count") ?? 0) < 16384
                    let unclean = try db.tableExists("run") && (try Bool.fetchOne(db, sql: "SELECT ended IS NULL FROM run ORDER BY id DESC LIMIT 1") ?? false)
                    if small || unclean {
                        guard try String.fetchAll(db, sql: "PRAGMA quick_check") == ["ok"] else {
                            throw HistoryError("\(path) is damaged (SQLite's quick_check failed); nothing was changed")
                        }
                    }
                    recover = unclean
                }
                try q.close()
            } catch let error as HistoryError {
                throw error
            } catch {
                throw explain(error, path: path, writing: true, existed: existed)
            }
        }
        let queue: DatabaseQueue
        do {
            queue = try DatabaseQueue(path: path, configuration: config)
        } catch {
            throw explain(error, path: path, writing: true, existed: existed)
        }
        do {
            try queue.writeWithoutTransaction { db in
                try check(db, path: path, allowEmpty: true)
                if try Int(Int32.fetchOne(db, sql: "PRAGMA application_id") ?? 0) == 0 {
                    // A new file: incremental vacuum (retention gives space back), our stamp.
                    try db.execute(sql: "PRAGMA auto_vacuum = INCREMENTAL; VACUUM; PRAGMA application_id = \(HistorySchema.applicationID)")
                }
            }
            try HistorySchema.migrator.migrate(queue)
            try queue.writeWithoutTransaction { db in
                // Written only when it changes: a damaged file must not be touched before it is found out.
                if try Int.fetchOne(db, sql: "PRAGMA user_version") != HistorySchema.version {
                    try db.execute(sql: "PRAGMA user_version = \(HistorySchema.version)")
                }
            }
            // Rows a crash (or a v1 netwatch) left out of the host index, and after a crash the
            // hour it was in, left not rolled up.
            // The write lock, taken once now: a file another program holds locked (past the
            // 5 s busy timeout) is refused here rather than failing every commit later.
            try queue.inTransaction(.immediate) { _ in .commit }
            try queue.write { db in
                try ConnHostIndex.catchUp(db)
                if recover {
                    let last = try Int64.fetchOne(db, sql: "SELECT max(t) FROM top_host WHERE resolution = 60") ?? 0
                    try TopAggregator.rollUp(db, hoursFrom: HistoryTime.floor(last, 3600))
                }
            }
        } catch let error as HistoryError {
            throw error
        } catch {
            throw explain(error, path: path, writing: true, existed: existed)
        }
        return HistoryStore(path: path, queue: queue)
    }

    /// Opens `path` read-only; it must be a netwatch history database.
    public static func openForReading(_ path: String) throws(HistoryError) -> HistoryStore {
        _ = sqliteConfigured
        guard access(path, F_OK) == 0 else { throw HistoryError("\(path): no such history database") }
        var config = Configuration()
        config.readonly = true
        config.busyMode = .timeout(5)
        let queue: DatabaseQueue
        let version: Int
        do {
            queue = try DatabaseQueue(path: path, configuration: config)
            version = try queue.read { db in
                try check(db, path: path, allowEmpty: false)
                return try Int.fetchOne(db, sql: "PRAGMA user_version") ?? HistorySchema.version
            }
        } catch let error as HistoryError {
            throw error
        } catch {
            throw explain(error, path: path, writing: false, existed: true)
        }
        return HistoryStore(path: path, queue: queue, version: version)
    }

    /// Refuses files that are not ours or that a newer netwatch wrote.
    private static func check(_ db: Database, path: String, allowEmpty: Bool) throws {
        let id = try Int32.fetchOne(db, sql: "PRAGMA application_id") ?? 0
        let tables = try Int.fetchOne(db, sql: "SELECT count(*) FROM sqlite_master") ?? 0
        if id == 0 && tables == 0 && allowEmpty { return }
        guard id == HistorySchema.applicationID else {
            throw HistoryError("\(path) is an SQLite database but not a netwatch history database; nothing was changed")
        }
        let version = try Int.fetchOne(db, sql: "PRAGMA user_version") ?? 0
        if version > HistorySchema.version {
            throw HistoryError("\(path) was written by a newer netwatch (history schema \(version); this one reads up to \(HistorySchema.version)); nothing was changed")
        }
    }

    /// One sentence for what SQLite said.
    static func explain(_ error: Error, path: String, writing: Bool, existed: Bool) -> HistoryError {
        guard let e = error as? DatabaseError else { return HistoryError("\(path): \(error)") }
        switch e.resultCode {
        case .SQLITE_NOTADB:
            return HistoryError("\(path) is not a netwatch history database (not an SQLite file); nothing was changed")
        case .SQLITE_CORRUPT:
            return HistoryError("\(path) is damaged (SQLite reports a corrupt database); nothing was changed")
        case .SQLITE_CANTOPEN, .SQLITE_READONLY, .SQLITE_PERM, .SQLITE_AUTH:
            return HistoryError(writing ? "cannot write the history database \(path): \(existed ? "the file or its directory is read-only" : "cannot create it (is the directory writable?)")"
                                        : "cannot read the history database \(path)")
        case .SQLITE_BUSY, .SQLITE_LOCKED:
            return HistoryError("\(path) is locked by another writer; try again when it is done")
        case .SQLITE_FULL:
            return HistoryError("\(path): the disk is full")
        default:
            return HistoryError("\(path): \(e.message ?? "SQLite error \(e.resultCode.rawValue)")")
        }
    }
}
