import Hummingbird
import HTTPTypes
import Synchronization
import Foundation

/// Every response's guard: read-only methods, the token when one is set (compared in constant
/// time), a limit on requests in flight per client, and headers that keep the pages to their
/// own script and style (no inline script, no eval, no framing, no MIME sniffing).
struct WebSecurity: RouterMiddleware {
    typealias Context = WebContext
    let token: [UInt8]?
    let perClient: Int
    /// Requests in flight per client.
    let inFlight: ConnectionLimit

    init(token: String?, perClient: Int) {
        self.token = token.map { Array($0.utf8) }
        self.perClient = perClient
        inFlight = ConnectionLimit(perClient: perClient, total: .max)
    }

    static let csp = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"

    static func harden(_ response: inout Response) {
        response.headers[.contentSecurityPolicy] = csp
        response.headers[.xContentTypeOptions] = "nosniff"
        response.headers[.xFrameOptions] = "DENY"
        response.headers[.referrerPolicy] = "no-referrer"
        response.headers[.crossOriginResourcePolicy] = "same-origin"
        if response.headers[.cacheControl] == nil { response.headers[.cacheControl] = "no-store" }
    }

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var response = try await guarded(request, context: context, next: next)
        Self.harden(&response)
        return response
    }

    func guarded(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard request.method == .get || request.method == .head else {
            var r = WebResponses.error(.methodNotAllowed, "netwatch's web server only reads: GET and HEAD")
            r.headers[.allow] = "GET, HEAD"
            return r
        }
        if let length = request.headers[.contentLength].flatMap({ Int($0) }), length > 0 {
            return WebResponses.error(.contentTooLarge, "requests carry no body")
        }
        if let token, !Self.authorized(request.headers[.authorization], token: token) {
            var r = WebResponses.error(.unauthorized, "a token is needed: Authorization: Bearer <token>")
            r.headers.append(HTTPField(name: .wwwAuthenticate, value: "Bearer realm=\"netwatch\""))
            r.headers.append(HTTPField(name: .wwwAuthenticate, value: "Basic realm=\"netwatch\""))
            return r
        }
        let client = context.client
        guard inFlight.admit(client) else {
            return WebResponses.error(.tooManyRequests, "too many requests at once from \(client)")
        }
        defer { inFlight.release(client) }
        return try await next(request, context)
    }

    /// `Bearer TOKEN`, or `Basic` with TOKEN as the password (what a browser's login box
    /// sends, for the pages and their event stream, which cannot set a header).
    static func authorized(_ header: String?, token: [UInt8]) -> Bool {
        guard let header else { return false }
        var offered: [UInt8] = []
        if header.hasPrefix("Bearer ") {
            offered = Array(header.dropFirst(7).utf8)
        } else if header.hasPrefix("Basic "), let data = Data(base64Encoded: String(header.dropFirst(6))) {
            let decoded = [UInt8](data)
            guard let colon = decoded.firstIndex(of: UInt8(ascii: ":")) else { return false }
            offered = Array(decoded[(colon + 1)...])
        } else {
            return false
        }
        return constantTimeEqual(offered, token)
    }

    /// Equal bytes, in time that depends only on the lengths (not on where they differ).
    static func constantTimeEqual(_ a: [UInt8], _ b: [UInt8]) -> Bool {
        var difference = UInt8(truncatingIfNeeded: a.count ^ b.count)
        let n = max(a.count, b.count)
        for i in 0..<n {
            let x = i < a.count ? a[i] : 0
            let y = i < b.count ? b[i] : 0
            difference |= x ^ y
        }
        return difference == 0 && a.count == b.count
    }
}

extension HTTPField.Name {
    static let contentSecurityPolicy = HTTPField.Name("Content-Security-Policy")!
    static let xContentTypeOptions = HTTPField.Name("X-Content-Type-Options")!
    static let xFrameOptions = HTTPField.Name("X-Frame-Options")!
    static let referrerPolicy = HTTPField.Name("Referrer-Policy")!
    static let crossOriginResourcePolicy = HTTPField.Name("Cross-Origin-Resource-Policy")!
}
