/// What went wrong with the central database, as one sentence for the terminal.
public struct CentralError: Error, Sendable {
    public let message: String
    public init(_ message: String) { self.message = message }
}
