import Foundation
import XCTest

/// Where the shared captures live: $NETWATCH_TESTDATA, else ../shared/testdata beside the repo.
public enum TestData {
    public static let root: URL = {
        if let env = ProcessInfo.processInfo.environment["NETWATCH_TESTDATA"], !env.isEmpty {
            return URL(fileURLWithPath: env)
        }
        var url = URL(fileURLWithPath: #filePath)
        for _ in 0..<3 { url.deleteLastPathComponent() }  // Tests/NetwatchTestSupport/TestData.swift
        return url.deletingLastPathComponent().appendingPathComponent("shared/testdata")
    }()

    public static func path(_ relative: String) throws -> String {
        let url = root.appendingPathComponent(relative)
        guard FileManager.default.fileExists(atPath: url.path) else {
            throw XCTSkip("test data \(relative) not found under \(root.path) (set NETWATCH_TESTDATA)")
        }
        return url.path
    }

    /// Every capture under pcap/, sorted.
    public static func allCaptures() throws -> [String] {
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
public func runTool(_ tool: String, _ arguments: [String]) throws -> (output: String, status: Int32) {
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

public func which(_ tool: String) -> String? {
    let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
    let directories: [String] = path.split(separator: ":").map(String.init) + ["/usr/sbin", "/sbin"]
    for dir in directories {
        let candidate = "\(dir)/\(tool)"
        if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
    }
    return nil
}

/// The result of running a command: its exit status and what it printed.
public struct CommandResult {
    public var status: Int32
    public var stdout: Data
    public var stderr: String
    public var output: String { String(decoding: stdout, as: UTF8.self) }
}

/// Runs `executable` with `arguments`, optional standard input file and environment
/// additions, and waits for it (killing it after `timeout` seconds).
@discardableResult
public func runCommand(_ executable: String, _ arguments: [String], stdin: String? = nil, environment: [String: String] = [:], timeout: TimeInterval = 120) throws -> CommandResult {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: executable)
    process.arguments = arguments
    var env = ProcessInfo.processInfo.environment
    env["TZ"] = "UTC"
    for (k, v) in environment { env[k] = v }
    process.environment = env
    let out = FileManager.default.temporaryDirectory.appendingPathComponent("nw-out-\(UUID().uuidString)")
    let err = FileManager.default.temporaryDirectory.appendingPathComponent("nw-err-\(UUID().uuidString)")
    FileManager.default.createFile(atPath: out.path, contents: nil)
    FileManager.default.createFile(atPath: err.path, contents: nil)
    defer {
        try? FileManager.default.removeItem(at: out)
        try? FileManager.default.removeItem(at: err)
    }
    process.standardOutput = try FileHandle(forWritingTo: out)
    process.standardError = try FileHandle(forWritingTo: err)
    process.standardInput = stdin.map { FileHandle(forReadingAtPath: $0)! } ?? FileHandle.nullDevice
    try process.run()
    let deadline = Date().addingTimeInterval(timeout)
    while process.isRunning && Date() < deadline { usleep(20_000) }
    if process.isRunning {
        process.terminate()
        process.waitUntilExit()
    }
    return CommandResult(
        status: process.terminationStatus, stdout: try Data(contentsOf: out),
        stderr: String(decoding: try Data(contentsOf: err), as: UTF8.self))
}

/// The built `netwatch` binary, beside the test bundle.
public func netwatchBinary() throws -> String {
    var candidates: [URL] = []
    let bundle = Bundle.main.bundleURL
    candidates.append(bundle.deletingLastPathComponent().appendingPathComponent("netwatch"))
    candidates.append(bundle.appendingPathComponent("netwatch"))
    candidates.append(URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("netwatch"))
    for url in candidates where FileManager.default.isExecutableFile(atPath: url.path) { return url.path }
    throw XCTSkip("the netwatch binary was not found beside the tests (\(candidates.map(\.path)))")
}

/// A fresh temporary directory, removed by the caller.
public func temporaryDirectory() throws -> URL {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("netwatch-test-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    return url
}

public var isRoot: Bool { getuid() == 0 }

/// Writes a little-endian microsecond pcap holding `packets` (one second apart).
public func writePcap(_ packets: [[UInt8]], linkType: UInt32 = 1, to url: URL) throws {
    var data = Data()
    func le32(_ v: UInt32) { withUnsafeBytes(of: v.littleEndian) { data.append(contentsOf: $0) } }
    func le16(_ v: UInt16) { withUnsafeBytes(of: v.littleEndian) { data.append(contentsOf: $0) } }
    le32(0xA1B2_C3D4); le16(2); le16(4); le32(0); le32(0); le32(262_144); le32(linkType)
    for (i, p) in packets.enumerated() {
        le32(1_700_000_000 + UInt32(i)); le32(0); le32(UInt32(p.count)); le32(UInt32(p.count))
        data.append(contentsOf: p)
    }
    try data.write(to: url)
}

/// Ethernet / IPv4 / UDP around `payload`.
public func udpPacket(src: UInt16, dst: UInt16, _ payload: [UInt8]) -> [UInt8] {
    let udpLength = 8 + payload.count
    let ipLength = 20 + udpLength
    var p: [UInt8] = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 0x08, 0x00]
    p += [0x45, 0, UInt8(ipLength >> 8), UInt8(ipLength & 0xFF), 0, 1, 0, 0, 64, 17, 0, 0, 10, 0, 0, 1, 10, 0, 0, 2]
    p += [UInt8(src >> 8), UInt8(src & 0xFF), UInt8(dst >> 8), UInt8(dst & 0xFF), UInt8(udpLength >> 8), UInt8(udpLength & 0xFF), 0, 0]
    return p + payload
}

/// Runs a python3 script that needs `modules`; skips when python3 or a module is missing.
public func runPython(_ script: String, _ arguments: [String], modules: [String], timeout: TimeInterval = 300) throws -> CommandResult {
    guard let python = which("python3") else { throw XCTSkip("python3 is not installed (scripts/setup --test installs it)") }
    let check = try runCommand(python, ["-c", "import " + modules.joined(separator: ", ")])
    guard check.status == 0 else { throw XCTSkip("python modules \(modules.joined(separator: ", ")) are missing (scripts/setup --test installs them)") }
    return try runCommand(python, ["-c", script] + arguments, timeout: timeout)
}
