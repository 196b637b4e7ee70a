import JSONText

/// The report formats of `catalogwatch validate`, all printing the same diagnostics in the same order.
public enum DiagnosticReport {
    /// One line per diagnostic (`Diagnostic.description`), then `N errors, M warnings` (`, K notes` when there are notes).
    public static func text(_ diagnostics: [Diagnostic]) -> String {
        var out = ""
        for d in diagnostics { out += d.description + "\n" }
        return out + summary(diagnostics) + "\n"
    }

    /// `2 errors, 1 warning`, with `, 3 notes` only when there are notes.
    public static func summary(_ diagnostics: [Diagnostic]) -> String {
        func counted(_ n: Int, _ word: String) -> String { "\(n) \(word)\(n == 1 ? "" : "s")" }
        var text = counted(diagnostics.count(.error), "error") + ", " + counted(diagnostics.count(.warning), "warning")
        let notes = diagnostics.count(.note)
        if notes > 0 { text += ", " + counted(notes, "note") }
        return text
    }

    /// `{"errors": N, "warnings": M, "notes": K, "findings": [{severity, file, line, column, rule, key, message, suggestion}]}`.
    public static func json(_ diagnostics: [Diagnostic]) -> String {
        let items: [ReportJSON] = diagnostics.map { d in
            var fields: [(String, ReportJSON)] = [("severity", .string(d.severity.rawValue))]
            if let file = d.file { fields.append(("file", .string(file))) }
            if let line = d.line { fields += [("line", .int(line)), ("column", .int(d.column ?? 1))] }
            fields += [("rule", .string(d.rule)), ("key", .string(d.keyPath)), ("message", .string(d.message))]
            if let s = d.suggestion { fields.append(("suggestion", .string(s))) }
            return .object(fields)
        }
        return ReportJSON.object([
            ("errors", .int(diagnostics.count(.error))), ("warnings", .int(diagnostics.count(.warning))),
            ("notes", .int(diagnostics.count(.note))), ("findings", .array(items)),
        ]).text + "\n"
    }

    /// GitHub Actions workflow commands: `::error file=F,line=L,col=C::[rule] key: message` (notes are `::notice`).
    public static func github(_ diagnostics: [Diagnostic]) -> String {
        var out = ""
        for d in diagnostics {
            var props: [String] = []
            if let file = d.file { props.append("file=\(escapeProperty(file))") }
            if let line = d.line { props += ["line=\(line)", "col=\(d.column ?? 1)"] }
            let command = d.severity == .note ? "notice" : d.severity.rawValue
            // The rule goes in the message, so the properties are exactly file, line, col.
            out += "::\(command) \(props.joined(separator: ","))::\(escapeData("[\(d.rule)] \(d.keyPath): \(d.fullMessage)"))\n"
        }
        return out
    }

    /// GitHub workflow command data escaping.
    static func escapeData(_ s: String) -> String {
        var out = ""
        for c in s.unicodeScalars {
            switch c {
            case "%": out += "%25"
            case "\r": out += "%0D"
            case "\n": out += "%0A"
            default: out.unicodeScalars.append(c)
            }
        }
        return out
    }

    /// GitHub workflow command property escaping: data escaping plus `:` and `,`.
    static func escapeProperty(_ s: String) -> String {
        var out = ""
        for c in escapeData(s).unicodeScalars {
            switch c {
            case ":": out += "%3A"
            case ",": out += "%2C"
            default: out.unicodeScalars.append(c)
            }
        }
        return out
    }
}

/// A small ordered JSON value for the reports (keys in the order given, two-space indentation).
enum ReportJSON {
    case string(String)
    case int(Int)
    case array([ReportJSON])
    case object([(String, ReportJSON)])

    var text: String {
        var out = ""
        write(indent: 0, into: &out)
        return out
    }

    func write(indent: Int, into out: inout String) {
        let pad = String(repeating: " ", count: indent + 2)
        switch self {
        case .string(let s): JSONText.appendQuoted(s, to: &out)
        case .int(let n): out += String(n)
        case .array(let items):
            guard !items.isEmpty else { return out += "[]" }
            out += "[\n"
            for (i, item) in items.enumerated() {
                out += pad
                item.write(indent: indent + 2, into: &out)
                out += i == items.count - 1 ? "\n" : ",\n"
            }
            out += String(repeating: " ", count: indent) + "]"
        case .object(let fields):
            guard !fields.isEmpty else { return out += "{}" }
            out += "{\n"
            for (i, field) in fields.enumerated() {
                out += pad
                JSONText.appendQuoted(field.0, to: &out)
                out += ": "
                field.1.write(indent: indent + 2, into: &out)
                out += i == fields.count - 1 ? "\n" : ",\n"
            }
            out += String(repeating: " ", count: indent) + "}"
        }
    }
}
