import Foundation
import XCTest

/// A netwatch serving the dashboard (`monitor`, `serve`), and requests to it with curl: for
/// the web tests and the central database's.
extension XCTestCase {
    /// A netwatch serving the dashboard: the process, its port, its standard error.
    public struct Server {
        public var process: Process
        public var port: Int
        public var stderr: URL
        public var base: String { "http://127.0.0.1:\(port)" }
    }

    /// Starts `netwatch ARGUMENTS --listen 127.0.0.1:0` (in `host` when given) and waits for the
    /// dashboard's URL; `until`: text standard error must show as well (a replay's end).
    public func startServer(_ arguments: [String], in hosts: TestHosts? = nil, host: String? = nil, dir: URL, until: String? = nil, listen: String = "127.0.0.1:0") throws -> Server {
        let err = dir.appendingPathComponent("server-\(UInt32.random(in: 0...UInt32.max)).err")
        let args = [try netwatchBinary()] + arguments + ["--listen", listen]
        let process: Process
        if let hosts, let host {
            process = try hosts.start(host, args, error: err)
        } else {
            process = Process()
            process.executableURL = URL(fileURLWithPath: args[0])
            process.arguments = Array(args.dropFirst())
            process.currentDirectoryURL = dir
            process.standardOutput = FileHandle.nullDevice
            _ = FileManager.default.createFile(atPath: err.path, contents: nil)
            process.standardError = try FileHandle(forWritingTo: err)
            try process.run()
        }
        guard waitFor("dashboard at http://", in: err, timeout: 60) else {
            TestHosts.interrupt(process)
            throw XCTSkip("the dashboard did not start: " + ((try? String(contentsOf: err, encoding: .utf8)) ?? ""))
        }
        let text = try String(contentsOf: err, encoding: .utf8)
        let port = text.range(of: #"dashboard at http://[^:]+:(\d+)/"#, options: .regularExpression).map { m -> Int in
            Int(text[m].split(separator: ":").last!.dropLast()) ?? 0
        } ?? 0
        if let until { XCTAssertTrue(waitFor(until, in: err, timeout: 120), "never saw '\(until)'") }
        return Server(process: process, port: port, stderr: err)
    }

    public struct Reply {
        public var status: Int
        public var headers: [String: String]
        public var body: String
        public var json: [String: Any] { (try? JSONSerialization.jsonObject(with: Data(body.utf8))) as? [String: Any] ?? [:] }
    }

    /// One request with curl (in `host` when given).
    public func get(_ url: String, method: String = "GET", headers: [String] = [], in hosts: TestHosts? = nil, host: String? = nil) throws -> Reply {
        var args = ["-s", "-i", "-X", method, "--max-time", "30"]
        for h in headers { args += ["-H", h] }
        args.append(url)
        let output: String
        if let hosts, let host {
            output = try hosts.exec(host, "curl " + args.map { "'\($0)'" }.joined(separator: " "))
        } else {
            guard let curl = which("curl") else { throw XCTSkip("curl is not installed") }
            output = try runCommand(curl, args).output
        }
        guard let split = output.range(of: "\r\n\r\n") else { return Reply(status: 0, headers: [:], body: output) }
        let head = output[..<split.lowerBound].split(separator: "\r\n")
        let status = Int(head.first?.split(separator: " ").dropFirst().first ?? "") ?? 0
        var fields: [String: String] = [:]
        for line in head.dropFirst() {
            guard let colon = line.firstIndex(of: ":") else { continue }
            fields[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        }
        return Reply(status: status, headers: fields, body: String(output[split.upperBound...]))
    }
}
