import Hummingbird
import NIOCore

/// A request's context: who asked (for the per-client limits).
public struct WebContext: RequestContext, RemoteAddressRequestContext {
    public var coreContext: CoreRequestContextStorage
    public let remoteAddress: SocketAddress?

    public init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        remoteAddress = source.channel.remoteAddress
    }

    /// Nothing is uploaded: every endpoint only reads.
    public var maxUploadSize: Int { 0 }

    /// The client's address without its port (the key of the per-client limits).
    var client: String { remoteAddress?.ipAddress ?? "?" }
}
