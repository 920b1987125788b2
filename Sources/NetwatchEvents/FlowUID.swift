import NetwatchFlow

/// Zeek-style connection uids: "C" and eleven base62 digits of the flow's number mixed with
/// the run's salt (splitmix64), so uids look random and do not repeat across runs. One per
/// run, made on the road: every sink names a flow by the same uid.
public struct FlowUID: Sendable {
    public let salt: UInt64

    public init(salt: UInt64) { self.salt = salt }

    /// A fresh salt for a run.
    public init() {
        var generator = SystemRandomNumberGenerator()
        salt = generator.next()
    }

    public func uid(_ flow: Flow) -> String { uid(id: flow.id) }

    /// The uid of the flow numbered `id` (a tunnel parent's, say).
    public func uid(id: UInt64) -> String {
        var x = id &+ salt &* 0x9E37_79B9_7F4A_7C15
        x = (x ^ (x >> 30)) &* 0xBF58_476D_1CE4_E5B9
        x = (x ^ (x >> 27)) &* 0x94D0_49BB_1331_11EB
        x ^= x >> 31
        return String(unsafeUninitializedCapacity: 12) { text in
            text[0] = UInt8(ascii: "C")
            for i in 1..<12 {
                text[i] = FlowUID.alphabet[Int(x % 62)]
                x /= 62
            }
            return 12
        }
    }

    private static let alphabet: [UInt8] = Array("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz".utf8)
}
