/// Decides whether a plain scalar would be read as something other than a string by a YAML 1.1 or 1.2 reader.
public enum YAMLResolver {
    private static let reservedWords: Set<String> = [
        "", "~", "null", "Null", "NULL",
        "y", "Y", "yes", "Yes", "YES", "n", "N", "no", "No", "NO",
        "true", "True", "TRUE", "false", "False", "FALSE",
        "on", "On", "ON", "off", "Off", "OFF",
        ".inf", ".Inf", ".INF", "+.inf", "+.Inf", "+.INF", "-.inf", "-.Inf", "-.INF",
        ".nan", ".NaN", ".NAN", "<<", "=",
    ]

    /// True when `text`, written plain, could be taken for a null, boolean, number, timestamp or merge key.
    public static func needsQuotes(_ text: String) -> Bool {
        if reservedWords.contains(text) { return true }
        let bytes = Array(text.utf8)
        if looksNumeric(bytes) { return true }
        if looksLikeDate(bytes) { return true }
        return false
    }

    /// Interprets a plain scalar for typed layers, like YAML 1.2's core schema but narrower: null, `true`/`false`,
    /// decimal integers (no leading zero) and decimal floats; anything else (YAML 1.1 `yes`/`no`, hex, octal, `.inf`,
    /// `.nan`) stays a string. `needsQuotes` is the wider check writers use.
    public static func resolvePlain(_ text: String) -> ResolvedScalar {
        switch text {
        case "", "~", "null", "Null", "NULL": return .null
        case "true", "True", "TRUE": return .bool(true)
        case "false", "False", "FALSE": return .bool(false)
        default: break
        }
        if let int = Int(text), !hasLeadingZero(text) { return .int(int) }
        if isDecimalFloat(text), Double(text) != nil { return .number(text) }
        return .string(text)
    }

    /// What a plain scalar means to a typed reader.
    public enum ResolvedScalar: Equatable, Sendable {
        case null
        case bool(Bool)
        case int(Int)
        case number(String)
        case string(String)
    }

    private static func hasLeadingZero(_ text: String) -> Bool {
        var digits = Substring(text)
        if digits.hasPrefix("-") || digits.hasPrefix("+") { digits = digits.dropFirst() }
        return digits.count > 1 && digits.hasPrefix("0")
    }

    private static func isDecimalFloat(_ text: String) -> Bool {
        // [-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?
        var i = text.utf8.makeIterator()
        var sawDigit = false
        var state = 0  // 0 sign, 1 int, 2 frac, 3 exp-sign, 4 exp
        var first = true
        while let c = i.next() {
            switch c {
            case UInt8(ascii: "+"), UInt8(ascii: "-"):
                guard first || state == 3 else { return false }
                if state == 3 { state = 4 }
            case UInt8(ascii: "0")...UInt8(ascii: "9"):
                sawDigit = true
                if state == 0 { state = 1 }
                if state == 3 { state = 4 }
            case UInt8(ascii: "."):
                guard state <= 1 else { return false }
                state = 2
            case UInt8(ascii: "e"), UInt8(ascii: "E"):
                guard sawDigit, state == 1 || state == 2 else { return false }
                state = 3
            default:
                return false
            }
            first = false
        }
        return sawDigit && state != 3
    }

    private static func looksNumeric(_ bytes: [UInt8]) -> Bool {
        var start = 0
        if let f = bytes.first, f == UInt8(ascii: "+") || f == UInt8(ascii: "-") { start = 1 }
        guard start < bytes.count else { return false }
        let lead = bytes[start]
        let isDigit = (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(lead)
        guard isDigit || lead == UInt8(ascii: ".") else { return false }
        if lead == UInt8(ascii: "."), start + 1 < bytes.count,
            !(UInt8(ascii: "0")...UInt8(ascii: "9")).contains(bytes[start + 1])
        {
            return false
        }
        // Every character belongs to the alphabet of YAML 1.1/1.2 ints and floats (decimal, octal,
        // hex, binary, sexagesimal, underscores, exponents). Quoting a few extra strings is harmless.
        for c in bytes[start...] {
            switch c {
            case UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "a")...UInt8(ascii: "f"),
                UInt8(ascii: "A")...UInt8(ascii: "F"), UInt8(ascii: "x"), UInt8(ascii: "X"),
                UInt8(ascii: "o"), UInt8(ascii: "O"), UInt8(ascii: "_"), UInt8(ascii: "."),
                UInt8(ascii: ":"), UInt8(ascii: "+"), UInt8(ascii: "-"):
                continue
            default:
                return false
            }
        }
        return true
    }

    private static func looksLikeDate(_ bytes: [UInt8]) -> Bool {
        // YAML 1.1 timestamps start with [0-9]{4}-[0-9]{1,2}-[0-9]{1,2}.
        func digit(_ i: Int) -> Bool { i < bytes.count && (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(bytes[i]) }
        guard bytes.count >= 8, digit(0), digit(1), digit(2), digit(3), bytes[4] == UInt8(ascii: "-") else { return false }
        return digit(5)
    }
}
