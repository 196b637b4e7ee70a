import FilterContract

/// Small string helpers (no Foundation string APIs, so no ICU). The one-line ones are the contract's
/// (`ContractText`), so that alerts and configuration problems show untrusted text alike.
enum Text {
    static func isLineBreakOrControl(_ scalar: Unicode.Scalar) -> Bool { ContractText.isLineBreakOrControl(scalar) }

    /// `ContractText.singleLine`: controls and line breaks become a space, runs of spaces collapse, ends
    /// trimmed, cut to `limit` Characters (with an ellipsis) when given.
    static func singleLine(_ s: some StringProtocol, limit: Int? = nil) -> String { ContractText.singleLine(s, limit: limit) }

    /// Multi-line text safe for an e-mail body: CR LF and CR become LF, other controls (except tab) become a space,
    /// trailing whitespace on each line and blank lines at both ends are dropped; cut like `singleLine` when limited.
    static func multiline(_ s: some StringProtocol, limit: Int? = nil) -> String {
        guard let limit else { return cleanLines(s) }
        let head = s.prefix(limit * 4 + 8)
        return bounded(cleanLines(head), inputWasCut: head.endIndex != s.endIndex, limit: limit)
    }

    private static func cleanLines(_ s: some StringProtocol) -> String {
        var out = String.UnicodeScalarView()
        var previousWasCR = false
        for scalar in s.unicodeScalars {
            if scalar == "\r" {
                out.append("\n")
                previousWasCR = true
                continue
            }
            defer { previousWasCR = false }
            if scalar == "\n" {
                if !previousWasCR { out.append("\n") }
            } else if scalar == "\t" {
                out.append(scalar)
            } else if isLineBreakOrControl(scalar) {
                out.append(" ")
            } else {
                out.append(scalar)
            }
        }
        let lines = String(out).split(separator: "\n", omittingEmptySubsequences: false).map { line -> String in
            var l = String(line)
            while let last = l.last, last == " " || last == "\t" { l.removeLast() }
            return l
        }
        return lines.joined(separator: "\n").trimmingWhitespace()
    }

    private static func bounded(_ cleaned: String, inputWasCut: Bool, limit: Int) -> String {
        ContractText.bounded(cleaned, inputWasCut: inputWasCut, limit: limit)
    }

    /// `s` cut to at most `maxCharacters` Characters, ending in "…" when cut.
    static func truncated(_ s: String, maxCharacters: Int) -> String { ContractText.truncated(s, maxCharacters: maxCharacters) }

    /// `s` cut to at most `maxUTF16` UTF-16 units, and so to at most as many Unicode scalars (what JSON
    /// Schema's `maxLength` counts), at a Character boundary and ending in "…" when cut.
    static func truncated(_ s: String, maxUTF16: Int) -> String {
        guard s.utf16.count > maxUTF16 else { return s }
        guard maxUTF16 > 0 else { return "" }
        var cut = AlertComposer.prefix(s, maxUTF16: maxUTF16 - 1)
        while let last = cut.last, last.isWhitespace { cut.removeLast() }
        return cut + "…"
    }

    /// The longest prefix of whole Characters of `s` that has at most `maxScalars` Unicode scalars.
    static func prefix(_ s: some StringProtocol, maxScalars: Int) -> String {
        var count = 0
        var out = ""
        for character in s {
            let n = character.unicodeScalars.count
            if count + n > maxScalars { break }
            count += n
            out.append(character)
        }
        return out
    }

    static func hexByte(_ byte: UInt8) -> String {
        let digits: [Character] = ["0", "1", "2", "3", "4", "5", "6", "7", "8", "9", "A", "B", "C", "D", "E", "F"]
        return String([digits[Int(byte >> 4)], digits[Int(byte & 0x0F)]])
    }

    /// A short, single-line excerpt of untrusted input for diagnostics (`ContractText.excerpt`).
    static func excerpt(_ s: some StringProtocol, limit: Int = 60) -> String { ContractText.excerpt(s, limit: limit) }
}
