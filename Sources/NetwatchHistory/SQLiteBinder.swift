import GRDB
import NetwatchDecode
#if canImport(GRDBSQLite)
import GRDBSQLite
#elseif canImport(SQLite3)
import SQLite3
#endif

/// Binds a row's values to a statement GRDB prepared, in order, and runs it: the history's
/// one hot insert. Everything else goes through GRDB's own API.
struct SQLiteBinder {
    let statement: OpaquePointer
    var index: Int32 = 1

    /// SQLITE_TRANSIENT: SQLite copies the bytes before the bind returns.
    static let transient = unsafeBitCast(OpaquePointer(bitPattern: -1), to: sqlite3_destructor_type.self)

    init(_ statement: OpaquePointer) {
        self.statement = statement
        sqlite3_reset(statement)
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
        if var v {
            v.withUTF8 { u in
                _ = sqlite3_bind_text(statement, index, UnsafeRawPointer(u.baseAddress!).assumingMemoryBound(to: CChar.self), Int32(u.count), Self.transient)
            }
        } else {
            sqlite3_bind_null(statement, index)
        }
        index += 1
    }

    /// An address as text, formatted on the stack.
    mutating func address(_ a: IPAddress) {
        a.withText { u in
            _ = sqlite3_bind_text(statement, index, u.baseAddress!.assumingMemoryBound(to: CChar.self), Int32(u.count), Self.transient)
        }
        index += 1
    }

    func step(_ db: Database) throws {
        let code = sqlite3_step(statement)
        guard code == SQLITE_DONE else {
            throw DatabaseError(resultCode: ResultCode(rawValue: code), message: String(cString: sqlite3_errmsg(db.sqliteConnection)))
        }
    }
}
