/// A GeoIP database that cannot be used: the message names the file, and the line or byte
/// offset where it goes wrong.
public struct GeoError: Error, Sendable, CustomStringConvertible {
    public var message: String

    public init(_ message: String) { self.message = message }

    public var description: String { message }
}
