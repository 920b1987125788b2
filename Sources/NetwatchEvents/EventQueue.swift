import Foundation
import NetwatchHost

/// The bounded queue between the road and a writer thread of its own (the history store's,
/// the central database's). The writer takes events a batch at a time, once per `interval`
/// or as soon as 4,096 wait. Reading a file, a full queue makes the road wait (nothing is
/// lost); live, what does not fit is counted as dropped and capture goes on. The run's end
/// is never dropped: it closes the queue, and the road waits until everything before it is
/// written.
public final class EventQueue: @unchecked Sendable {
    public let capacity: Int
    public let live: Bool
    let interval: Double
    /// What a dropped event counts as (a writer may count records and not ticks).
    let weight: @Sendable (NetwatchEvent) -> UInt64
    private let condition = NSCondition()
    private var events: [NetwatchEvent] = []
    private var closing = false
    private var done = false
    private var droppedCount: UInt64 = 0
    private var warned = false
    /// Called once, at the first event dropped because the queue was full.
    public var onFull: (@Sendable () -> Void)?

    public init(capacity: Int, live: Bool, interval: Double, weight: @escaping @Sendable (NetwatchEvent) -> UInt64 = { _ in 1 }) {
        self.capacity = capacity
        self.live = live
        self.interval = interval
        self.weight = weight
    }

    /// Starts the writer thread: `write` gets each batch in order; `finish` runs once all is
    /// written, before `close()` (or the run's end) returns to the road.
    public func start(threadName: String, write: @escaping @Sendable ([NetwatchEvent]) -> Void, finish: @escaping @Sendable () -> Void = {}) {
        let t = Thread { [self] in writeLoop(threadName, write, finish) }
        t.name = threadName
        t.start()
    }

    public func push(_ event: NetwatchEvent) {
        condition.lock()
        defer { condition.unlock() }
        let ending = if case .runEnded = event { true } else { false }
        while events.count >= capacity {
            if live && !ending {
                droppedCount &+= weight(event)
                if !warned {
                    warned = true
                    onFull?()
                }
                return
            }
            condition.signal()
            condition.wait()
        }
        events.append(event)
        if events.count >= 4096 { condition.signal() }
        if ending { closeLocked() }
    }

    /// Writes everything queued and stops the thread.
    public func close() {
        condition.lock()
        closeLocked()
        condition.unlock()
    }

    private func closeLocked() {
        closing = true
        condition.broadcast()
        while !done { condition.wait() }
    }

    /// Events waiting (for `/metrics`).
    public var depth: Int { locked { events.count } }
    /// Counted as dropped: the queue full live, and what the writer adds.
    public var dropped: UInt64 { locked { droppedCount } }
    /// Whether the run has ended (the writer is writing its last batches).
    public var isClosing: Bool { locked { closing } }

    /// Adds what the writer could not write; true the first time anything is dropped (one
    /// warning for the queue and the writer together).
    @discardableResult
    public func countDropped(_ n: UInt64) -> Bool {
        locked {
            droppedCount &+= n
            defer { warned = true }
            return !warned
        }
    }

    /// Takes out what waits without writing it (a writer giving up); its weight, counted as dropped.
    public func discardAll() -> UInt64 {
        locked {
            let n = events.reduce(0) { $0 &+ weight($1) }
            events.removeAll()
            droppedCount &+= n
            condition.broadcast()
            return n
        }
    }

    private func locked<T>(_ body: () -> T) -> T {
        condition.lock()
        defer { condition.unlock() }
        return body()
    }

    private func writeLoop(_ name: String, _ write: ([NetwatchEvent]) -> Void, _ finish: () -> Void) {
        ThreadPriority.nameCurrentThread(name)
        var batch: [NetwatchEvent] = []
        while true {
            condition.lock()
            let deadline = Date(timeIntervalSinceNow: interval)
            while events.count < 4096 && !closing {
                if !condition.wait(until: deadline) { break }
            }
            swap(&batch, &events)
            let last = closing
            condition.broadcast()
            condition.unlock()
            if !batch.isEmpty { write(batch) }
            batch.removeAll(keepingCapacity: true)
            guard last else { continue }
            condition.lock()
            let empty = events.isEmpty
            condition.unlock()
            if empty {
                finish()
                condition.lock()
                done = true
                condition.broadcast()
                condition.unlock()
                return
            }
        }
    }
}
