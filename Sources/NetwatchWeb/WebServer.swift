import Foundation
import Hummingbird
import HummingbirdCore
import Logging
import NetwatchHistory
import NIOCore
import NIOPosix
import Synchronization

/// The dashboard, the JSON API and `/metrics` on one port, served by Hummingbird on its own
/// threads beside the packet loop; read-only.
public final class WebServer: Sendable {
    public let configuration: WebConfiguration
    let data: WebData
    /// Live streams open, per client and in all.
    let streams: ConnectionLimit
    let task = Mutex<Task<Void, Error>?>(nil)

    public init(configuration: WebConfiguration, data: WebData) {
        self.configuration = configuration
        self.data = data
        streams = ConnectionLimit(perClient: configuration.streamsPerClient, total: configuration.streams)
    }

    /// Why the server cannot start (the address is taken, not local...), in one sentence.
    public struct StartError: Error, Sendable {
        public var message: String
    }

    func router() -> Router<WebContext> {
        let router = Router(context: WebContext.self)
        router.add(middleware: WebSecurity(token: configuration.token, perClient: configuration.requestsPerClient))
        let pages = WebPages(data: data)
        let api = WebAPI(data: data, pages: pages)
        let data = self.data

        // The pages and the API read the database with blocking calls (SQLite's, and the central
        // PostgreSQL's waits): they run on NIO's thread pool, not on Swift's few cooperative
        // threads, which would otherwise wait on work that needs them.
        func page(_ make: @escaping @Sendable (Request, WebContext) throws -> String?) -> @Sendable (Request, WebContext) async throws -> Response {
            { request, context in
                do {
                    guard let html = try await NIOThreadPool.singleton.runIfActive({ try make(request, context) }) else {
                        return WebResponses.html(pages.problem("Not found", "Nothing here by that name.", current: ""), status: .notFound)
                    }
                    return WebResponses.html(html)
                } catch let e as BadRequest {
                    return WebResponses.html(pages.problem("Bad request", e.message, current: ""), status: .badRequest)
                } catch let e as HistoryError {
                    return WebResponses.html(pages.problem("History unavailable", e.message, current: ""), status: .serviceUnavailable)
                }
            }
        }
        func json(_ make: @escaping @Sendable (Request, WebContext) throws -> Response) -> @Sendable (Request, WebContext) async throws -> Response {
            { request, context in
                do {
                    return try await NIOThreadPool.singleton.runIfActive { try make(request, context) }
                } catch let e as BadRequest {
                    return WebResponses.error(.badRequest, e.message)
                } catch let e as HistoryError {
                    return WebResponses.error(.serviceUnavailable, e.message)
                }
            }
        }
        @Sendable func raw(_ request: Request) -> [String: String] {
            var out: [String: String] = [:]
            for (k, v) in request.uri.queryParameters where out.count < 16 && k.utf8.count <= 32 && v.utf8.count <= 256 { out[String(k)] = String(v) }
            return out
        }

        router.get("/") { _, _ in
            do { return WebResponses.html(try await NIOThreadPool.singleton.runIfActive { try pages.overview() }) } catch let error as HistoryError {
                return WebResponses.html(pages.problem("History unavailable", error.message, current: "/"), status: .serviceUnavailable)
            }
        }
        router.get("/flows", use: page { request, _ in
            let params = raw(request)
            do {
                let q = try WebQuery(request, now: data.now()).flowQuery(fleet: data.fleet)
                return try pages.flows(q, raw: params, error: nil)
            } catch let e as BadRequest {
                return try pages.flows(FlowQuery(), raw: params, error: e.message)
            }
        })
        router.get("/flows/{uid}", use: page { _, context in try pages.flow(uid: context.parameters.get("uid") ?? "") })
        router.get("/alerts", use: page { request, _ in
            let params = raw(request)
            let w = WebQuery(request, now: data.now())
            do {
                let since = try w.time("since"), until = try w.time("until")
                return try pages.alerts(since: since, until: until, signature: try w.string("signature"), host: try w.address("host"),
                                        sensor: try w.sensor(data.fleet), limit: try w.int("limit", 1...1000) ?? 50, offset: try w.int("offset", 0...1_000_000) ?? 0, raw: params, error: nil)
            } catch let e as BadRequest {
                return try pages.alerts(since: nil, until: nil, signature: nil, host: nil, sensor: nil, limit: 50, offset: 0, raw: params, error: e.message)
            }
        })
        router.get("/alerts/{id}", use: page { _, context in
            guard let id = Int64(context.parameters.get("id") ?? "") else { throw BadRequest("an alert id is a whole number") }
            return try pages.alert(id: id)
        })
        router.get("/hosts", use: page { request, _ in
            if let ip = request.uri.queryParameters.get("ip"), !ip.isEmpty {
                if let address = IPAddressText.canonical(ip) { return try pages.host(address) }
                return try pages.hosts(error: "'\(ip.prefix(64))' is not an IP address")
            }
            return try pages.hosts(error: nil)
        })
        router.get("/hosts/{ip}", use: page { _, context in
            guard let ip = IPAddressText.canonical(context.parameters.get("ip") ?? "") else { throw BadRequest("a host is an IP address") }
            return try pages.host(ip)
        })
        router.get("/processes", use: page { _, _ in try pages.processes() })

        router.get("/api/v1/flows", use: json { request, _ in try api.flows(request) })
        router.get("/api/v1/flows/{uid}", use: json { _, context in try api.flow(context.parameters.get("uid") ?? "") })
        router.get("/api/v1/alerts", use: json { request, _ in try api.alerts(request) })
        router.get("/api/v1/alerts/{id}", use: json { _, context in try api.alert(context.parameters.get("id") ?? "") })
        router.get("/api/v1/hosts/{ip}", use: json { _, context in try api.host(context.parameters.get("ip") ?? "") })
        router.get("/api/v1/series", use: json { request, _ in try api.series(request) })
        router.get("/api/v1/top/{kind}", use: json { request, context in try api.top(context.parameters.get("kind") ?? "", request) })
        router.get("/api/v1/runs", use: json { _, _ in try api.runs() })
        router.get("/api/v1/sensors", use: json { request, _ in try api.sensors(request) })
        router.get("/api/v1/processes", use: json { _, _ in try api.processes() })
        router.get("/api/v1/live", use: json { _, _ in try api.live() })
        router.get("/api/v1/openapi.json") { _, _ in WebResponses.text(OpenAPIDocument.json, type: "application/json; charset=utf-8") }
        router.get("/api/v1/stream/overview") { _, context in self.overviewStream(client: context.client, pages: pages) }
        router.get("/metrics") { _, _ in
            let text = self.data.metrics.render(self.data.live?.snapshot() ?? LiveState.Snapshot(),
                                                historyQueue: self.data.historyWriter?.queueDepth, historyDropped: self.data.historyWriter?.dropped)
            return WebResponses.text(text, type: "text/plain; version=0.0.4; charset=utf-8")
        }
        router.get("/static/netwatch.css") { _, _ in WebResponses.text(WebAssets.css, type: "text/css; charset=utf-8", cache: true) }
        router.get("/static/netwatch.js") { _, _ in WebResponses.text(WebAssets.script, type: "text/javascript; charset=utf-8", cache: true) }
        return router
    }

