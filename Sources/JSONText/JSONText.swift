/// JSON string literals, written the same way in every JSON text CatalogWatch composes itself (templates, alerts,
/// logs, metrics, manifests, reports). AWS JSON-protocol request bodies are `Encodable` values that AWSClient
/// encodes with Foundation's `JSONEncoder`.
public enum JSONText {
    /// Appends `s` as a JSON string literal: quote, backslash, C0 controls, DEL, U+2028 and U+2029 escaped;
    /// other text stays UTF-8.
    public static func appendQuoted(_ s: String, to out: inout String) {
        out += "\""
        for scalar in s.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case "\u{08}": out += "\\b"
            case "\u{0C}": out += "\\f"
            default:
                if scalar.value < 0x20 || scalar.value == 0x7F || scalar.value == 0x2028 || scalar.value == 0x2029 {
                    let hex = String(scalar.value, radix: 16, uppercase: false)
                    out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        out += "\""
    }

    /// `s` as a JSON string literal.
    public static func quoted(_ s: String) -> String {
        var out = ""
        appendQuoted(s, to: &out)
        return out
    }
}
