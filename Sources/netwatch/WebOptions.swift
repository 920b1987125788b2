import ArgumentParser
import NetwatchDetect
import Foundation
import NetwatchPipeline
import NetwatchWeb
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Where the dashboard listens, and its token.
struct WebOptions: ParsableArguments {
    @Option(name: .customLong("listen"), help: ArgumentHelp("The dashboard's address and port (default 127.0.0.1:\(WebConfiguration.defaultPort); port 0 picks a free one). Any address but loopback needs --web-token-file.", valueName: "address:port"))
    var listen: String?

    @Option(name: .customLong("web-token-file"), help: ArgumentHelp("A file whose first line is the token requests must carry (Authorization: Bearer TOKEN; a browser asks for it as a password).", valueName: "file"))
    var tokenFile: String?

    @Flag(name: .customLong("resolve-names"), help: "Host pages show reverse DNS (PTR) names, looked up in the background when a page asks.")
    var resolveNames = false

    func validate() throws {
        if let listen, WebConfiguration.parseListen(listen) == nil { throw ValidationError("--listen takes ADDRESS:PORT (127.0.0.1:9752, [::1]:9752, :9752), not '\(listen)'") }
    }

    /// The configuration, refusing a non-loopback address without a token.
    func configuration(sensor: SensorOption, config: DetectionConfig? = nil) throws -> WebConfiguration {
        let (host, port) = listen.flatMap(WebConfiguration.parseListen) ?? ("127.0.0.1", WebConfiguration.defaultPort)
        var c = WebConfiguration(host: host, port: port)
        c.sensor = sensor.name(config)
        if let tokenFile {
            guard let text = try? String(contentsOfFile: tokenFile, encoding: .utf8) else {
                diagnostics.error("cannot read the token file \(tokenFile)")
                throw ExitCode(1)
            }
            let token = text.split(separator: "\n", omittingEmptySubsequences: false).first.map { $0.trimmingCharacters(in: .whitespaces) } ?? ""
            guard token.utf8.count >= 16 else {
                diagnostics.error("the token in \(tokenFile) is shorter than 16 characters; make one with: head -c 24 /dev/urandom | base64 > \(tokenFile)")
                throw ExitCode(1)
            }
            c.token = token
        } else if !WebConfiguration.isLoopback(host) {
            diagnostics.error("the dashboard listens on \(host), not loopback: give --web-token-file FILE (requests then carry Authorization: Bearer TOKEN)")
            throw ExitCode(1)
        }
        return c
    }

    static func url(host: String, port: Int) -> String {
        let h = host == "0.0.0.0" || host == "::" ? "127.0.0.1" : host
        return "http://\(h.contains(":") ? "[\(h)]" : h):\(port)/"
    }
}
