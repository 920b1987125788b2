import NIOCore
import Synchronization

/// At most `perClient` of something (TCP connections, requests in flight, live streams) per
/// client address and `total` in all. For connections, the one past either bound is closed
/// before a byte of it is read.
final class ConnectionLimit: Sendable {
    let perClient: Int
    let total: Int
    let open = Mutex<(byClient: [String: Int], all: Int)>(([:], 0))

    init(perClient: Int, total: Int) {
        self.perClient = perClient
        self.total = total
    }

    func admit(_ client: String) -> Bool {
        open.withLock { o in
            let n = o.byClient[client, default: 0]
            guard n < perClient, o.all < total else { return false }
            o.byClient[client] = n + 1
            o.all += 1
            return true
        }
    }

    func release(_ client: String) {
        open.withLock { o in
            let n = (o.byClient[client] ?? 1) - 1
            o.byClient[client] = n > 0 ? n : nil
            o.all = max(0, o.all - 1)
        }
    }

    /// The handler each new connection gets.
    func handler() -> Handler { Handler(limit: self) }

    final class Handler: ChannelInboundHandler, RemovableChannelHandler, @unchecked Sendable {
        typealias InboundIn = NIOAny
        let limit: ConnectionLimit
        var client: String?

        init(limit: ConnectionLimit) { self.limit = limit }

        func handlerAdded(context: ChannelHandlerContext) {
            let address = context.channel.remoteAddress?.ipAddress ?? "?"
            if limit.admit(address) {
                client = address
            } else {
                context.close(promise: nil)
            }
        }

        func handlerRemoved(context: ChannelHandlerContext) {
            if let client { limit.release(client) }
            client = nil
        }
    }
}
