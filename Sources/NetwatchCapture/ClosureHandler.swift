/// A handler and a tick given as closures, for sources whose callers hold closures.
@usableFromInline
struct ClosureHandler: RawPacketHandler {
    @usableFromInline let handler: (RawPacket) -> Bool
    @usableFromInline let ticker: () -> Void

    @inlinable init(handler: @escaping (RawPacket) -> Bool, ticker: @escaping () -> Void) {
        self.handler = handler
        self.ticker = ticker
    }

    @inlinable func handle(_ raw: RawPacket) -> Bool { handler(raw) }
    @inlinable func tick() { ticker() }
}
