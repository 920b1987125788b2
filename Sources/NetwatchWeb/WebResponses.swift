import Hummingbird
import NetwatchView

/// Responses of one shape: JSON bodies, HTML pages, errors as `{"error": "..."}`.
enum WebResponses {
    static func json(_ body: String, status: HTTPResponse.Status = .ok) -> Response {
        Response(status: status, headers: [.contentType: "application/json; charset=utf-8"], body: .init(byteBuffer: ByteBuffer(string: body)))
    }

    static func html(_ body: String, status: HTTPResponse.Status = .ok) -> Response {
        Response(status: status, headers: [.contentType: "text/html; charset=utf-8"], body: .init(byteBuffer: ByteBuffer(string: body)))
    }

    static func text(_ body: String, type: String, cache: Bool = false) -> Response {
        var r = Response(status: .ok, headers: [.contentType: type], body: .init(byteBuffer: ByteBuffer(string: body)))
        if cache { r.headers[.cacheControl] = "max-age=300" }
        return r
    }

    static func error(_ status: HTTPResponse.Status, _ message: String) -> Response {
        json("{\"error\":\(AlertWriter.quoted(message))}\n", status: status)
    }

    /// A JSON array of already-encoded objects.
    static func array(_ items: [String]) -> String { "[" + items.joined(separator: ",") + "]" }
}

/// A request the API refuses, with the sentence that says why (a 400).
struct BadRequest: Error {
    var message: String
    init(_ message: String) { self.message = message }
}
