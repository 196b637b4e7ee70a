/// Swift spellings of schema names.
enum Naming {
    /// Keywords that need backticks as identifiers.
    static let keywords: Set<String> = [
        "Any", "Self", "as", "associatedtype", "break", "case", "catch", "class", "continue", "default", "defer",
        "deinit", "do", "else", "enum", "extension", "fallthrough", "false", "fileprivate", "for", "func", "guard",
        "if", "import", "in", "init", "inout", "internal", "is", "let", "nil", "open", "operator", "private",
        "precedencegroup", "protocol", "public", "repeat", "rethrows", "return", "self", "static", "struct",
        "subscript", "super", "switch", "throw", "throws", "true", "try", "typealias", "var", "where", "while",
    ]

    /// Words of a schema name: runs of letters and digits (other characters separate words).
    private static func words(_ name: String) -> [String] {
        name.split(whereSeparator: { !($0.isASCII && ($0.isLetter || $0.isNumber)) }).map(String.init)
    }

    /// `KmsMasterKeyId` → `kmsMasterKeyId`, `SSESpecification` → `sseSpecification`, `OKActions` → `okActions`,
    /// `ARN` → `arn`, `S3Bucket` → `s3Bucket`; only the leading capitals change.
    static func lowerCamel(_ name: String) -> String {
        let parts = words(name)
        guard let first = parts.first else { return "_" }
        var result = lowerLeading(first) + parts.dropFirst().map(upperFirst).joined()
        if let c = result.first, c.isNumber { result = "_" + result }
        return result
    }

    private static func lowerLeading(_ word: String) -> String {
        let chars = Array(word)
        var run = 0
        while run < chars.count, chars[run].isUppercase { run += 1 }
        if run == 0 { return word }
        // A run followed by a lowercase letter keeps its last capital as the start of the next word.
        if run > 1, run < chars.count, chars[run].isLowercase { run -= 1 }
        return String(chars[..<run]).lowercased() + String(chars[run...])
    }

    private static func upperFirst(_ word: String) -> String {
        guard let c = word.first else { return word }
        return c.uppercased() + word.dropFirst()
    }

    /// A type name: words joined with their first letters capitalised.
    static func upperCamel(_ name: String) -> String {
        var result = words(name).map(upperFirst).joined()
        if result.isEmpty { result = "_" }
        if let c = result.first, c.isNumber { result = "_" + result }
        return result
    }

    /// Backticks around keywords.
    static func escaped(_ identifier: String) -> String {
        keywords.contains(identifier) ? "`\(identifier)`" : identifier
    }

    /// A Swift string literal.
    static func literal(_ text: String) -> String {
        var out = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\\": out += "\\\\"
            case "\"": out += "\\\""
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            default:
                if scalar.value < 0x20 || scalar.value == 0x7F {
                    out += "\\u{\(String(scalar.value, radix: 16))}"
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        return out + "\""
    }

    /// One line of documentation: whitespace collapsed, control characters dropped, first sentence only.
    static func docLine(_ text: String) -> String {
        var cleaned = ""
        var lastWasSpace = true
        for scalar in text.unicodeScalars {
            if scalar.properties.isWhitespace || scalar.value < 0x20 || scalar.value == 0x7F {
                if !lastWasSpace { cleaned += " " }
                lastWasSpace = true
            } else {
                cleaned.unicodeScalars.append(scalar)
                lastWasSpace = false
            }
        }
        cleaned = cleaned.trimmingSpaces()
        if let range = cleaned.range(of: ". ") {
            cleaned = String(cleaned[..<range.lowerBound]) + "."
        }
        if cleaned.count > 200 {
            cleaned = String(cleaned.prefix(197)).trimmingSpaces() + "..."
        }
        return cleaned
    }
}

extension String {
    func trimmingSpaces() -> String {
        var s = Substring(self)
        while s.first == " " { s = s.dropFirst() }
        while s.last == " " { s = s.dropLast() }
        return String(s)
    }
}
