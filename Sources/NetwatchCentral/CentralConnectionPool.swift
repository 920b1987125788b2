import Foundation

/// The readers' connections to the central PostgreSQL: a statement takes an idle one, so the
/// web server's threads query side by side instead of queuing on one connection (postgres-nio
/// answers one statement at a time per connection). Opened when first needed, at most `limit`;
/// a command that asks one thing at a time opens one.
final class CentralConnectionPool: @unchecked Sendable {
    let url: CentralURL
    let limit: Int
    private let password: String?
    private let condition = NSCondition()
    private var idle: [CentralConnection] = []
    /// Connections open or being opened, idle or in use.
    private var opened = 0

    init(url: CentralURL, password: String?, limit: Int) {
        self.url = url
        self.password = password
        self.limit = max(1, limit)
    }

    /// Runs `body` with a connection of its own, waiting for one while `limit` are in use.
    func withConnection<T>(_ body: (CentralConnection) throws -> T) throws -> T {
        let c = try take()
        defer { give(c) }
        return try body(c)
    }

    private func take() throws(CentralError) -> CentralConnection {
        condition.lock()
        while idle.isEmpty && opened >= limit { condition.wait() }
        if let c = idle.popLast() {
            condition.unlock()
            return c
        }
        opened += 1
        condition.unlock()
        // Connected outside the lock: another thread may take an idle connection meanwhile.
        let c = CentralConnection(url: url, password: password)
        do {
            try c.open()
        } catch {
            condition.lock()
            opened -= 1
            condition.signal()
            condition.unlock()
            throw error
        }
        return c
    }

    private func give(_ c: CentralConnection) {
        condition.lock()
        idle.append(c)
        condition.signal()
        condition.unlock()
    }
}
