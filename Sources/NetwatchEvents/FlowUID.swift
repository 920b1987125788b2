import NetwatchDecode
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
        var x = SplitMix.mix(id &+ salt &* SplitMix.gamma)
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
