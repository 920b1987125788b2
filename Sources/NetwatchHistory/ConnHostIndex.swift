import GRDB
import NetwatchDecode
#if canImport(GRDBSQLite)
import GRDBSQLite
#elseif canImport(SQLite3)
import SQLite3
#endif

/// The conn table's host index, built by the writer a chunk at a time: for each chunk of
/// 65,536 conn ids and each address at either end, one `conn_host` row whose `ids` are the
/// ids' 16-bit offsets in the chunk (little-endian). Rows go in key order once per chunk, so
/// the index costs appends, not a random B-tree page per conn row. Ids above
/// `conn_indexed.through` (the chunk being filled, or what a crash left) are not in it yet:
/// readers scan them, and the next writer indexes them first.
struct ConnHostIndex {
    /// An address as `conn_host.h` keeps it: 4 bytes for IPv4, 16 for IPv6, network order.
    struct Key: Comparable {
        var high: UInt64
        var low: UInt64
        var isIPv6: Bool

        init(_ a: IPAddress) {
            high = a.high
            low = a.low
            isIPv6 = a.isIPv6
        }

        static func < (a: Key, b: Key) -> Bool {
            (a.isIPv6 ? 1 : 0, a.high, a.low) < (b.isIPv6 ? 1 : 0, b.high, b.low)
        }

        func withBytes<R>(_ body: (UnsafeRawBufferPointer) -> R) -> R {
            var bytes = (high.bigEndian, low.bigEndian)
            return withUnsafeBytes(of: &bytes) { raw in
                isIPv6 ? body(raw) : body(UnsafeRawBufferPointer(rebasing: raw[12..<16]))
            }
        }

        var bytes: [UInt8] { withBytes { Array($0) } }
    }

    /// IPv4 entries packed as address << 16 | offset, so that a plain integer sort orders them.
    private var entries4: [UInt64] = []
    private var entries6: [(key: Key, offset: UInt16)] = []
    private(set) var chunk: Int64 = -1
    /// The highest id added.
    private(set) var last: Int64 = 0

    var isEmpty: Bool { entries4.isEmpty && entries6.isEmpty }

    /// Adds conn row `id` (ids come in increasing order). Returns true when `id` starts a new
    /// chunk and what was gathered must be written first (call `write`, then `add` again).
    mutating func add(id: Int64, _ a: IPAddress, _ b: IPAddress) -> Bool {
        let c = id >> HistorySchema.chunkShift
        if c != chunk {
            if !isEmpty { return true }
            chunk = c
        }
        let offset = UInt16(truncatingIfNeeded: id)
        append(a, offset)
        if b != a { append(b, offset) }
        last = id
        return false
    }

    private mutating func append(_ a: IPAddress, _ offset: UInt16) {
        if a.isIPv6 {
            entries6.append((Key(a), offset))
        } else {
            entries4.append(UInt64(a.ipv4) << 16 | UInt64(offset))
        }
    }

    /// Writes the gathered rows (merging with rows an earlier run left for the same chunk) and
    /// moves `conn_indexed.through` to the last id added.
    mutating func write(_ db: Database) throws {
        guard !isEmpty else { return }
        let statement = try db.cachedStatement(sql: """
            INSERT INTO conn_host (chunk, h, ids) VALUES (?, ?, ?)
            ON CONFLICT (chunk, h) DO UPDATE SET ids = ids || excluded.ids
            """).sqliteStatement
        var ids: [UInt8] = []
        func insert(_ key: Key) throws {
            sqlite3_reset(statement)
            sqlite3_bind_int64(statement, 1, chunk)
            key.withBytes { _ = sqlite3_bind_blob(statement, 2, $0.baseAddress, Int32($0.count), SQLiteBinder.transient) }
            ids.withUnsafeBytes { _ = sqlite3_bind_blob(statement, 3, $0.baseAddress, Int32($0.count), SQLiteBinder.transient) }
            let code = sqlite3_step(statement)
            guard code == SQLITE_DONE else {
                throw DatabaseError(resultCode: ResultCode(rawValue: code), message: String(cString: sqlite3_errmsg(db.sqliteConnection)))
            }
            ids.removeAll(keepingCapacity: true)
        }
        // Key order, IPv4 (4-byte keys) first: each row lands after the one before.
        entries4.sort()
        var i = 0
        while i < entries4.count {
            let address = entries4[i] >> 16
            while i < entries4.count && entries4[i] >> 16 == address {
                ids.append(UInt8(truncatingIfNeeded: entries4[i]))
                ids.append(UInt8(truncatingIfNeeded: entries4[i] >> 8))
                i += 1
            }
            try insert(Key(IPAddress(ipv4: UInt32(truncatingIfNeeded: address))))
        }
        entries6.sort { $0.key < $1.key || ($0.key == $1.key && $0.offset < $1.offset) }
        i = 0
        while i < entries6.count {
            let key = entries6[i].key
            while i < entries6.count && entries6[i].key == key {
                ids.append(UInt8(truncatingIfNeeded: entries6[i].offset))
                ids.append(UInt8(truncatingIfNeeded: entries6[i].offset >> 8))
                i += 1
            }
            try insert(key)
        }
        try db.execute(sql: "UPDATE conn_indexed SET through = ?", arguments: [last])
        entries4.removeAll(keepingCapacity: true)
        entries6.removeAll(keepingCapacity: true)
    }

    /// Indexes the rows above `conn_indexed.through` (a crash, or rows a v1 netwatch wrote).
    static func catchUp(_ db: Database) throws {
        let through = try Int64.fetchOne(db, sql: "SELECT through FROM conn_indexed") ?? 0
        guard try Int64.fetchOne(db, sql: "SELECT max(id) FROM conn") ?? 0 > through else { return }
        var index = ConnHostIndex()
        let rows = try Row.fetchCursor(db, sql: "SELECT id, orig_h, resp_h FROM conn WHERE id > ? ORDER BY id", arguments: [through])
        while let row = try rows.next() {
            let id: Int64 = row[0]
            let a = IPAddress((row[1] as String?) ?? "") ?? .none
            let b = IPAddress((row[2] as String?) ?? "") ?? .none
            if index.add(id: id, a, b) {
                try index.write(db)
                _ = index.add(id: id, a, b)
            }
        }
        try index.write(db)
    }

    /// Decodes a `conn_host.ids` blob of `chunk` into conn ids.
    static func ids(chunk: Int64, _ blob: [UInt8], into out: inout [Int64]) {
        var i = 0
        while i + 1 < blob.count {
            out.append(chunk << HistorySchema.chunkShift | Int64(blob[i]) | Int64(blob[i + 1]) << 8)
            i += 2
        }
    }
}
