/// How the contract's readers show untrusted text in problem sentences: on one line and bounded, so that a
/// setting, a key or a name cannot break a log line or flood it. FilterCore's alert text (`Text`) and
/// FilterLambda's problems use the same functions. No Foundation string APIs (so no ICU).
package enum ContractText {
    /// Control characters and line/paragraph separators: everything that must not appear on one line.
    package static func isLineBreakOrControl(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.properties.generalCategory {
        case .control, .lineSeparator, .paragraphSeparator: return true
        default: return false
        }
    }

    /// `s` on one line: controls and line breaks become a space, runs of spaces collapse, ends trimmed,
    /// cut to `limit` Characters (with an ellipsis) when given. Work is bounded by `limit`, not by `s`.
    package static func singleLine(_ s: some StringProtocol, limit: Int? = nil) -> String {
        guard let limit else { return cleanLine(s) }
        let head = s.prefix(limit * 4 + 8)
        return bounded(cleanLine(head), inputWasCut: head.endIndex != s.endIndex, limit: limit)
    }

    private static func cleanLine(_ s: some StringProtocol) -> String {
        var out = String.UnicodeScalarView()
        var lastWasSpace = true  // drops leading spaces
        for scalar in s.unicodeScalars {
            if isLineBreakOrControl(scalar) || scalar == " " {
                if !lastWasSpace { out.append(" ") }
                lastWasSpace = true
            } else {
                out.append(scalar)
                lastWasSpace = false
            }
        }
        var result = String(out)
        while result.last == " " { result.removeLast() }
        return result
    }

    /// `cleaned` (of input cut at a bound when `inputWasCut`) cut to `limit` Characters, ending in "…" when cut.
    package static func bounded(_ cleaned: String, inputWasCut: Bool, limit: Int) -> String {
        truncated(inputWasCut ? cleaned + "…" : cleaned, maxCharacters: limit)
    }

    /// `s` cut to at most `maxCharacters` Characters, ending in "…" when cut.
    package static func truncated(_ s: String, maxCharacters: Int) -> String {
        guard maxCharacters > 0 else { return "" }
        guard let end = s.index(s.startIndex, offsetBy: maxCharacters, limitedBy: s.endIndex), end != s.endIndex
        else { return s }
        return String(s.prefix(maxCharacters - 1)) + "…"
    }

    /// A short, single-line excerpt of untrusted input in double quotes.
    package static func excerpt(_ s: some StringProtocol, limit: Int = 60) -> String {
        "\"" + singleLine(s.prefix(limit * 4), limit: limit) + "\""
    }

    /// `text` on one line (control characters become spaces), cut to `limit` characters with "…".
    package static func oneLine(_ text: String, limit: Int) -> String {
        var out = ""
        for c in text {
            out.append(c.isNewline || c.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7F }) ? " " : c)
            if out.count >= limit {
                out += "…"
                break
            }
        }
        return out
    }
}

extension StringProtocol {
    /// The string without leading and trailing whitespace (including newlines).
    package func trimmingWhitespace() -> String {
        guard let start = firstIndex(where: { !$0.isWhitespace }) else { return "" }
        guard let end = lastIndex(where: { !$0.isWhitespace }) else { return "" }
        return String(self[start...end])
    }
}
