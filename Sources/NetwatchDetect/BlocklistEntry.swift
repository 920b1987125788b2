/// One line of a block list: where it came from and what it said.
public struct BlocklistEntry: Sendable, Equatable {
    public var file: String
    public var line: Int
    /// The network as written (`1.2.3.0/24`).
    public var network: String
    /// A note after `;` (Spamhaus's SBL reference), if any.
    public var note: String

    /// `file:line (1.2.3.0/24 ; SBL123)`, for alert reasons.
    public var source: String {
        "\(file):\(line) (\(network)\(note.isEmpty ? "" : " ; \(note)"))"
    }
}