    /// Server-Sent Events: the overview's live part once a second, while the client listens
    /// (a bounded number of streams per client and in all).
    func overviewStream(client: String, pages: WebPages) -> Response {
        let admitted = streams.admit(client)
        guard admitted else { return WebResponses.error(.tooManyRequests, "too many live streams open") }
        let body = ResponseBody { writer in
            defer { self.streams.release(client) }
            try await writer.write(ByteBuffer(string: "retry: 2000\n\n"))
            while !Task.isCancelled {
                let data = self.data
                let fragment = (try? await NIOThreadPool.singleton.runIfActive {
                    try data.overviewFragment { () throws(HistoryError) in try pages.overviewFragment() }
                }) ?? ""
                var event = "event: fragment\n"
                for line in fragment.split(separator: "\n", omittingEmptySubsequences: false) { event += "data: " + line + "\n" }
                event += "\n"
                try await writer.write(ByteBuffer(string: event))
                try await Task.sleep(for: .seconds(1))
            }
            try await writer.finish(nil)
        }
        return Response(status: .ok, headers: [.contentType: "text/event-stream", .cacheControl: "no-store"], body: body)
    }

    /// Starts listening; returns the port bound (useful with port 0) once the server runs,
    /// or throws why it could not.
    public func start() throws(StartError) -> Int {
        let ready = DispatchSemaphore(value: 0)
        let outcome = Mutex<Result<Int, StartError>?>(nil)
        var logger = Logger(label: "netwatch-web")
        logger.logLevel = .critical
        // Headers of 16 KB at most (nothing here needs more); connections limited per client.
        let limit = ConnectionLimit(perClient: configuration.connectionsPerClient, total: configuration.connections)
        var http = HTTP1Channel.Configuration(additionalChannelHandlers: [limit.handler()])
        http.httpDecoder = .init(maxHeaderFieldSize: 8 * 1024, maxHeaderListSize: 16 * 1024, maxHeaderFieldCount: 100)
        let app = Application(router: router(), server: .http1(configuration: http),
                              configuration: .init(address: .hostname(configuration.host, port: configuration.port), serverName: "netwatch"),
                              onServerRunning: { channel in
                                  outcome.withLock { $0 = .success(channel.localAddress?.port ?? 0) }
                                  ready.signal()
                              },
                              logger: logger)
        let host = configuration.host, port = configuration.port
        let t = Task.detached {
            do {
                try await app.runService(gracefulShutdownSignals: [])
            } catch {
                outcome.withLock { if $0 == nil { $0 = .failure(StartError(message: "cannot listen on \(host):\(port): \(error)")) } }
                ready.signal()
                throw error
            }
        }
        task.withLock { $0 = t }
        ready.wait()
        switch outcome.withLock({ $0 }) {
        case .success(let port): return port
        case .failure(let e): throw e
        case nil: throw StartError(message: "cannot listen on \(host):\(port)")
        }
    }

    /// Stops serving (open event streams end).
    public func stop() {
        task.withLock { $0?.cancel() }
    }
}
