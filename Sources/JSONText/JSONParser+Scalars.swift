/// Strings and numbers.
extension JSONParser {
    private static let quote = UInt8(ascii: "\"")
    private static let backslash = UInt8(ascii: "\\")

    /// The string whose opening quote is at `index`, unescaped.
    mutating func string() throws(JSONParseError) -> String {
        let start = index
        index += 1
        let contentStart = index
        while index < bytes.count {
            let byte = bytes[index]
            if byte == Self.quote {
                index += 1
                return try text(contentStart..<(index - 1))
            }
            if byte == Self.backslash { return try escapedString(start: start, contentStart: contentStart) }
            if byte < 0x20 { throw controlCharacter() }
            index += 1
        }
        throw JSONParseError("end of text in the string that starts", at: start)
    }

    /// The rest of a string with escapes, from its first backslash at `index`.
    private mutating func escapedString(start: Int, contentStart: Int) throws(JSONParseError) -> String {
        scratch.removeAll(keepingCapacity: true)
        scratch.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[contentStart..<index]))
        while index < bytes.count {
            switch bytes[index] {
            case Self.quote:
                index += 1
                if let string = String(validating: scratch, as: UTF8.self) { return string }
                // Escapes are ASCII and encode whole scalars: the bad bytes are in the text itself.
                return try text(contentStart..<(index - 1))
            case Self.backslash:
                try escape()
            case 0..<0x20:
                throw controlCharacter()
            default:
                let run = index
                repeat { index += 1 } while index < bytes.count && bytes[index] >= 0x20 && bytes[index] != Self.quote && bytes[index] != Self.backslash
                scratch.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[run..<index]))
            }
        }
        throw JSONParseError("end of text in the string that starts", at: start)
    }

    /// The text of `range` as a String, which must be valid UTF-8.
    private func text(_ range: Range<Int>) throws(JSONParseError) -> String {
        let slice = UnsafeBufferPointer(rebasing: bytes[range])
        if let string = String(validating: slice, as: UTF8.self) { return string }
        var parser = Unicode.UTF8.ForwardParser()
        var iterator = slice.makeIterator()
        var offset = range.lowerBound
        while case .valid(let scalar) = parser.parseScalar(from: &iterator) { offset += scalar.count }
        throw JSONParseError("invalid UTF-8 in a string", at: offset)
    }

    private func controlCharacter() -> JSONParseError {
        JSONParseError("unescaped control character \(Self.describe(bytes[index])) in a string", at: index)
    }

    /// One escape sequence at `index` (its backslash), appended to `scratch` as UTF-8.
    private mutating func escape() throws(JSONParseError) {
        let start = index
        index += 1
        guard index < bytes.count else { throw unexpected("an escaped character") }
        let byte = bytes[index]
        index += 1
        switch byte {
        case Self.quote, Self.backslash, UInt8(ascii: "/"): scratch.append(byte)
        case UInt8(ascii: "b"): scratch.append(0x08)
        case UInt8(ascii: "f"): scratch.append(0x0C)
        case UInt8(ascii: "n"): scratch.append(0x0A)
        case UInt8(ascii: "r"): scratch.append(0x0D)
        case UInt8(ascii: "t"): scratch.append(0x09)
        case UInt8(ascii: "u"): appendUTF8(try unicodeEscape(start: start))
        default:
            let shown = (0x21...0x7E).contains(byte) ? "'\\\(Character(Unicode.Scalar(byte)))'" : "of \(Self.describe(byte))"
            throw JSONParseError("invalid escape \(shown) (JSON escapes \" \\ / b f n r t u)", at: start)
        }
    }

    /// The scalar of a `\uXXXX` escape whose backslash is at `start` (`index` after the `u`), with the low half
    /// of a surrogate pair when it is the high half.
    private mutating func unicodeEscape(start: Int) throws(JSONParseError) -> UInt32 {
        let unit = try hexDigits(escapeStart: start)
        switch unit {
        case 0xD800...0xDBFF:
            let lowStart = index
            guard index + 1 < bytes.count, bytes[index] == Self.backslash, bytes[index + 1] == UInt8(ascii: "u") else {
                throw JSONParseError("high surrogate \(Self.escaped(unit)) without a low surrogate \\uDC00-\\uDFFF after it", at: start)
            }
            index += 2
            let low = try hexDigits(escapeStart: lowStart)
            guard (0xDC00...0xDFFF).contains(low) else {
                throw JSONParseError("high surrogate \(Self.escaped(unit)) followed by \(Self.escaped(low)), not by a low surrogate", at: start)
            }
            return 0x10000 + ((unit - 0xD800) << 10) + (low - 0xDC00)
        case 0xDC00...0xDFFF:
            throw JSONParseError("low surrogate \(Self.escaped(unit)) without a high surrogate before it", at: start)
        default:
            return unit
        }
    }

    /// The four hex digits at `index` of the `\u` escape at `escapeStart`.
    private mutating func hexDigits(escapeStart: Int) throws(JSONParseError) -> UInt32 {
        var value: UInt32 = 0
        for _ in 0..<4 {
            guard index < bytes.count else { throw unexpected("4 hex digits after \\u") }
            let byte = bytes[index]
            let digit: UInt8
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = byte - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = byte - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = byte - UInt8(ascii: "A") + 10
            default: throw JSONParseError("\\u escape with \(Self.describe(byte)) among its 4 hex digits", at: escapeStart)
            }
            value = value << 4 | UInt32(digit)
            index += 1
        }
        return value
    }

    private static func escaped(_ unit: UInt32) -> String {
        let hex = String(unit, radix: 16, uppercase: true)
        return "\\u" + String(repeating: "0", count: max(0, 4 - hex.count)) + hex
    }

    private mutating func appendUTF8(_ scalar: UInt32) {
        switch scalar {
        case ..<0x80:
            scratch.append(UInt8(scalar))
        case ..<0x800:
            scratch.append(0xC0 | UInt8(scalar >> 6))
            scratch.append(0x80 | UInt8(scalar & 0x3F))
        case ..<0x10000:
            scratch.append(0xE0 | UInt8(scalar >> 12))
            scratch.append(0x80 | UInt8(scalar >> 6 & 0x3F))
            scratch.append(0x80 | UInt8(scalar & 0x3F))
        default:
            scratch.append(0xF0 | UInt8(scalar >> 18))
            scratch.append(0x80 | UInt8(scalar >> 12 & 0x3F))
            scratch.append(0x80 | UInt8(scalar >> 6 & 0x3F))
            scratch.append(0x80 | UInt8(scalar & 0x3F))
        }
    }

    // MARK: Numbers

    /// The number at `index`: `-? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)?`, as a finite Double.
    mutating func number() throws(JSONParseError) -> Double {
        let start = index
        let negative = bytes[index] == UInt8(ascii: "-")
        if negative { index += 1 }
        // Integers of up to 15 digits are exact in a Double: no text conversion for them.
        var integer: UInt64 = 0
        let integerStart = index
        guard index < bytes.count, isDigit(bytes[index]) else { throw unexpected("a digit") }
        if bytes[index] == UInt8(ascii: "0") {
            index += 1
            if index < bytes.count, isDigit(bytes[index]) { throw JSONParseError("number with a leading zero", at: start) }
        } else {
            while index < bytes.count, isDigit(bytes[index]) {
                if index - integerStart < 15 { integer = integer * 10 + UInt64(bytes[index] - UInt8(ascii: "0")) }
                index += 1
            }
        }
        let integerDigits = index - integerStart
        var isInteger = true
        if index < bytes.count, bytes[index] == UInt8(ascii: ".") {
            index += 1
            try digits()
            isInteger = false
        }
        if index < bytes.count, bytes[index] | 0x20 == UInt8(ascii: "e") {
            index += 1
            if index < bytes.count, bytes[index] == UInt8(ascii: "+") || bytes[index] == UInt8(ascii: "-") { index += 1 }
            try digits()
            isInteger = false
        }
        if isInteger, integerDigits <= 15 { return negative ? -Double(integer) : Double(integer) }
        let text = String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<index]), as: UTF8.self)
        guard let value = Double(text), value.isFinite else {
            throw JSONParseError("number \(text.prefix(40))\(text.count > 40 ? "…" : "") out of the range of a Double", at: start)
        }
        return value
    }

    /// One or more digits at `index`.
    private mutating func digits() throws(JSONParseError) {
        guard index < bytes.count, isDigit(bytes[index]) else { throw unexpected("a digit") }
        repeat { index += 1 } while index < bytes.count && isDigit(bytes[index])
    }

    private func isDigit(_ byte: UInt8) -> Bool { byte &- UInt8(ascii: "0") < 10 }
}
