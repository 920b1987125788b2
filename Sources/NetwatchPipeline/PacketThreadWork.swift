import Synchronization

/// Work other threads hand to the packet thread (a reload's new detector config, files to
/// reopen), run between packets at the next tick, at most 100 ms later live. The packet loop
/// pays one relaxed atomic load per tick for it. Once the run is over (`close`), work runs
/// at once on the thread that submits it.
public final class PacketThreadWork: Sendable {
    public typealias Work = @Sendable () -> Void
    private let queued = Mutex<(work: [Work], closed: Bool)>(([], false))
    private let waiting = Atomic<Bool>(false)

    public init() {}

    public func submit(_ work: @escaping Work) {
        let now = queued.withLock { state -> Bool in
            if !state.closed { state.work.append(work) }
            return state.closed
        }
        if now { work() } else { waiting.store(true, ordering: .releasing) }
    }

    /// Runs what is queued (on the packet thread).
    func run() {
        guard waiting.load(ordering: .acquiring) else { return }
        waiting.store(false, ordering: .relaxed)
        let work = queued.withLock { state in
            defer { state.work.removeAll() }
            return state.work
        }
        for w in work { w() }
    }

    /// The packet thread is done: runs what is left, and later work runs where it is submitted.
    func close() {
        let work = queued.withLock { state in
            defer {
                state.work.removeAll()
                state.closed = true
            }
            return state.work
        }
        for w in work { w() }
    }
}
