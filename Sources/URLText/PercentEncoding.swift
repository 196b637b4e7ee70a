/// RFC 3986 percent-encoding as AWS uses it (unreserved: `A-Z a-z 0-9 - _ . ~`, everything else `%XX` over
/// UTF-8, uppercase hex): the one implementation behind SigV4, the query protocol, S3 keys and the filter's
/// console links.
public enum PercentEncoding {
    private static let hexDigits: [UInt8] = Array("0123456789ABCDEF".utf8)

    @inline(__always)
    static func isUnreserved(_ c: UInt8) -> Bool {
        (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a) || (c >= 0x30 && c <= 0x39)
            || c == UInt8(ascii: "-") || c == UInt8(ascii: "_") || c == UInt8(ascii: ".") || c == UInt8(ascii: "~")
    }

    /// Encodes every byte of the UTF-8 of `string` except unreserved characters (and `/` when `keepSlash`).
    public static func encode(_ string: some StringProtocol, keepSlash: Bool = false) -> String {
        encode(bytes: Array(string.utf8), keepSlash: keepSlash)
    }

    /// Encodes every byte except unreserved characters (and `/` when `keepSlash`, a space as `+` when `spaceAsPlus`).
    public static func encode(bytes: [UInt8], keepSlash: Bool = false, spaceAsPlus: Bool = false) -> String {
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count)
        for c in bytes {
            if isUnreserved(c) || (keepSlash && c == UInt8(ascii: "/")) {
                out.append(c)
            } else if spaceAsPlus && c == UInt8(ascii: " ") {
                out.append(UInt8(ascii: "+"))
            } else {
                out.append(UInt8(ascii: "%"))
                out.append(hexDigits[Int(c >> 4)])
                out.append(hexDigits[Int(c & 0x0f)])
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// Decodes `%XX` escapes (a `+` stays a `+`); a malformed escape is kept literally.
    public static func decode(_ string: some StringProtocol) -> String {
        String(decoding: decodeBytes(string), as: UTF8.self)
    }

    /// Bytes of `string` with `%XX` escapes decoded.
    public static func decodeBytes(_ string: some StringProtocol) -> [UInt8] {
        let b = Array(string.utf8)
        var out: [UInt8] = []
        out.reserveCapacity(b.count)
        var i = 0
        while i < b.count {
            if b[i] == UInt8(ascii: "%"), i + 2 < b.count,
               let high = hexValue(b[i + 1]), let low = hexValue(b[i + 2]) {
                out.append(high << 4 | low)
                i += 3
            } else {
                out.append(b[i])
                i += 1
            }
        }
        return out
    }

    private static func hexValue(_ c: UInt8) -> UInt8? {
        switch c {
        case 0x30...0x39: c - 0x30
        case 0x41...0x46: c - 0x41 + 10
        case 0x61...0x66: c - 0x61 + 10
        default: nil
        }
    }

    /// `application/x-www-form-urlencoded` body for the query protocol, in the given order, byte for byte
    /// what botocore sends (Python's `urlencode`: unreserved characters kept, space as `+`, the rest `%XX`).
    public static func formEncode(_ parameters: [(String, String)]) -> String {
        parameters.map { formComponent($0.0) + "=" + formComponent($0.1) }.joined(separator: "&")
    }

    private static func formComponent(_ string: String) -> String {
        encode(bytes: Array(string.utf8), spaceAsPlus: true)
    }
}
