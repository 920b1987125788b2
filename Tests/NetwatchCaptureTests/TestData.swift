import Foundation
import XCTest

/// Where the shared captures live: $NETWATCH_TESTDATA, else ../shared/testdata beside the repo.
enum TestData {
    static let root: URL = {
        if let env = ProcessInfo.processInfo.environment["NETWATCH_TESTDATA"], !env.isEmpty {
            return URL(fileURLWithPath: env)
        }
        var url = URL(fileURLWithPath: #filePath)
        for _ in 0..<3 { url.deleteLastPathComponent() }
        return url.deletingLastPathComponent().appendingPathComponent("shared/testdata")
    }()

    static func path(_ relative: String) throws -> String {
        let url = root.appendingPathComponent(relative)
        guard FileManager.default.fileExists(atPath: url.path) else {
            throw XCTSkip("test data \(relative) not found under \(root.path) (set NETWATCH_TESTDATA)")
        }
        return url.path
    }

    /// Every capture under pcap/, sorted.
    static func allCaptures() throws -> [String] {
        let base = root.appendingPathComponent("pcap")
        guard let walker = FileManager.default.enumerator(atPath: base.path) else {
            throw XCTSkip("test data not found under \(root.path) (set NETWATCH_TESTDATA)")
        }
        return walker.compactMap { $0 as? String }
            .filter { $0.hasSuffix(".pcap") || $0.hasSuffix(".pcapng") }
            .sorted()
            .map { base.appendingPathComponent($0).path }
    }
}

/// Runs a tool to completion and returns its standard output, or skips when it is not installed.
func runTool(_ tool: String, _ arguments: [String]) throws -> (output: String, status: Int32) {
    guard let path = which(tool) else { throw XCTSkip("\(tool) is not installed (scripts/setup --test installs it)") }
    let process = Process()
    process.executableURL = URL(fileURLWithPath: path)
    process.arguments = arguments
    let pipe = Pipe()
    process.standardOutput = pipe
    process.standardError = FileHandle.nullDevice
    try process.run()
    let data = pipe.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return (String(decoding: data, as: UTF8.self), process.terminationStatus)
}

func which(_ tool: String) -> String? {
    let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
    let directories: [String] = path.split(separator: ":").map(String.init) + ["/usr/sbin", "/sbin"]
    for dir in directories {
        let candidate = "\(dir)/\(tool)"
        if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
    }
    return nil
}
