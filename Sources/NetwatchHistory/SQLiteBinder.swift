import GRDB
import NetwatchDecode
#if canImport(GRDBSQLite)
import GRDBSQLite
#elseif canImport(SQLite3)
import SQLite3
#endif

/// Binds a row's values to a statement GRDB prepared, in order, and runs it: the history's
/// hot inserts. Everything else goes through GRDB's own API.
///
/// Text goes into `TextArena`'s one buffer and is bound when the row is stepped, as
/// SQLITE_STATIC (no copy): bound with SQLITE_TRANSIENT, SQLite made and freed a copy of each
/// of a conn row's dozen strings, a fifth of the writer's time.
struct SQLiteBinder {
    let statement: OpaquePointer
    let arena: TextArena
    var index: Int32 = 1

    /// SQLITE_TRANSIENT: SQLite copies the bytes before the bind returns.
    static let transient = unsafeBitCast(OpaquePointer(bitPattern: -1), to: sqlite3_destructor_type.self)

    init(_ statement: OpaquePointer, arena: TextArena) {
        self.statement = statement
        self.arena = arena
        sqlite3_reset(statement)
        arena.clear()
    }

    mutating func int(_ v: Int64?) {
        if let v { sqlite3_bind_int64(statement, index, v) } else { sqlite3_bind_null(statement, index) }
        index += 1
    }

    mutating func double(_ v: Double) {
        sqlite3_bind_double(statement, index, v)
        index += 1
    }

    mutating func text(_ v: String?) {
        if let v { arena.append(v, column: index) } else { sqlite3_bind_null(statement, index) }
        index += 1
    }

    /// An address as text, formatted into the arena.
    mutating func address(_ a: IPAddress) {
        let column = index
        a.withText { arena.append($0, column: column) }
        index += 1
    }

    func step(_ db: Database) throws {
        let code = arena.bindAndStep(statement)
        guard code == SQLITE_DONE else {
            throw DatabaseError(resultCode: ResultCode(rawValue: code), message: String(cString: sqlite3_errmsg(db.sqliteConnection)))
        }
    }
}

/// A row's text, gathered for `SQLiteBinder`: one buffer kept from row to row (no allocation
/// once it has grown), bound only after the row's last string is in, when it no longer moves.
/// Raw memory, not an array: a class's array property is checked for exclusive access at
/// every append, which cost more than the copies it saves.
final class TextArena {
    private var base: UnsafeMutableRawPointer
    private var capacity = 4096
    private var used = 0
    private var spans: UnsafeMutablePointer<(column: Int32, start: Int32, count: Int32)>
    private var spanCapacity = 64
    private var spanCount = 0
    /// What an empty string is bound to (a null pointer would bind NULL).
    private static let empty: StaticString = ""

    init() {
        base = .allocate(byteCount: capacity, alignment: 8)
        spans = .allocate(capacity: spanCapacity)
    }

    deinit {
        base.deallocate()
        spans.deallocate()
    }

    func clear() {
        used = 0
        spanCount = 0
    }

    private func reserve(_ n: Int) {
        guard used + n > capacity else { return }
        let grown = UnsafeMutableRawPointer.allocate(byteCount: max(capacity * 2, used + n), alignment: 8)
        grown.copyMemory(from: base, byteCount: used)
        base.deallocate()
        base = grown
        capacity = max(capacity * 2, used + n)
    }

    private func span(_ column: Int32, _ start: Int, _ count: Int) {
        if spanCount == spanCapacity {
            let grown = UnsafeMutablePointer<(column: Int32, start: Int32, count: Int32)>.allocate(capacity: spanCapacity * 2)
            grown.update(from: spans, count: spanCount)
            spans.deallocate()
            spans = grown
            spanCapacity *= 2
        }
        spans[spanCount] = (column, Int32(start), Int32(count))
        spanCount += 1
    }

    func append(_ s: String, column: Int32) {
        var s = s
        s.withUTF8 { append(UnsafeRawBufferPointer($0), column: column) }
    }

    func append(_ raw: UnsafeRawBufferPointer, column: Int32) {
        reserve(raw.count)
        if let from = raw.baseAddress { (base + used).copyMemory(from: from, byteCount: raw.count) }
        span(column, used, raw.count)
        used += raw.count
    }

    /// Binds the gathered text (SQLITE_STATIC: valid until the statement is next reset and
    /// rebound) and steps the statement once.
    func bindAndStep(_ statement: OpaquePointer) -> Int32 {
        for i in 0..<spanCount {
            let s = spans[i]
            let p = s.count > 0 ? UnsafeRawPointer(base + Int(s.start)) : UnsafeRawPointer(Self.empty.utf8Start)
            sqlite3_bind_text(statement, s.column, p.assumingMemoryBound(to: CChar.self), s.count, nil)
        }
        return sqlite3_step(statement)
    }
}
