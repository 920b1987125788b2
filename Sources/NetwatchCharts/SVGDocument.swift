/// SVG text built element by element: every attribute value and every text node goes through
/// `escape`, so a host or process name from the network can only ever be text. Nothing here
/// splices a caller's string into markup.
public struct SVGDocument: Sendable {
    public private(set) var text = ""

    public init(width: Int, height: Int, title: String) {
        text.reserveCapacity(16 * 1024)
        text += "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"chart\" role=\"img\" viewBox=\"0 0 \(width) \(height)\""
        text += " width=\"\(width)\" height=\"\(height)\" font-family=\"DejaVu Sans, Verdana, sans-serif\" font-size=\"\(ChartLabel.fontSize)\">"
        element("title", [], text: title)
    }

    /// `<name a="v" ...>text</name>`, or self-closed without text.
    public mutating func element(_ name: String, _ attributes: [(String, String)], text body: String? = nil) {
        open(name, attributes, close: body == nil)
        if let body {
            Self.escape(body, into: &text)
            text += "</\(name)>"
        }
    }

    public mutating func open(_ name: String, _ attributes: [(String, String)], close: Bool = false) {
        text += "<" + name
        for (k, v) in attributes {
            text += " " + k + "=\""
            Self.escape(v, into: &text)
            text += "\""
        }
        text += close ? "/>" : ">"
    }

    public mutating func close(_ name: String) { text += "</\(name)>" }

    /// A tooltip for the element just opened: `<title>` is what browsers show on hover.
    public mutating func tooltip(_ s: String) { element("title", [], text: s) }

    public mutating func finish() -> String {
        text += "</svg>"
        return text
    }

    /// XML's five specials as entities; control characters (which XML forbids, and which
    /// could hide text) as visible `\xNN`.
    public static func escape(_ s: String, into out: inout String) {
        for scalar in s.unicodeScalars {
            switch scalar {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            default: ChartLabel.appendVisible(scalar, to: &out)
            }
        }
    }

    public static func escape(_ s: String) -> String {
        var out = ""
        escape(s, into: &out)
        return out
    }
}
