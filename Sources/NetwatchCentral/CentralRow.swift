import NetwatchHistory
import PostgresNIO

/// A PostgreSQL row read by column name, as `HistoryRecords` reads rows.
struct CentralRow: HistoryRow {
    let row: PostgresRandomAccessRow
    init(_ row: PostgresRandomAccessRow) { self.row = row }

    func text(_ column: String) -> String? {
        guard row.contains(column) else { return nil }
        let cell = row[column]
        guard cell.dataType == .text || cell.dataType == .varchar else { return nil }
        return try? cell.decode(String?.self)
    }

    func int(_ column: String) -> Int64? {
        guard row.contains(column) else { return nil }
        let cell = row[column]
        if cell.dataType == .bool { return (try? cell.decode(Bool?.self)).flatMap { $0 }.map { $0 ? 1 : 0 } }
        return (try? cell.decode(Int64?.self)) ?? nil
    }

    func double(_ column: String) -> Double? {
        guard row.contains(column) else { return nil }
        return (try? row[column].decode(Double?.self)) ?? nil
    }
}
