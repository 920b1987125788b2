import Foundation
import GRDB
import NetwatchHost

/// Folds the WAL back into the database file on a thread and connection of its own, so that
/// the writer thread only appends: SQLite's automatic checkpoint ran inside the writer's
/// commits (a tenth of its time, and its waits for the disk). The writer pokes it after each
/// commit; a PASSIVE checkpoint never waits for the writer or readers, and copies what it can.
/// If the WAL still grows past `limit` bytes (a reader holding an old snapshot, or a
/// checkpoint slower than the writer), the writer checkpoints itself, as SQLite would have.
final class WALCheckpointer: @unchecked Sendable {
    private let queue: DatabaseQueue
    private let walPath: String
    let limit: Int64
    private let condition = NSCondition()
    private var poked = false
    private var stopping = false
    private var done = false

    /// Opens a second connection to `path`; nil if it cannot (the writer then checkpoints as before).
    init?(path: String, limit: Int64) {
        var config = Configuration()
        config.busyMode = .timeout(1)
        guard let q = try? DatabaseQueue(path: path, configuration: config) else { return nil }
        queue = q
        walPath = path + "-wal"
        self.limit = limit
        let t = Thread { [self] in loop() }
        t.name = "nw-checkpoint"
        t.start()
    }

    /// A commit went in: checkpoint when the thread is free.
    func poke() {
        condition.lock()
        poked = true
        condition.signal()
        condition.unlock()
    }

    /// Whether the WAL has grown past `limit` (one stat of the file).
    var overLimit: Bool {
        var s = stat()
        return stat(walPath, &s) == 0 && Int64(s.st_size) > limit
    }

    /// Finishes the checkpoint under way and closes the connection.
    func stop() {
        condition.lock()
        stopping = true
        condition.signal()
        while !done { condition.wait() }
        condition.unlock()
        try? queue.close()
    }

    private func loop() {
        ThreadPriority.nameCurrentThread("nw-checkpoint")
        while true {
            condition.lock()
            while !poked && !stopping { condition.wait() }
            let stop = stopping
            poked = false
            condition.unlock()
            if stop { break }
            // Errors (disk full, a busy lock) are the writer's to report; the next poke tries again.
            _ = try? queue.writeWithoutTransaction { db in try db.execute(sql: "PRAGMA wal_checkpoint(PASSIVE)") }
        }
        condition.lock()
        done = true
        condition.broadcast()
        condition.unlock()
    }
}
