import GRDB

/// How much history a database keeps: records older than `maxAge` seconds (by their own
/// times, against the clock) go, and the oldest go until the file is under `maxBytes`. Whole
/// chunks of conn ids go at a time, with the alerts, series and top rows older than them;
/// the freed pages are given back (incremental vacuum), so the file shrinks.
public struct HistoryRetention: Sendable, Equatable {
    public var maxAge: Double?
    public var maxBytes: Int64?

    public init(maxAge: Double? = nil, maxBytes: Int64? = nil) {
        self.maxAge = maxAge
        self.maxBytes = maxBytes
    }

    public var isEmpty: Bool { maxAge == nil && maxBytes == nil }

    /// The file's pages in use, in bytes (the WAL is bounded apart, by journal_size_limit).
    static func used(_ db: Database) throws -> Int64 {
        let pages = try Int64.fetchOne(db, sql: "PRAGMA page_count") ?? 0
        let free = try Int64.fetchOne(db, sql: "PRAGMA freelist_count") ?? 0
        let size = try Int64.fetchOne(db, sql: "PRAGMA page_size") ?? 4096
        return (pages - free) * size
    }

    /// Deletes what is too old or too much; returns the conn rows deleted. Runs in the
    /// writer's transaction; the caller vacuums after the commit.
    func prune(_ db: Database, now: Double) throws -> Int {
        var deleted = 0
        if let maxAge {
            deleted += try deleteBefore(db, now - maxAge)
            try db.execute(sql: "PRAGMA incremental_vacuum")
        }
        if let maxBytes {
            // Down to 90 % of the bound, so that a busy run does not prune at every commit:
            // the oldest conn rows by id (ids follow the order records were written), then
            // whatever is older than the oldest row left.
            var used = try Self.used(db)
            var rounds = 0
            while used > maxBytes, rounds < 16 {
                rounds += 1
                let first = try Int64.fetchOne(db, sql: "SELECT min(id) FROM conn")
                let last = try Int64.fetchOne(db, sql: "SELECT max(id) FROM conn")
                if let first, let last {
                    let perRow = max(used / max(last - first + 1, 1), 1)
                    let rows = min(last - first + 1, (used - maxBytes * 9 / 10) / perRow + 1)
                    try db.execute(sql: "DELETE FROM conn WHERE id < ?", arguments: [first + rows])
                    deleted += db.changesCount
                    let chunk = (first + rows) >> HistorySchema.chunkShift
                    try db.execute(sql: "DELETE FROM conn_host WHERE chunk < ?", arguments: [chunk])
                    try db.execute(sql: "DELETE FROM conn_chunk WHERE chunk < ?", arguments: [chunk])
                    let cutoff = try Double.fetchOne(db, sql: "SELECT min(ts) FROM conn WHERE id < ?", arguments: [(chunk + 1) << HistorySchema.chunkShift])
                    try db.execute(sql: "UPDATE conn_chunk SET first_ts = ? WHERE chunk = ?", arguments: [cutoff ?? now, chunk])
                    _ = try deleteBefore(db, cutoff ?? now, conn: false)
                } else {
                    // No conn left to give: the oldest hour of series, top rows and alerts.
                    let oldest = try Double.fetchOne(db, sql: "SELECT min(t) FROM traffic") ?? now
                    _ = try deleteBefore(db, oldest + 3600, conn: false)
                }
                try db.execute(sql: "PRAGMA incremental_vacuum")
                used = try Self.used(db)
            }
        }
        return deleted
    }

    /// Records (and series, top rows, alerts) from before `cutoff`.
    private func deleteBefore(_ db: Database, _ cutoff: Double, conn: Bool = true) throws -> Int {
        var deleted = 0
        if conn {
            // Whole chunks that ended before the cutoff; then the older rows of the chunk that straddles it.
            if let through = try Int64.fetchOne(db, sql: "SELECT max(chunk) FROM conn_chunk WHERE last_ts < ?", arguments: [cutoff]) {
                deleted += try deleteChunks(db, through: through)
            }
            if let oldest = try Int64.fetchOne(db, sql: "SELECT min(chunk) FROM conn_chunk WHERE first_ts < ?", arguments: [cutoff]) {
                try db.execute(sql: "DELETE FROM conn WHERE id >= ? AND id < ? AND ts < ?",
                               arguments: [oldest << HistorySchema.chunkShift, (oldest + 1) << HistorySchema.chunkShift, cutoff])
                deleted += db.changesCount
                try db.execute(sql: "UPDATE conn_chunk SET first_ts = coalesce((SELECT min(ts) FROM conn WHERE id >= ?1 AND id < ?2), first_ts) WHERE chunk = ?3",
                               arguments: [oldest << HistorySchema.chunkShift, (oldest + 1) << HistorySchema.chunkShift, oldest])
            }
        }
        let t = Int64(cutoff.rounded(.down))
        try db.execute(sql: "DELETE FROM alert WHERE ts < ?", arguments: [cutoff])
        try db.execute(sql: "DELETE FROM socket_event WHERE ts < ?", arguments: [cutoff])
        try db.execute(sql: "DELETE FROM dns_name WHERE last_ts < ?", arguments: [cutoff])
        try db.execute(sql: "DELETE FROM host_sketch WHERE t + resolution <= ?", arguments: [t])
        try db.execute(sql: "DELETE FROM traffic WHERE t + resolution <= ?", arguments: [t])
        try db.execute(sql: "DELETE FROM traffic_interface WHERE t + resolution <= ?", arguments: [t])
        for (table, _, _) in TopAggregator.tables {
            try db.execute(sql: "DELETE FROM \(table) WHERE t + resolution <= ?", arguments: [t])
        }
        return deleted
    }

    private func deleteChunks(_ db: Database, through: Int64) throws -> Int {
        let last = (through + 1) << HistorySchema.chunkShift
        try db.execute(sql: "DELETE FROM conn WHERE id < ?", arguments: [last])
        let n = db.changesCount
        try db.execute(sql: "DELETE FROM conn_host WHERE chunk <= ?", arguments: [through])
        try db.execute(sql: "DELETE FROM conn_chunk WHERE chunk <= ?", arguments: [through])
        return n
    }
}
