/// RFC 3986 percent-encoding as AWS uses it (unreserved: `A-Z a-z 0-9 - _ . ~`), and URL splitting.
package enum PercentEncoding {
    private static let hexDigits: [UInt8] = Array("0123456789ABCDEF".utf8)

    @inline(__always)
    static func isUnreserved(_ c: UInt8) -> Bool {
        (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a) || (c >= 0x30 && c <= 0x39)
            || c == UInt8(ascii: "-") || c == UInt8(ascii: "_") || c == UInt8(ascii: ".") || c == UInt8(ascii: "~")
    }

    /// Encodes every byte of the UTF-8 of `string` except unreserved characters (and `/` when `keepSlash`).
    package static func encode(_ string: some StringProtocol, keepSlash: Bool = false) -> String {
        encode(bytes: Array(string.utf8), keepSlash: keepSlash)
    }

    static func encode(bytes: [UInt8], keepSlash: Bool = false) -> String {
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count)
        for c in bytes {
            if isUnreserved(c) || (keepSlash && c == UInt8(ascii: "/")) {
                out.append(c)
            } else {
                out.append(UInt8(ascii: "%"))
                out.append(hexDigits[Int(c >> 4)])
                out.append(hexDigits[Int(c & 0x0f)])
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// Decodes `%XX` escapes (a `+` stays a `+`); a malformed escape is kept literally.
    static func decode(_ string: some StringProtocol) -> String {
        String(decoding: decodeBytes(string), as: UTF8.self)
    }

    /// Bytes of `string` with `%XX` escapes decoded.
    static func decodeBytes(_ string: some StringProtocol) -> [UInt8] {
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
    static func formEncode(_ parameters: [(String, String)]) -> String {
        parameters.map { formComponent($0.0) + "=" + formComponent($0.1) }.joined(separator: "&")
    }

    static func formComponent(_ string: String) -> String {
        encode(string).replacingAll("%20", with: "+")
    }
}

/// The parts of an absolute `http`/`https` URL that signing needs.
struct URLParts: Equatable {
    var scheme: String
    /// Lowercased host, with brackets for IPv6 literals.
    var host: String
    var port: Int?
    /// Raw (still percent-encoded) path; empty if the URL had none.
    var path: String
    /// Raw query without the `?`; nil if none.
    var query: String?

    /// Host as in the `Host` header: the port only when it is not the scheme's default.
    var hostHeader: String {
        guard let port else { return host }
        if (scheme == "http" && port == 80) || (scheme == "https" && port == 443) { return host }
        return "\(host):\(port)"
    }

    init?(_ url: String) {
        guard let schemeEnd = url.firstRange(of: "://") else { return nil }
        let scheme = asciiLowercased(String(url[..<schemeEnd.lowerBound]))
        guard scheme == "http" || scheme == "https" else { return nil }
        self.scheme = scheme
        var rest = url[schemeEnd.upperBound...]
        if let hash = rest.firstIndex(of: "#") { rest = rest[..<hash] }
        let authorityEnd = rest.firstIndex { $0 == "/" || $0 == "?" } ?? rest.endIndex
        var authority = rest[..<authorityEnd]
        let afterAuthority = rest[authorityEnd...]
        if let at = authority.lastIndex(of: "@") { authority = authority[authority.index(after: at)...] }
        var hostPart = authority
        var portPart: Substring?
        if authority.hasPrefix("[") {
            guard let close = authority.firstIndex(of: "]") else { return nil }
            hostPart = authority[...close]
            let after = authority[authority.index(after: close)...]
            if after.hasPrefix(":") { portPart = after.dropFirst() } else if !after.isEmpty { return nil }
        } else if let colon = authority.lastIndex(of: ":") {
            hostPart = authority[..<colon]
            portPart = authority[authority.index(after: colon)...]
        }
        guard !hostPart.isEmpty else { return nil }
        host = asciiLowercased(String(hostPart))
        if let portPart, !portPart.isEmpty {
            guard let number = Int(portPart), (0...65535).contains(number) else { return nil }
            port = number
        } else {
            port = nil
        }
        if let question = afterAuthority.firstIndex(of: "?") {
            path = String(afterAuthority[..<question])
            query = String(afterAuthority[afterAuthority.index(after: question)...])
        } else {
            path = String(afterAuthority)
            query = nil
        }
    }
}

extension String {
    /// `self` with every occurrence of `target` replaced (no Foundation needed).
    func replacingAll(_ target: String, with replacement: String) -> String {
        split(separator: target, omittingEmptySubsequences: false).joined(separator: replacement)
    }
}
