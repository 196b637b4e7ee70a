import URLText

/// RFC 3986 percent-encoding lives in URLText (shared with the filter logic); AWSClient's users see it here.
package typealias PercentEncoding = URLText.PercentEncoding

/// The parts of an absolute `http`/`https` URL, as SigV4 signs it and a transport sends it: the one URL splitter
/// of the package (userinfo and fragment dropped, scheme and host lowercased, the port checked).
package struct URLParts: Equatable, Sendable {
    package var scheme: String
    /// Lowercased host, with brackets for IPv6 literals.
    package var host: String
    package var port: Int?
    /// Raw (still percent-encoded) path; empty if the URL had none.
    package var path: String
    /// Raw query without the `?`; nil if none.
    package var query: String?

    /// Host as in the `Host` header (and as SigV4 signs it): the port only when it is not the scheme's default.
    package var hostHeader: String {
        guard let port else { return host }
        if (scheme == "http" && port == 80) || (scheme == "https" && port == 443) { return host }
        return "\(host):\(port)"
    }

    /// Whether the connection uses TLS.
    package var isSecure: Bool { scheme == "https" }

    /// The host to connect to (and the TLS server name): an IPv6 literal without its brackets.
    package var connectHost: String {
        host.hasPrefix("[") && host.hasSuffix("]") ? String(host.dropFirst().dropLast()) : host
    }

    /// The port to connect to: the URL's, else the scheme's default.
    package var effectivePort: Int { port ?? (isSecure ? 443 : 80) }

    /// Whether the host is an IP address literal, which TLS does not send as a server name.
    package var isIPAddress: Bool {
        host.hasPrefix("[") || (!host.isEmpty && host.utf8.allSatisfy { ($0 >= 0x30 && $0 <= 0x39) || $0 == UInt8(ascii: ".") })
    }

    /// The request-target of the request line: the path (`/` when empty) and any `?query`.
    package var requestTarget: String {
        let target = path.isEmpty ? "/" : path
        return query.map { target + "?" + $0 } ?? target
    }

    package init?(_ url: String) {
        guard let colon = url.firstIndex(of: ":"), url[colon...].hasPrefix("://") else { return nil }
        let scheme = asciiLowercased(String(url[..<colon]))
        guard scheme == "http" || scheme == "https" else { return nil }
        self.scheme = scheme
        var rest = url[url.index(colon, offsetBy: 3)...]
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
