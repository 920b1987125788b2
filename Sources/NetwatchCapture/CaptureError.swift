/// A reason capture cannot start or go on, phrased as one sentence for the user.
public struct CaptureError: Error, CustomStringConvertible, Sendable {
    public enum Code: Sendable, Equatable {
        case permission, noSuchInterface, badFilter, unreadableFile, badFile, writeFailed, other
    }
    public var code: Code
    public var message: String

    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { message }
}
