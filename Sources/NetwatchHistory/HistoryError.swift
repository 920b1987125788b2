/// Why a history database could not be opened, written or read: one sentence naming the file.
public struct HistoryError: Error, Sendable, CustomStringConvertible {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}
