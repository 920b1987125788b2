#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import NetwatchDecode

/// A byte buffer in front of a file descriptor: formatters append bytes and numbers
/// without building Strings, and the buffer is written out in large blocks.
///
/// The fill level lives behind a `let` pointer rather than in a `var` property: a class's
/// stored `var` costs a dynamic exclusivity check on every access, and this one is touched
/// for every byte of output. One buffer belongs to one thread.
public final class OutputBuffer {
    private let fd: Int32
    private let storage: UnsafeMutableRawBufferPointer
    private let state: UnsafeMutablePointer<(count: Int, closed: Bool)>

    public var count: Int {
        get { state.pointee.count }
        set { state.pointee.count = newValue }
    }
    /// Set once a write fails (a closed pipe): later output is dropped quietly.
    public var closed: Bool { state.pointee.closed }

    /// The file it appends to, when opened by name: `reopen` opens it again.
    public let path: String?

    public init(fd: Int32, capacity: Int = 1 << 18, path: String? = nil) {
        self.fd = fd
        self.path = path
        storage = .allocate(byteCount: capacity, alignment: 8)
        state = .allocate(capacity: 1)
        state.initialize(to: (0, false))
    }

    deinit {
        flush()
        storage.deallocate()
        state.deallocate()
    }

    /// Room for one more packet line; flushed before it could overflow.
    @inline(__always) public func reserve(_ n: Int) {
        if count + n > storage.count { flush() }
    }

    @inline(__always) public func byte(_ b: UInt8) {
        if count == storage.count { flush() }
        storage[count] = b
        count += 1
    }

    @inline(__always) public func bytes(_ b: UnsafeRawBufferPointer) {
        if count + b.count > storage.count { flush() }
        if b.count > storage.count {
            write(b)
            return
        }
        if let base = b.baseAddress { (storage.baseAddress! + count).copyMemory(from: base, byteCount: b.count) }
        count += b.count
    }

    @inline(__always) public func bytes(_ b: [UInt8]) {
        b.withUnsafeBytes { bytes($0) }
    }

    @inline(__always) public func text(_ s: StaticString) {
        bytes(UnsafeRawBufferPointer(start: s.utf8Start, count: s.utf8CodeUnitCount))
    }

    /// A String that netwatch itself made (never one from the network: see `sanitized`).
    public func string(_ s: String) {
        var copy = s
        copy.withUTF8 { bytes(UnsafeRawBufferPointer($0)) }
    }

    @inline(__always) public func spaces(_ n: Int) {
        var k = n
        while k > 0 {
            byte(0x20)
            k -= 1
        }
    }

    /// Decimal digits of `value`, left-padded with spaces to `width`.
    @inline(__always) public func decimal(_ value: Int, width: Int = 0) {
        if value < 0 {
            byte(UInt8(ascii: "-"))
            decimal(UInt64(bitPattern: Int64(-value)), width: width - 1)
        } else {
            decimal(UInt64(value), width: width)
        }
    }

    @inline(__always) public func decimal(_ value: UInt64, width: Int = 0) {
        withUnsafeTemporaryAllocation(byteCount: 20, alignment: 1) { tmp in
            var v = value
            var i = 20
            repeat {
                i -= 1
                tmp[i] = UInt8(48 + v % 10)
                v /= 10
            } while v > 0
            spaces(width - (20 - i))
            bytes(UnsafeRawBufferPointer(rebasing: tmp[i..<20]))
        }
    }

    /// Exactly `digits` decimal digits, zero-padded.
    @inline(__always) public func zeroPadded(_ value: Int, digits: Int) {
        var divisor = 1
        for _ in 1..<digits { divisor *= 10 }
        var v = value
        while divisor > 0 {
            byte(UInt8(48 + (v / divisor) % 10))
            v %= divisor
            divisor /= 10
        }
    }

    @inline(__always) public func hex(_ value: UInt64, digits: Int) {
        var shift = (digits - 1) * 4
        while shift >= 0 {
            let n = UInt8((value >> UInt64(shift)) & 0xF)
            byte(n < 10 ? 48 + n : 87 + n)
            shift -= 4
        }
    }

    /// Text netwatch made, padded on the right to `width` columns (at least one space after).
    public func padded(_ s: String, _ width: Int) {
        string(s)
        spaces(max(1, width - s.utf8.count))
    }

    /// An address padded on the right to `width` columns.
    @inline(__always) public func address(_ a: IPAddress, width: Int = 0) {
        a.withText { t in
            bytes(t)
            spaces(width - t.count)
        }
    }

    @inline(__always) public func mac(_ m: MACAddress) {
        m.withText { bytes($0) }
    }

    /// Bytes from the network, made safe for a terminal or a JSON string: printable ASCII
    /// passes; backslash and anything else become `\\` or `\xNN`; `escapeDot` also escapes
    /// "." (a dot inside a DNS label). With `json`, the result is also a valid JSON string body:
    /// every backslash of the escaped text is doubled and `"` is escaped.
    @inline(__always) public func sanitized(_ b: UnsafeRawBufferPointer, escapeDot: Bool = false, json: Bool = false) {
        for c in b {
            if c >= 0x20 && c < 0x7F && c != UInt8(ascii: "\\") && !(escapeDot && c == UInt8(ascii: ".")) {
                if json && c == UInt8(ascii: "\"") { byte(UInt8(ascii: "\\")) }
                byte(c)
                continue
            }
            byte(UInt8(ascii: "\\"))
            if json { byte(UInt8(ascii: "\\")) }
            if c == UInt8(ascii: "\\") {
                byte(c)
                if json { byte(c) }
            } else if c == UInt8(ascii: ".") {
                byte(c)
            } else {
                byte(UInt8(ascii: "x"))
                hex(UInt64(c), digits: 2)
            }
        }
    }

    /// The buffered bytes as text, emptying the buffer (for a buffer used as a string builder).
    public func takeString() -> String {
        let text = String(decoding: UnsafeRawBufferPointer(rebasing: storage[0..<count]), as: UTF8.self)
        count = 0
        return text
    }

    /// Forgets the last `n` buffered bytes.
    public func discard(_ n: Int) { count -= min(n, count) }

    /// Opens `path` again in append mode in place of the file it had (the same descriptor
    /// number), after logrotate moved the old one away; nil when done, else why not (the old
    /// file stays in use).
    public func reopen() -> String? {
        guard let path else { return nil }
        flush()
        let new = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o644)
        guard new >= 0 else { return "cannot reopen \(path): \(String(cString: strerror(errno)))" }
        defer { close(new) }
        guard dup2(new, fd) >= 0 else { return "cannot reopen \(path): \(String(cString: strerror(errno)))" }
        state.pointee.closed = false
        return nil
    }

    public func flush() {
        guard count > 0 else { return }
        let pending = UnsafeRawBufferPointer(rebasing: storage[0..<count])
        count = 0
        write(pending)
    }

    private func write(_ b: UnsafeRawBufferPointer) {
        guard !closed, let base = b.baseAddress else { return }
        var offset = 0
        while offset < b.count {
            #if canImport(Glibc)
            let n = Glibc.write(fd, base + offset, b.count - offset)
            #else
            let n = Darwin.write(fd, base + offset, b.count - offset)
            #endif
            if n < 0 {
                if errno == EINTR { continue }
                state.pointee.closed = true
                return
            }
            offset += n
        }
    }
}
