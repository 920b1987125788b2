import Foundation

/// The report's numbers as one JSON document (snake_case keys, as netwatch's other JSON).
public enum ReportJSON {
    public static func render(_ r: Report) -> String {
        let e = JSONEncoder()
        e.keyEncodingStrategy = .convertToSnakeCase
        e.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        e.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        guard let data = try? e.encode(r) else { return "{}\n" }
        return String(decoding: data, as: UTF8.self) + "\n"
    }
}
